{%- set text = text_type() %}
{%- set lines_key = "cast(order_id as " ~ text ~ ") || '|' || cast(line_number as " ~ text ~ ")" %}
{%- set file_key = "src_filename || '|' || cast(src_line as " ~ text ~ ")" %}
{%- set detections = [
    ('customers', "'malformed_email'", ref('stg_customers'), "cast(customer_id as " ~ text ~ ")", 'not is_email_valid', 'silver flag'),
    ('customers', "'duplicate_natural_key'", ref('silver_customer_id_map'), "cast(customer_id as " ~ text ~ ")", 'is_duplicate_registration', 'silver de-duplication'),
    ('customers', "'missing_contact'", ref('stg_customers'), "cast(customer_id as " ~ text ~ ")", 'is_contact_incomplete', 'silver flag'),
    ('products', "'invalid_price'", ref('stg_products'), "cast(product_id as " ~ text ~ ")", 'is_price_invalid', 'silver flag'),
    ('products', "'invalid_price'", source('bronze', 'rejects'), "split_part(raw_text, ',', 1)",
        "table_name = 'products' and reason = 'cast_error:current_price'", 'bronze reject'),
    ('products', "'discontinued_without_date'", ref('stg_products'), "cast(product_id as " ~ text ~ ")", 'is_discontinued_undated', 'silver flag'),
    ('stores', "'impossible_coordinates'", ref('stg_stores'), "cast(store_id as " ~ text ~ ")", 'is_coordinates_invalid', 'silver flag'),
    ('stores', "'duplicate_store_code'", ref('silver_stores'), "cast(store_id as " ~ text ~ ")", 'is_store_code_reused', 'silver flag'),
    ('orders_header', "'orphan_reference'", ref('silver_orders'), "cast(order_id as " ~ text ~ ")", 'is_customer_orphan or is_store_orphan', 'silver flag'),
    ('orders_header', "'duplicate_order_id'", ref('silver_order_copies'), "cast(order_id as " ~ text ~ ") || '|' || src_filename", 'copy_rank > 1', 'silver de-duplication'),
    ('orders_lines', "'invalid_product_id'", ref('silver_order_lines'), lines_key, 'is_product_orphan', 'silver flag'),
    ('orders_lines', "'invalid_product_id'", ref('silver_quarantined_order_lines'), lines_key, 'is_product_orphan', 'silver flag'),
    ('orders_lines', unnest_list('quarantine_reasons'), ref('silver_quarantined_order_lines'), lines_key, 'true', 'silver quarantine'),
    ('events', "case when reason = 'bad_json' then 'malformed_json' else 'missing_envelope_field' end",
        source('bronze', 'rejects'), file_key,
        "table_name = 'events' and (reason = 'bad_json' or reason like 'missing_field:%')", 'bronze reject'),
    ('sensors', "'out_of_range'", ref('stg_sensors'), file_key, 'is_out_of_range', 'silver flag'),
    ('sensors', "'missing_sensor_ts'", ref('stg_sensors'), file_key, 'is_timeless', 'silver flag'),
    ('shipments', "'in_transit'", ref('stg_shipments'), "cast(shipment_id as " ~ text ~ ")", 'is_in_transit', 'silver flag'),
    ('shipments', "'late_delivery'", ref('stg_shipments'), "cast(shipment_id as " ~ text ~ ")", 'is_late', 'silver flag'),
] %}
{% for source_name, anomaly_class, relation, row_key, condition, detected_by in detections %}
    select
        '{{ source_name }}' as source_table,
        {{ anomaly_class }} as anomaly_class,
        {{ row_key }} as row_key,
        '{{ detected_by }}' as detected_by
    from {{ relation }}
    where {{ condition }}
    {% if not loop.last %}union all{% endif %}
{%- endfor %}
