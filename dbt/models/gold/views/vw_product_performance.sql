-- One row per product (its current version), sales over all its versions, and the return
-- rate = units returned / units sold.
with sales as (
    select
        p.product_id,
        count(distinct f.order_number) as orders,
        cast(sum(f.quantity) as bigint) as units_sold,
        sum(f.net_amount_aud) as net_sales_aud
    from {{ ref('fct_sales') }} as f
    inner join {{ ref('dim_product') }} as p using (product_key)
    group by 1
),

returns as (
    select
        p.product_id,
        count(*) as returns,
        cast(sum(r.returned_quantity) as bigint) as units_returned,
        sum(r.refund_amount_aud) as refunds_aud
    from {{ ref('fct_returns') }} as r
    inner join {{ ref('dim_product') }} as p using (product_key)
    group by 1
),

versions as (
    select
        product_id,
        count(*) as versions,
        count(*) filter (where is_price_changed) as price_changes
    from {{ ref('dim_product') }}
    group by 1
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
    coalesce(s.orders, 0) as orders,
    coalesce(s.units_sold, 0) as units_sold,
    coalesce(s.net_sales_aud, 0) as net_sales_aud,
    coalesce(r.returns, 0) as returns,
    coalesce(r.units_returned, 0) as units_returned,
    coalesce(r.refunds_aud, 0) as refunds_aud,
    round(coalesce(r.units_returned, 0) / nullif(s.units_sold, 0), 4) as return_rate
from {{ ref('dim_product') }} as p
inner join versions as v using (product_id)
left join sales as s using (product_id)
left join returns as r using (product_id)
where p.is_current and not p.is_unknown
