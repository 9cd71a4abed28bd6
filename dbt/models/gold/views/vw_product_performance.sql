with sales as (
    select
        p.product_id,
        count(distinct f.order_number) as order_count,
        cast(sum(f.quantity) as bigint) as units_sold,
        sum(f.net_amount_aud) as net_sales_aud
    from {{ ref('fct_sales') }} as f
    inner join {{ ref('dim_product') }} as p on f.product_key = p.product_key
    group by p.product_id
),

returned as (
    select
        p.product_id,
        count(*) as return_count,
        cast(sum(r.returned_quantity) as bigint) as units_returned,
        sum(r.refund_amount_aud) as refunds_aud
    from {{ ref('fct_returns') }} as r
    inner join {{ ref('dim_product') }} as p on r.product_key = p.product_key
    group by p.product_id
),

versions as (
    select
        product_id,
        count(*) filter (where is_price_changed) as price_changes
    from {{ ref('dim_product') }}
    group by product_id
)

select
    p.sku,
    p.product_name as product,
    p.category,
    p.subcategory,
    p.list_price,
    p.currency as list_price_currency,
    p.is_discontinued,
    p.introduced_dt as introduced_on,
    v.price_changes,
    coalesce(s.order_count, 0) as orders,
    coalesce(s.units_sold, 0) as units_sold,
    coalesce(s.net_sales_aud, 0) as net_sales_aud,
    coalesce(r.return_count, 0) as returns,
    coalesce(r.units_returned, 0) as units_returned,
    coalesce(r.refunds_aud, 0) as refunds_aud,
    round(coalesce(r.units_returned, 0) / nullif(s.units_sold, 0), 4) as return_rate
from {{ ref('dim_product') }} as p
inner join versions as v on p.product_id = v.product_id
left join sales as s on p.product_id = s.product_id
left join returned as r on p.product_id = r.product_id
where p.is_current and not p.is_unknown
