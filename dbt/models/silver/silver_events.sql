{{ config(materialized='incremental', unique_key='event_id', incremental_strategy='delete+insert') }}
-- Clickstream events with parsed payload columns. Grain: event_id.
select * from {{ ref('stg_events') }}
where {{ new_bronze_loads() }}
