{{ config(materialized='incremental', unique_key=['src_filename', 'src_line'], incremental_strategy='delete+insert') }}
-- Sensor readings, flags kept (out of range, timeless): a reading is identified by its
-- raw file and line because a timeless reading has no sensor_ts.
select * from {{ ref('stg_sensors') }}
where {{ new_bronze_loads() }}
