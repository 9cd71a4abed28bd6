{{ config(materialized='incremental', unique_key='order_id', incremental_strategy='delete+insert') }}
-- One row per order_id. Broken references are kept and flagged (never dropped, so
-- revenue is not lost); customer ids of duplicate registrations map to the survivor.
-- Incremental: orders touched by newer bronze loads are re-ranked over all their copies.
with touched as (
    select distinct order_id from {{ ref('stg_orders_header') }} where {{ new_bronze_loads() }}
)
select
    o.* exclude (copy_rank),
    coalesce(cm.survivor_customer_id, o.customer_id) as customer_key_id,
    coalesce(sm.survivor_store_id, o.store_id) as store_key_id,
    cm.customer_id is null as is_customer_orphan,
    sm.store_id is null as is_store_orphan
from {{ ref('silver_order_copies') }} as o
left join {{ ref('silver_customer_id_map') }} as cm on cm.customer_id = o.customer_id
left join {{ ref('silver_store_id_map') }} as sm on sm.store_id = o.store_id
where o.copy_rank = 1 and o.order_id in (select order_id from touched)
