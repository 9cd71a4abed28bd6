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
left join {{ ref('dim_date') }} as d on d.calendar_date = o.order_date_utc
left join {{ ref('dim_customer') }} as c on c.customer_key = o.customer_key_id
left join {{ ref('dim_store') }} as s on s.store_key = o.store_key_id
left join {{ ref('stg_exchange_rates') }} as r on r.currency = o.currency and r.rate_date = o.order_date_utc
