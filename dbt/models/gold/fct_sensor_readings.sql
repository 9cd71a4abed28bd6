{{ config(materialized='incremental', unique_key=['store_key', 'shelf_id', 'sensor_hour'],
          incremental_strategy='delete+insert', on_schema_change='fail') }}
with
{% if is_incremental() -%}
    touched_shelves as (
        select
            store_id,
            shelf_id,
            min(date_trunc('hour', {{ utc_timestamp('sensor_ts') }})) as first_new_hour
        from {{ ref('silver_sensor_readings') }}
        where not is_timeless and {{ new_bronze_loads() }}
        group by store_id, shelf_id
    ),

{% endif -%}
readings as (
    select
        r.store_id,
        r.shelf_id,
        r.shelf_kind,
        date_trunc('hour', {{ utc_timestamp('r.sensor_ts') }}) as sensor_hour,
        case
            when r.temperature_c between {{ var('temperature_min_c') }} and {{ var('temperature_max_c') }}
                then cast(r.temperature_c as double)
        end as temperature_c,
        case when r.humidity_pct between 0 and 100 then cast(r.humidity_pct as double) end as humidity_pct,
        r.battery_mv,
        r.is_out_of_range,
        r.bronze_load_id
    from {{ ref('silver_sensor_readings') }} as r
    {% if is_incremental() -%}
        inner join touched_shelves as t on r.store_id = t.store_id and r.shelf_id = t.shelf_id
    {%- endif %}
    where
        not r.is_timeless
        {% if is_incremental() -%}
            and date_trunc('hour', {{ utc_timestamp('r.sensor_ts') }}) >= t.first_new_hour - interval 23 hour
        {%- endif %}
),

hourly as (
    select
        store_id,
        shelf_id,
        sensor_hour,
        any_value(shelf_kind) as shelf_kind,
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
        -- sums behind the rolling statistics, weighted by readings
        count(temperature_c) as temperature_count,
        sum(temperature_c) as temperature_sum,
        sum(temperature_c * temperature_c) as temperature_sum_sq,
        count(humidity_pct) as humidity_count,
        sum(humidity_pct) as humidity_sum
    from readings
    group by store_id, shelf_id, sensor_hour
),

rolling as (
    select
        *,
        sum(temperature_count) over last_24h as rolling_temperature_count,
        sum(temperature_sum) over last_24h as rolling_temperature_sum,
        sum(temperature_sum_sq) over last_24h as rolling_temperature_sum_sq,
        sum(humidity_count) over last_24h as rolling_humidity_count,
        sum(humidity_sum) over last_24h as rolling_humidity_sum,
        cast(sum(reading_count) over last_24h as bigint) as rolling_24h_reading_count,
        cast(sum(out_of_range_count) over last_24h as bigint) as rolling_24h_out_of_range_count,
        min(min_temperature_c) over last_24h as rolling_24h_min_temperature_c,
        max(max_temperature_c) over last_24h as rolling_24h_max_temperature_c
    from hourly
    window last_24h as (
        partition by store_id, shelf_id order by sensor_hour
        range between interval 23 hour preceding and current row
    )
)

select
    case when s.store_id is null then -1 else r.store_id end as store_key,
    {{ date_key('cast(r.sensor_hour as date)') }} as date_key,
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
    )), 3) as rolling_24h_stddev_temperature_c,
    r.rolling_24h_min_temperature_c,
    r.rolling_24h_max_temperature_c,
    round(r.rolling_humidity_sum / nullif(r.rolling_humidity_count, 0), 3) as rolling_24h_avg_humidity_pct,
    r.rolling_24h_reading_count,
    r.rolling_24h_out_of_range_count,
    r.bronze_load_id
from rolling as r
left join {{ ref('silver_stores') }} as s on r.store_id = s.store_id
{% if is_incremental() -%}
    inner join touched_shelves as t on r.store_id = t.store_id and r.shelf_id = t.shelf_id
    where r.sensor_hour >= t.first_new_hour
{%- endif %}
