-- Every row a layer caught, named like the generator's anomaly classes, with the row's
-- identity in the log's `row_key` form: Bronze rejects plus Silver flags and quarantine.
{% set rejects = source('bronze', 'rejects') %}
select 'customers' as source, 'malformed_email' as anomaly_class, customer_id::varchar as row_key, 'silver flag' as detected_by
from {{ ref('stg_customers') }} where not is_email_valid
union all
select 'customers', 'duplicate_natural_key', customer_id::varchar, 'silver de-duplication'
from {{ ref('silver_customer_id_map') }} where is_duplicate_registration
union all
select 'customers', 'missing_contact', customer_id::varchar, 'silver flag'
from {{ ref('stg_customers') }} where is_contact_incomplete
union all
select 'products', 'invalid_price', product_id::varchar, 'silver flag'
from {{ ref('stg_products') }} where is_price_invalid
union all
select 'products', 'invalid_price', split_part(raw_text, ',', 1), 'bronze reject'
from {{ rejects }} where table_name = 'products' and reason = 'cast_error:current_price'
union all
select 'products', 'discontinued_without_date', product_id::varchar, 'silver flag'
from {{ ref('stg_products') }} where is_discontinued_undated
union all
select 'stores', 'impossible_coordinates', store_id::varchar, 'silver flag'
from {{ ref('stg_stores') }} where is_coordinates_invalid
union all
select 'stores', 'duplicate_store_code', store_id::varchar, 'silver de-duplication'
from {{ ref('silver_store_id_map') }} where is_duplicate_code
union all
select 'orders_header', 'orphan_reference', order_id::varchar, 'silver flag'
from {{ ref('silver_orders') }} where is_customer_orphan or is_store_orphan
union all
select 'orders_header', 'duplicate_order_id', order_id::varchar || '|' || src_filename, 'silver de-duplication'
from {{ ref('silver_order_copies') }} where copy_rank > 1
union all
select 'orders_lines', 'invalid_product_id', order_id::varchar || '|' || line_number::varchar, 'silver flag'
from {{ ref('silver_order_lines') }} where is_product_orphan
union all
select 'orders_lines', 'invalid_product_id', order_id::varchar || '|' || line_number::varchar, 'silver flag'
from {{ ref('quarantine_order_lines') }} where is_product_orphan
union all
select 'orders_lines', quarantine_reason, order_id::varchar || '|' || line_number::varchar, 'silver quarantine'
from {{ ref('quarantine_order_lines') }}
union all
select 'events', case when reason = 'bad_json' then 'malformed_json' else 'missing_envelope_field' end,
       src_filename || '|' || src_line::varchar, 'bronze reject'
from {{ rejects }} where table_name = 'events' and (reason = 'bad_json' or reason like 'missing_field:%')
union all
select 'sensors', 'out_of_range', src_filename || '|' || src_line::varchar, 'silver flag'
from {{ ref('stg_sensors') }} where is_out_of_range
union all
select 'sensors', 'missing_sensor_ts', src_filename || '|' || src_line::varchar, 'silver flag'
from {{ ref('stg_sensors') }} where is_timeless
union all
select 'shipments', 'in_transit', shipment_id::varchar, 'silver flag'
from {{ ref('stg_shipments') }} where is_in_transit
union all
select 'shipments', 'late_delivery', shipment_id::varchar, 'silver flag'
from {{ ref('stg_shipments') }} where is_late
