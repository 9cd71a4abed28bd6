select
    store_id as store_key,
    store_id,
    store_code,
    store_name,
    -- how a store is shown: the code alone is ambiguous when two stores share it
    store_name || ' (' || store_code || ')' as store_label,
    channel,
    region,
    state,
    country_code,
    time_zone,
    latitude,
    longitude,
    open_dt,
    close_dt,
    floor_area_sqm,
    {{ date_diff_in('day', 'open_dt', 'coalesce(close_dt, ' ~ utc_today() ~ ')') }} as store_age_days,
    -- the size is an attribute of the store (its floor area), not of its sales
    case
        when channel = 'web' then 'online'
        when floor_area_sqm >= 3000 then 'large'
        when floor_area_sqm >= 1000 then 'medium'
        when floor_area_sqm is not null then 'small'
        else 'unknown'
    end as size_category,
    case
        when close_dt is not null and close_dt <= {{ utc_today() }} then 'closed' else 'open'
    end as operational_status,
    is_store_code_shared,
    false as is_unknown
from {{ ref('silver_stores') }}
union all
select
    -1 as store_key,
    null as store_id,
    'UNKNOWN' as store_code,
    'Unknown store' as store_name,
    'Unknown store (UNKNOWN)' as store_label,
    null as channel,
    null as region,
    null as state,
    null as country_code,
    null as time_zone,
    null as latitude,
    null as longitude,
    null as open_dt,
    null as close_dt,
    null as floor_area_sqm,
    null as store_age_days,
    'unknown' as size_category,
    'unknown' as operational_status,
    false as is_store_code_shared,
    true as is_unknown
