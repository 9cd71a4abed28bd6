{{ config(materialized='incremental', unique_key='order_id', incremental_strategy='delete+insert') }}
-- One row per order_id. Broken references are kept and flagged (never dropped, so
-- revenue is not lost); customer ids of duplicate registrations map to the survivor.
-- Incremental: orders touched by newer bronze loads are re-ranked over all their copies.
with touched as (
    select distinct order_id from {{ ref('stg_orders_header') }}
    where {{ new_bronze_loads() }}
    union
    select distinct order_id from {{ ref('stg_orders_lines') }}
    where {{ new_bronze_loads() }}
),

totals as (
    -- order totals over the lines that obey the business rules (quarantined lines excluded)
    select
        order_id,
        count(*) as order_line_count,
        sum(net_amount) as order_net_amount,
        sum(tax_amount) as order_tax_amount,
        sum(net_amount + tax_amount) as order_gross_amount
    from {{ ref('stg_orders_lines') }}
    where
        not (is_qty_invalid or is_price_invalid or is_discount_invalid)
        and order_id in (select order_id from touched)
    group by order_id
)

select
    o.* exclude (copy_rank),
    coalesce(t.order_line_count, 0) as order_line_count,
    coalesce(t.order_net_amount, 0) as order_net_amount,
    coalesce(t.order_tax_amount, 0) as order_tax_amount,
    coalesce(t.order_gross_amount, 0) as order_gross_amount,
    coalesce(cm.survivor_customer_id, o.customer_id) as customer_key_id,
    coalesce(sm.survivor_store_id, o.store_id) as store_key_id,
    cm.customer_id is null and rc.key_value is null as is_customer_orphan,
    sm.store_id is null and rs.key_value is null as is_store_orphan
from {{ ref('silver_order_copies') }} as o
left join totals as t using (order_id)
left join {{ ref('silver_customer_id_map') }} as cm on o.customer_id = cm.customer_id
left join {{ ref('silver_store_id_map') }} as sm on o.store_id = sm.store_id
left join {{ ref('stg_rejected_keys') }} as rc on rc.table_name = 'customers' and o.customer_id = rc.key_value
left join {{ ref('stg_rejected_keys') }} as rs on rs.table_name = 'stores' and o.store_id = rs.key_value
where o.copy_rank = 1 and o.order_id in (select order_id from touched)
