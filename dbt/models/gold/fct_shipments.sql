{{ config(materialized='incremental', unique_key='shipment_id',
          incremental_strategy='delete+insert', on_schema_change='fail') }}
-- Incremental (docs/decisions.md §28): shipments of newer bronze loads, of orders to refresh
-- (a late order header gives the keys), and every parcel still in transit (overdue is
-- measured against the newest ship time, which moves with every load).
{{ refresh_scope_depends_on() }}
with data_end as (
    select max({{ utc_timestamp('shipped_at') }}) as as_of from {{ ref('silver_shipments') }}
)

select
    s.shipment_id,
    s.order_id as order_number,
    {{ date_key(utc_date('s.shipped_at')) }} as ship_date_key,
    {{ date_key(utc_date('s.delivered_at')) }} as delivery_date_key,
    case when o.order_id is null then -1 else o.customer_key end as customer_key,
    case when o.order_id is null then -1 else o.store_key end as store_key,
    s.carrier,
    s.shipped_at,
    s.delivered_at,
    o.currency,
    s.ship_cost as shipping_cost,
    rate.rate_to_aud,
    cast(s.ship_cost * rate.rate_to_aud as decimal(18, 4)) as shipping_cost_aud,
    round(s.delivery_days, 2) as delivery_days,
    s.sla_days,
    case when s.is_in_transit or s.sla_days is null then null else not s.is_late end as on_time_flag,
    case
        when s.sla_days is null then 'no_sla'
        when not s.is_in_transit then (case when s.is_late then 'late' else 'on_time' end)
        when {{ utc_timestamp('s.shipped_at') }} + {{ days_interval('s.sla_days') }} < e.as_of then 'overdue'
        else 'in_transit'
    end as sla_status,
    s.is_in_transit,
    greatest(s.bronze_load_id, o.bronze_load_id) as bronze_load_id
from {{ ref('silver_shipments') }} as s
cross join data_end as e
left join {{ ref('int_order_keys') }} as o on s.order_id = o.order_id
left join {{ ref('stg_exchange_rates') }} as rate
    on o.currency = rate.currency and {{ utc_date('s.shipped_at') }} = rate.rate_date
{% if is_incremental() -%}
    where
        {{ new_bronze_loads('s.bronze_load_id') }}
        or s.order_id in ({{ orders_to_refresh() }})
        or s.is_in_transit
        or {{ new_bronze_loads('rate.bronze_load_id') }}
{%- endif %}
