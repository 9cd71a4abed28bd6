{{ config(materialized='incremental', unique_key='shipment_id', incremental_strategy='delete+insert') }}
select * from {{ ref('stg_shipments') }}
where {{ new_bronze_loads() }}
