select
    table_name,
    try_cast(regexp_extract(raw_text, '^"?([0-9]+)', 1) as bigint) as key_value,
    reason,
    -- the newest load that rejected the key: incremental models re-key its references
    max(_dlt_load_id) as bronze_load_id
from {{ source('bronze', 'rejects') }}
where
    table_name in ('customers', 'products', 'stores', 'suppliers')
    and try_cast(regexp_extract(raw_text, '^"?([0-9]+)', 1) as bigint) is not null
group by all
