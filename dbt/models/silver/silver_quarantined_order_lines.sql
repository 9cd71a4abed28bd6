{{ config(materialized='incremental', unique_key=['order_id', 'line_number'], incremental_strategy='delete+insert') }}
-- Lines that break a business rule, with the reason: kept out of the facts, never lost.
select
    l.*,
    case
        when l.is_qty_invalid then 'non_positive_qty'
        when l.is_price_invalid then 'zero_price'
        else 'discount_out_of_range'
    end as quarantine_reason,
    p.product_id is null and r.key_value is null as is_product_orphan,
    r.key_value is not null as is_product_rejected_in_bronze
from {{ ref('stg_orders_lines') }} as l
left join {{ ref('stg_products') }} as p using (product_id)
left join {{ ref('stg_rejected_keys') }} as r on r.table_name = 'products' and l.product_id = r.key_value
where
    (l.is_qty_invalid or l.is_price_invalid or l.is_discount_invalid)
    and {{ new_bronze_loads('l.bronze_load_id') }}
