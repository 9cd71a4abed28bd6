-- The envelope is typed in bronze; the payload's fields depend on event_type.
select
    event_id,
    event_ts,
    {{ utc_date('event_ts') }} as event_date,
    {{ clean_text('event_type') }} as event_type,
    user_id,
    {{ clean_text('session_id') }} as session_id,
    (user_id is null) as is_anonymous,
    try_cast(json_extract_string(json, '$.payload.product_id') as bigint) as product_id,
    try_cast(json_extract_string(json, '$.payload.qty') as integer) as quantity,
    json_extract_string(json, '$.payload.sku') as sku,
    json_extract_string(json, '$.payload.query') as search_query,
    try_cast(json_extract_string(json, '$.payload.results') as integer) as search_results,
    json_extract_string(json, '$.payload.page') as page,
    json_extract_string(json, '$.payload.referrer') as referrer,
    try_cast(json_extract_string(json, '$.payload.duration_ms') as integer) as duration_ms,
    try_cast(json_extract_string(json, '$.payload.order_id') as bigint) as order_id,
    try_cast(json_extract_string(json, '$.payload.total') as decimal(12, 2)) as checkout_total,
    json_extract_string(json, '$.payload.currency') as checkout_currency,
    json_extract_string(json, '$.payload.method') as login_method,
    {{ audit_columns() }}
from {{ source('bronze', 'events') }}
