{{ config(materialized='incremental', unique_key=['order_id', 'line_number'], incremental_strategy='delete+insert') }}
-- Order lines that obey the business rules. A line with an unknown product is kept and
-- flagged; a line that breaks a rule is in quarantine_order_lines instead.
select
    l.* exclude (is_qty_invalid, is_price_invalid, is_discount_invalid),
    p.product_id is null and r.key_value is null as is_product_orphan,
    r.key_value is not null as is_product_rejected_in_bronze
from {{ ref('stg_orders_lines') }} as l
left join {{ ref('stg_products') }} as p using (product_id)
left join {{ ref('stg_rejected_keys') }} as r on r.table_name = 'products' and l.product_id = r.key_value
where
    not (l.is_qty_invalid or l.is_price_invalid or l.is_discount_invalid)
    and {{ new_bronze_loads('l.bronze_load_id') }}
