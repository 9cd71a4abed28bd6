select distinct
    table_name,
    try_cast(regexp_extract(raw_text, '^"?([0-9]+)', 1) as bigint) as key_value,
    reason
from {{ source('bronze', 'rejects') }}
where
    table_name in ('customers', 'products', 'stores', 'suppliers')
    and try_cast(regexp_extract(raw_text, '^"?([0-9]+)', 1) as bigint) is not null
