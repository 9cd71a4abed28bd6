with sales as (
    select
        store_id,
        count(*) as orders
    from {{ ref('silver_orders') }}
    group by store_id
),

ranked as (
    select
        s.*,
        coalesce(o.orders, 0) as orders,
        percent_rank() over (partition by s.channel order by coalesce(o.orders, 0)) as order_rank
    from {{ ref('silver_stores') }} as s
    left join sales as o on s.store_id = o.store_id
)

select
    store_id as store_key,
    store_id,
    store_code,
    store_name,
    channel,
    region,
    state,
    country_code,
    time_zone,
    latitude,
    longitude,
    open_dt,
    close_dt,
    date_diff('day', open_dt, coalesce(close_dt, {{ utc_today() }})) as store_age_days,
    case
        when channel = 'web' then 'online'
        when order_rank >= 0.8 then 'large'
        when order_rank >= 0.4 then 'medium'
        else 'small'
    end as size_category,
    case
        when close_dt is not null and close_dt <= {{ utc_today() }} then 'closed' else 'open'
    end as operational_status,
    is_store_code_shared,
    false as is_unknown
from ranked
union all
select
    -1 as store_key,
    null as store_id,
    'UNKNOWN' as store_code,
    'Unknown store' as store_name,
    null as channel,
    null as region,
    null as state,
    null as country_code,
    null as time_zone,
    null as latitude,
    null as longitude,
    null as open_dt,
    null as close_dt,
    null as store_age_days,
    'unknown' as size_category,
    'unknown' as operational_status,
    false as is_store_code_shared,
    true as is_unknown
