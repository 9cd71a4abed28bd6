-- Stores (one per store_code) with derived attributes, plus the unknown member (key -1).
-- size_category follows the store's share of orders (web shops are 'online').
with sales as (
    select
        store_key_id as store_id,
        count(*) as orders
    from {{ ref('silver_orders') }}
    group by 1
),

ranked as (
    select
        s.*,
        coalesce(o.orders, 0) as orders,
        percent_rank() over (partition by s.channel order by coalesce(o.orders, 0)) as order_rank
    from {{ ref('silver_stores') }} as s
    left join sales as o using (store_id)
)

select
    store_id as store_key,
    store_id,
    store_code,
    store_name,
    channel,
    region,
    state,
    latitude,
    longitude,
    open_dt,
    close_dt,
    date_diff('day', open_dt, coalesce(close_dt, current_date)) as store_age_days,
    case
        when channel = 'web' then 'online'
        when order_rank >= 0.8 then 'large'
        when order_rank >= 0.4 then 'medium'
        else 'small'
    end as size_category,
    case when close_dt is not null and close_dt <= current_date then 'closed' else 'open' end as operational_status,
    false as is_unknown
from ranked
union all
select
    -1,
    null,
    'UNKNOWN',
    'Unknown store',
    null,
    null,
    null,
    null,
    null,
    null,
    null,
    null,
    'unknown',
    'unknown',
    true
