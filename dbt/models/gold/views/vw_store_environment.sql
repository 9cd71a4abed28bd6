select
    s.store_name as store,
    s.store_id as store_number,
    s.store_code,
    s.region,
    cast(f.sensor_hour as date) as reading_date,
    f.shelf_kind,
    count(distinct f.shelf_id) as shelves,
    cast(sum(f.reading_count) as bigint) as readings,
    cast(sum(f.out_of_range_count) as bigint) as anomalous_readings,
    round(sum(f.out_of_range_count) / sum(f.reading_count), 4) as anomaly_rate,
    count(*) filter (where f.has_anomaly) as hours_with_anomalies,
    -- the hourly means have 3 decimals: averaged as decimals, the sum is exact, so the rounded
    -- mean does not depend on the order the threads summed the rows in (a build from scratch and
    -- an incremental one gave 49.06 and 49.07 for the same day)
    round(avg(cast(f.avg_temperature_c as decimal(9, 3))), 2) as average_temperature_c,
    min(f.min_temperature_c) as min_temperature_c,
    max(f.max_temperature_c) as max_temperature_c,
    round(avg(cast(f.avg_humidity_pct as decimal(9, 3))), 2) as average_humidity_pct,
    min(f.min_battery_mv) as lowest_battery_mv
from {{ ref('fct_sensor_readings') }} as f
inner join {{ ref('dim_store') }} as s on f.store_key = s.store_key
group by all
