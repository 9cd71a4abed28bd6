-- Every customer_id and the id that survives de-duplication by natural_key: the first
-- registration (earliest join_ts, then lowest id). Later registrations map onto it.
select
    customer_id,
    natural_key,
    first_value(customer_id) over (
        partition by natural_key order by join_ts, customer_id
    ) as survivor_customer_id,
    row_number() over (partition by natural_key order by join_ts, customer_id) > 1 as is_duplicate_registration
from {{ ref('stg_customers') }}
