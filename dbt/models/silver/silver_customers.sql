select
    c.*,
    m.registrations - 1 as duplicate_registrations,
    c.is_email_valid as is_contactable_by_email
from {{ ref('stg_customers') }} as c
inner join {{ ref('silver_customer_id_map') }} as m on c.customer_id = m.customer_id
where not m.is_duplicate_registration
