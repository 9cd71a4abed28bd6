{{ config(materialized='incremental', unique_key='event_id', incremental_strategy='delete+insert') }}
select * from {{ ref('stg_events') }}
where {{ new_bronze_loads() }}
