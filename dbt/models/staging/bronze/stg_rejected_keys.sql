-- Keys of dimension rows Bronze rejected (a value that does not cast, e.g. a price "N/A"):
-- the entity exists even though its row could not be typed, so a reference to it is
-- not an orphan. The key is the first field of the raw CSV record.
select distinct
    table_name,
    try_cast(regexp_extract(raw_text, '^"?([0-9]+)', 1) as bigint) as key_value,
    reason
from {{ source('bronze', 'rejects') }}
where
    table_name in ('customers', 'products', 'stores', 'suppliers')
    and try_cast(regexp_extract(raw_text, '^"?([0-9]+)', 1) as bigint) is not null
