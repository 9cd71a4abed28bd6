with sales as (
    select
        customer_key,
        count(distinct order_number) as order_count,
        sum(net_amount_aud) as net_sales_aud,
        min(order_ts) as first_order_at,
        max(order_ts) as last_order_at
    from {{ ref('fct_sales') }}
    group by customer_key
),

returned as (
    select
        customer_key,
        count(*) as return_count,
        cast(sum(returned_quantity) as bigint) as units_returned,
        sum(refund_amount_aud) as refunds_aud
    from {{ ref('fct_returns') }}
    group by customer_key
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
    coalesce(s.order_count, 0) as orders,
    coalesce(s.net_sales_aud, 0) as lifetime_value_aud,
    round(s.net_sales_aud / nullif(s.order_count, 0), 2) as average_order_value_aud,
    {{ utc_date('s.first_order_at') }} as first_order_date,
    {{ utc_date('s.last_order_at') }} as last_order_date,
    {{ date_diff_in('day', utc_timestamp('s.last_order_at'), utc_timestamp('e.as_of')) }} as days_since_last_order,
    coalesce(r.return_count, 0) as returns,
    coalesce(r.units_returned, 0) as units_returned,
    coalesce(r.refunds_aud, 0) as refunds_aud,
    round(coalesce(r.refunds_aud, 0) / nullif(s.net_sales_aud, 0), 4) as refund_rate
from {{ ref('dim_customer') }} as c
cross join data_end as e
left join sales as s on c.customer_key = s.customer_key
left join returned as r on c.customer_key = r.customer_key
where not c.is_unknown
