select
    sensor_ts,
    store_id,
    {{ clean_text('shelf_id') }} as shelf_id,
    split_part(shelf_id, '-', 1) as shelf_kind,
    temperature_c,
    humidity_pct,
    battery_mv,
    (sensor_ts is null) as is_timeless,
    (
        temperature_c not between {{ var('temperature_min_c') }} and {{ var('temperature_max_c') }}
        or humidity_pct not between 0 and 100
    ) as is_out_of_range,
    {{ audit_columns() }}
from {{ source('bronze', 'sensors') }}
