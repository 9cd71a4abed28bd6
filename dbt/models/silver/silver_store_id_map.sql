-- Every store_id and the id that survives de-duplication by store_code (the lowest id:
-- the store that held the code first).
select
    store_id,
    store_code,
    min(store_id) over (partition by store_code) as survivor_store_id,
    store_id <> min(store_id) over (partition by store_code) as is_duplicate_code
from {{ ref('stg_stores') }}
