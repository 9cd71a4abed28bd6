{{ versions_from_history(ref('stg_products_history'), 'product_id') }}
