-- Shipments (grain: shipment_id) with cost, delivery time and SLA compliance against the
-- per-carrier SLA of seed carrier_sla: on time = delivered within shipped_at + sla_days.
-- A parcel still in transit has no delivery date (-1) and on_time_flag NULL; it counts as
-- breaching once the SLA has passed by the end of the data (sla_status 'overdue').
-- shipping_cost is in the order's currency, converted on the ship date's rate.
with data_end as (
    select max(shipped_at) as as_of from {{ ref('silver_shipments') }}
)

select
    s.shipment_id,
    s.order_id as order_number,
    coalesce(ds.date_key, -1) as ship_date_key,
    coalesce(dd.date_key, -1) as delivery_date_key,
    coalesce(o.customer_key, -1) as customer_key,
    coalesce(o.store_key, -1) as store_key,
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
        when s.shipped_at + to_days(s.sla_days) < e.as_of then 'overdue'
        else 'in_transit'
    end as sla_status,
    s.is_in_transit
from {{ ref('silver_shipments') }} as s
cross join data_end as e
left join {{ ref('int_order_keys') }} as o on s.order_id = o.order_id
left join {{ ref('dim_date') }} as ds on ds.calendar_date = cast(s.shipped_at as date)
left join {{ ref('dim_date') }} as dd on dd.calendar_date = cast(s.delivered_at as date)
left join {{ ref('stg_exchange_rates') }} as rate
    on o.currency = rate.currency and rate.rate_date = cast(s.shipped_at as date)
