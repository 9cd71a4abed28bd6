{{ versions_from_history(ref('stg_customers_history'), 'customer_id') }}
