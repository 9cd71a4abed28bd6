-- Stores (one per store_code) with derived attributes, plus the unknown member (key -1).
-- size_category follows the store's floor area, an attribute of the store (not its sales);
-- web shops are 'online'.
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
    floor_area_sqm,
    date_diff('day', open_dt, coalesce(close_dt, current_date)) as store_age_days,
    case
        when channel = 'web' then 'online'
        when floor_area_sqm >= 3000 then 'large'
        when floor_area_sqm >= 1000 then 'medium'
        when floor_area_sqm is not null then 'small'
        else 'unknown'
    end as size_category,
    case when close_dt is not null and close_dt <= current_date then 'closed' else 'open' end as operational_status,
    false as is_unknown
from {{ ref('silver_stores') }}
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
    null,
    'unknown',
    'unknown',
    true
