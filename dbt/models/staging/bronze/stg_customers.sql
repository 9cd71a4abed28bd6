with source as (
    select * from {{ source('bronze', 'customers') }}
)

select
    customer_id,
    {{ clean_text('natural_key') }} as natural_key,
    {{ clean_text('first_name') }} as first_name,
    {{ clean_text('last_name') }} as last_name,
    lower({{ clean_text('email') }}) as email,
    {{ clean_text('phone') }} as phone,
    {{ clean_text('address_line1') }} as address_line1,
    {{ clean_text('address_line2') }} as address_line2,
    {{ clean_text('city') }} as city,
    {{ clean_text('state_region') }} as state_region,
    {{ clean_text('postcode') }} as postcode,
    upper({{ clean_text('country_code') }}) as country_code,
    latitude,
    longitude,
    birth_date,
    join_ts,
    date_diff('year', birth_date, current_date) - case
        when strftime(current_date, '%m%d') < strftime(birth_date, '%m%d') then 1 else 0
    end as customer_age,
    coalesce(is_vip, false) as is_vip,
    coalesce(gdpr_consent, false) as gdpr_consent,
    {{ is_valid_email("lower(" ~ clean_text('email') ~ ")") }} as is_email_valid,
    (
        {{ clean_text('phone') }} is null or {{ clean_text('address_line1') }} is null
        or ({{ clean_text('city') }} is null and {{ clean_text('postcode') }} is null)
    ) as is_contact_incomplete,
    {{ effective_from("coalesce(join_ts, timestamp '1900-01-01')") }} as effective_from,
    {{ audit_columns() }}
from source
