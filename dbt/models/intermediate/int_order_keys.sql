select
    o.order_id,
    o.order_ts,
    {{ utc_timestamp('o.order_ts') }} as order_ts_utc,
    o.order_date_utc,
    o.channel,
    o.currency,
    {{ date_key('o.order_date_utc') }} as order_date_key,
    case when o.is_customer_orphan or o.is_customer_rejected_in_bronze then -1 else o.survivor_customer_id end
        as customer_key,
    case when o.is_store_orphan or o.is_store_rejected_in_bronze then -1 else o.store_id end as store_key,
    r.rate_to_aud,
    r.bronze_load_id as rate_bronze_load_id,
    o.bronze_load_id
from {{ ref('silver_orders') }} as o
left join {{ ref('stg_exchange_rates') }} as r on o.currency = r.currency and o.order_date_utc = r.rate_date
