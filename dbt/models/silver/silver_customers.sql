-- One row per person (natural_key): the first registration, with how many more exist.
select
    c.*,
    count(*) over (partition by c.natural_key) - 1 as duplicate_registrations,
    c.is_email_valid as is_contactable_by_email
from {{ ref('stg_customers') }} as c
inner join {{ ref('silver_customer_id_map') }} as m using (customer_id)
where not m.is_duplicate_registration
