with source as (
    select
        *,
        (latitude not between -90 and 90 or longitude not between -180 and 180) as bad_coordinates
    from {{ source('bronze', 'stores') }}
)

select
    store_id,
    {{ clean_text('store_code') }} as store_code,
    {{ clean_text('name') }} as store_name,
    lower({{ clean_text('channel') }}) as channel,
    {{ clean_text('region') }} as region,
    {{ clean_text('state') }} as state,
    -- impossible coordinates are nulled (and flagged) rather than passed on
    case when bad_coordinates then null else latitude end as latitude,
    case when bad_coordinates then null else longitude end as longitude,
    open_dt,
    close_dt,
    floor_area_sqm,
    coalesce(bad_coordinates, false) as is_coordinates_invalid,
    {{ audit_columns() }}
from source
