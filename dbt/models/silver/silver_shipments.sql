{{ config(materialized='incremental', unique_key='shipment_id', incremental_strategy='delete+insert') }}
-- Shipments with delivery days and SLA status. Grain: shipment_id.
select * from {{ ref('stg_shipments') }}
where {{ new_bronze_loads() }}
