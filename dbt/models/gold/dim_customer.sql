with orders as (
    select
        survivor_customer_id as customer_id,
        max(order_date_utc) as last_order_date,
        count(*) as orders
    from {{ ref('silver_orders') }}
    where survivor_customer_id is not null
    group by survivor_customer_id
),

data_end as (
    select max(order_date_utc) as as_of from {{ ref('silver_orders') }}
)

select
    c.customer_id as customer_key,
    c.customer_id,
    c.natural_key,
    c.first_name,
    c.last_name,
    case when c.gdpr_consent then c.email else {{ pseudonym("coalesce(c.email, '')") }} end as email,
    case when c.gdpr_consent then c.phone else '*** *** ' || right(c.phone, 3) end as phone,
    case when c.gdpr_consent then c.address_line1 end as address_line1,
    case when c.gdpr_consent then c.address_line2 end as address_line2,
    c.city,
    c.state_region,
    case when c.gdpr_consent then c.postcode end as postcode,
    c.country_code,
    case when c.gdpr_consent then c.latitude end as latitude,
    case when c.gdpr_consent then c.longitude end as longitude,
    c.customer_age,
    {{ date_diff_in('day', utc_date('c.join_ts'), 'e.as_of') }} as customer_lifetime_days,
    case
        when c.is_vip then 'vip'
        when {{ date_diff_in('day', utc_date('c.join_ts'), 'e.as_of') }} <= 90 then 'new'
        when o.last_order_date >= e.as_of - interval 90 day then 'active'
        when o.last_order_date is not null then 'lapsed'
        else 'prospect'
    end as customer_segment,
    coalesce(o.orders, 0) as lifetime_orders,
    c.is_vip,
    c.gdpr_consent,
    c.is_contactable_by_email and c.gdpr_consent as is_contactable,
    false as is_unknown
from {{ ref('silver_customers') }} as c
cross join data_end as e
left join orders as o on c.customer_id = o.customer_id
union all
select
    -1 as customer_key,
    null as customer_id,
    'UNKNOWN' as natural_key,
    null as first_name,
    null as last_name,
    null as email,
    null as phone,
    null as address_line1,
    null as address_line2,
    null as city,
    null as state_region,
    null as postcode,
    null as country_code,
    null as latitude,
    null as longitude,
    null as customer_age,
    null as customer_lifetime_days,
    'unknown' as customer_segment,
    0 as lifetime_orders,
    false as is_vip,
    false as gdpr_consent,
    false as is_contactable,
    true as is_unknown
