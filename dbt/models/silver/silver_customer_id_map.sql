select
    customer_id,
    natural_key,
    first_value(customer_id) over registrations as survivor_customer_id,
    row_number() over registrations > 1 as is_duplicate_registration,
    count(*) over (partition by natural_key) as registrations
from {{ ref('stg_customers') }}
window registrations as (partition by natural_key order by join_ts, customer_id)
