{{ config(materialized='ephemeral') }}
-- Order-level references resolved once for the facts about orders (sales, returns,
-- shipments): the order's date, customer and store keys (-1 when the reference is
-- broken) and the AUD rate of its currency on its UTC date. Grain: order_id.
select
    o.order_id,
    o.order_ts,
    o.order_date_utc,
    o.channel,
    o.currency,
    coalesce(d.date_key, -1) as order_date_key,
    case when o.is_customer_orphan then -1 else coalesce(c.customer_key, -1) end as customer_key,
    case when o.is_store_orphan then -1 else coalesce(s.store_key, -1) end as store_key,
    r.rate_to_aud
from {{ ref('silver_orders') }} as o
left join {{ ref('dim_date') }} as d on o.order_date_utc = d.calendar_date
left join {{ ref('dim_customer') }} as c on o.customer_key_id = c.customer_key
left join {{ ref('dim_store') }} as s on o.store_key_id = s.store_key
left join {{ ref('stg_exchange_rates') }} as r on o.currency = r.currency and o.order_date_utc = r.rate_date
