{{ config(materialized='view') }}
{{ ranked_order_copies() }}
