-- One row per customer: profile (masked as in dim_customer), lifetime value and returns.
with sales as (
    select
        customer_key,
        count(distinct order_number) as orders,
        sum(net_amount_aud) as net_sales_aud,
        min(order_ts) as first_order_at,
        max(order_ts) as last_order_at
    from {{ ref('fct_sales') }}
    group by 1
),

returns as (
    select
        customer_key,
        count(*) as returns,
        cast(sum(returned_quantity) as bigint) as units_returned,
        sum(refund_amount_aud) as refunds_aud
    from {{ ref('fct_returns') }}
    group by 1
),

data_end as (
    select max(order_ts) as as_of from {{ ref('fct_sales') }}
)

select
    c.customer_id as customer_number,
    c.first_name,
    c.last_name,
    c.email,
    c.phone,
    c.city,
    c.state_region as state,
    c.country_code as country,
    c.customer_age as age,
    c.customer_segment as segment,
    c.is_vip,
    c.gdpr_consent as has_marketing_consent,
    c.is_contactable,
    c.customer_lifetime_days as customer_for_days,
    coalesce(s.orders, 0) as orders,
    coalesce(s.net_sales_aud, 0) as lifetime_value_aud,
    round(s.net_sales_aud / nullif(s.orders, 0), 2) as average_order_value_aud,
    cast(s.first_order_at as date) as first_order_date,
    cast(s.last_order_at as date) as last_order_date,
    date_diff('day', s.last_order_at, e.as_of) as days_since_last_order,
    coalesce(r.returns, 0) as returns,
    coalesce(r.units_returned, 0) as units_returned,
    coalesce(r.refunds_aud, 0) as refunds_aud,
    round(coalesce(r.refunds_aud, 0) / nullif(s.net_sales_aud, 0), 4) as refund_rate
from {{ ref('dim_customer') }} as c
cross join data_end as e
left join sales as s using (customer_key)
left join returns as r using (customer_key)
where not c.is_unknown
