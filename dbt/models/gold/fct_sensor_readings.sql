{{ config(materialized='incremental', unique_key=['store_key', 'shelf_id', 'sensor_hour'],
          incremental_strategy='delete+insert', on_schema_change='fail') }}
-- Shelf sensors per hour (grain: store_key, shelf_id, sensor_hour in UTC). Statistics use
-- only physically possible values (per measure: a reading whose humidity is impossible
-- still counts for temperature); impossible readings are counted as anomalies instead.
-- Rolling statistics cover the 24 hours ending with the hour (the hour and 23 before),
-- weighted by readings. Readings without a timestamp cannot be placed in an hour: they stay
-- in silver.silver_sensor_readings (is_timeless) and are counted in vw_data_quality_anomalies.
-- Incremental (the largest gold fact): a shelf with readings from bronze loads newer than
-- this table has seen is recomputed from its first new hour on, with the 23 hours before
-- as context for the rolling window. A store re-mapped to another survivor needs --full-refresh.
with
{% if is_incremental() -%}
    touched_shelves as (
        select
            coalesce(m.survivor_store_id, r.store_id) as store_id,
            r.shelf_id,
            min(date_trunc('hour', cast(r.sensor_ts as timestamp))) as first_new_hour
        from {{ ref('silver_sensor_readings') }} as r
        left join {{ ref('silver_store_id_map') }} as m using (store_id)
        where not r.is_timeless and {{ new_bronze_loads('r.bronze_load_id') }}
        group by 1, 2
    ),
{%- endif %}
readings as (
    select
        coalesce(m.survivor_store_id, r.store_id) as store_id,
        r.shelf_id,
        r.shelf_kind,
        date_trunc('hour', cast(r.sensor_ts as timestamp)) as sensor_hour,
        case
            when r.temperature_c between {{ var('temperature_min_c') }} and {{ var('temperature_max_c') }}
                then cast(r.temperature_c as double)
        end as temperature_c,
        case when r.humidity_pct between 0 and 100 then cast(r.humidity_pct as double) end as humidity_pct,
        r.battery_mv,
        r.is_out_of_range,
        r.bronze_load_id
    from {{ ref('silver_sensor_readings') }} as r
    left join {{ ref('silver_store_id_map') }} as m using (store_id)
    {% if is_incremental() -%}
        inner join
            touched_shelves as t
            on t.store_id = coalesce(m.survivor_store_id, r.store_id) and r.shelf_id = t.shelf_id
    {%- endif %}
    where
        not r.is_timeless
        {% if is_incremental() -%}
            and date_trunc('hour', cast(r.sensor_ts as timestamp)) >= t.first_new_hour - interval 23 hour
        {%- endif %}
),

hourly as (
    select
        store_id,
        shelf_id,
        any_value(shelf_kind) as shelf_kind,
        sensor_hour,
        count(*) as reading_count,
        count(*) filter (where is_out_of_range) as out_of_range_count,
        avg(temperature_c) as avg_temperature_c,
        min(temperature_c) as min_temperature_c,
        max(temperature_c) as max_temperature_c,
        avg(humidity_pct) as avg_humidity_pct,
        min(humidity_pct) as min_humidity_pct,
        max(humidity_pct) as max_humidity_pct,
        min(battery_mv) as min_battery_mv,
        max(bronze_load_id) as bronze_load_id,
        -- sums behind the weighted rolling statistics
        count(temperature_c) as temperature_count,
        sum(temperature_c) as temperature_sum,
        sum(temperature_c * temperature_c) as temperature_sum_sq
    from readings
    group by store_id, shelf_id, sensor_hour
),

rolling as (
    select
        *,
        sum(temperature_count) over last_24h as rolling_temperature_count,
        sum(temperature_sum) over last_24h as rolling_temperature_sum,
        sum(temperature_sum_sq) over last_24h as rolling_temperature_sum_sq,
        cast(sum(reading_count) over last_24h as bigint) as rolling_24h_reading_count,
        cast(sum(out_of_range_count) over last_24h as bigint) as rolling_24h_out_of_range_count,
        min(min_temperature_c) over last_24h as rolling_24h_min_temperature_c,
        max(max_temperature_c) over last_24h as rolling_24h_max_temperature_c,
        avg(avg_humidity_pct) over last_24h as rolling_24h_avg_humidity_pct
    from hourly
    window last_24h as (
        partition by store_id, shelf_id order by sensor_hour
        range between interval 23 hour preceding and current row
    )
)

select
    coalesce(s.store_key, -1) as store_key,
    coalesce(d.date_key, -1) as date_key,
    r.shelf_id,
    r.shelf_kind,
    r.sensor_hour,
    r.reading_count,
    r.out_of_range_count,
    r.out_of_range_count > 0 as has_anomaly,
    round(r.avg_temperature_c, 3) as avg_temperature_c,
    r.min_temperature_c,
    r.max_temperature_c,
    round(r.avg_humidity_pct, 3) as avg_humidity_pct,
    r.min_humidity_pct,
    r.max_humidity_pct,
    r.min_battery_mv,
    round(r.rolling_temperature_sum / nullif(r.rolling_temperature_count, 0), 3) as rolling_24h_avg_temperature_c,
    round(sqrt(greatest(
        r.rolling_temperature_sum_sq / nullif(r.rolling_temperature_count, 0)
        - power(r.rolling_temperature_sum / nullif(r.rolling_temperature_count, 0), 2), 0
    )), 3)
        as rolling_24h_stddev_temperature_c,
    r.rolling_24h_min_temperature_c,
    r.rolling_24h_max_temperature_c,
    round(r.rolling_24h_avg_humidity_pct, 3) as rolling_24h_avg_humidity_pct,
    r.rolling_24h_reading_count,
    r.rolling_24h_out_of_range_count,
    r.bronze_load_id
from rolling as r
left join {{ ref('dim_store') }} as s on s.store_key = r.store_id
left join {{ ref('dim_date') }} as d on d.calendar_date = cast(r.sensor_hour as date)
{% if is_incremental() -%}
    inner join touched_shelves as t on t.store_id = r.store_id and t.shelf_id = r.shelf_id
    where r.sensor_hour >= t.first_new_hour
{%- endif %}
