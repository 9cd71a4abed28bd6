{{ config(materialized='incremental', unique_key=['src_filename', 'src_line'], incremental_strategy='delete+insert') }}
select * from {{ ref('stg_sensors') }}
where {{ new_bronze_loads() }}
