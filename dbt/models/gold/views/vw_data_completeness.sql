{% set required = {
    'silver_customers': ['natural_key', 'first_name', 'last_name', 'email', 'phone', 'address_line1', 'city',
                         'state_region', 'postcode', 'country_code', 'latitude', 'longitude', 'birth_date', 'join_ts'],
    'silver_products': ['sku', 'product_name', 'category', 'subcategory', 'current_price', 'currency',
                        'introduced_dt'],
    'silver_stores': ['store_code', 'store_name', 'channel', 'region', 'state', 'latitude', 'longitude', 'open_dt'],
    'silver_orders': ['order_ts', 'order_dt_local', 'customer_id', 'store_id', 'channel', 'payment_method',
                      'currency', 'shipping_fee'],
    'silver_order_lines': ['product_id', 'qty', 'unit_price', 'line_discount_pct', 'tax_pct'],
    'silver_shipments': ['order_id', 'carrier', 'shipped_at', 'ship_cost'],
    'silver_returns': ['order_id', 'product_id', 'return_ts', 'qty', 'reason'],
    'silver_events': ['event_ts', 'event_type', 'session_id'],
    'silver_sensor_readings': ['sensor_ts', 'shelf_id', 'temperature_c', 'humidity_pct', 'battery_mv'],
} %}
{% for model, columns in required.items() %}
    {{ column_completeness(model, columns) }}
    {{ "union all" if not loop.last }}
{% endfor %}
