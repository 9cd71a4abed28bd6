{#
  The cleaned columns of a product / customer row, shared by the staging model of the
  current rows (stg_products, stg_customers) and of every delivered version
  (stg_products_history, stg_customers_history).
#}
{% macro product_columns() -%}
    product_id,
    {{ clean_text('sku') }} as sku,
    {{ clean_text('name') }} as product_name,
    {{ clean_text('category') }} as category,
    {{ clean_text('subcategory') }} as subcategory,
    current_price,
    upper({{ clean_text('currency') }}) as currency,
    coalesce(is_discontinued, false) as is_discontinued,
    introduced_dt,
    discontinued_dt,
    (current_price is null or current_price <= 0) as is_price_invalid,
    (coalesce(is_discontinued, false) and discontinued_dt is null) as is_discontinued_undated,
    {{ effective_from("coalesce(introduced_dt, date '1900-01-01')") }} as effective_from,
    {{ audit_columns() }}
{%- endmacro %}

{% macro customer_columns() -%}
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
    {{ age_in_years('birth_date', utc_today()) }} as customer_age,
    coalesce(is_vip, false) as is_vip,
    coalesce(gdpr_consent, false) as gdpr_consent,
    {{ is_valid_email("lower(" ~ clean_text('email') ~ ")") }} as is_email_valid,
    (
        {{ clean_text('phone') }} is null or {{ clean_text('address_line1') }} is null
        or ({{ clean_text('city') }} is null and {{ clean_text('postcode') }} is null)
    ) as is_contact_incomplete,
    {{ effective_from("coalesce(" ~ utc_timestamp('join_ts') ~ ", timestamp '1900-01-01')") }} as effective_from,
    {{ audit_columns() }}
{%- endmacro %}
