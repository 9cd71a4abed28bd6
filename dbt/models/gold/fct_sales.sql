-- Sales at order-line grain, with SPEC's measures in the order's currency and in AUD (the
-- order currency's rate on the order's UTC date). A line whose order, customer, store or
-- product reference is broken is kept with the unknown member (-1), so revenue is never
-- lost; lines that break a business rule are in silver.quarantine_order_lines, not here.
select
    l.order_id as order_number,
    l.line_number,
    coalesce(o.order_date_key, -1) as date_key,
    coalesce(o.customer_key, -1) as customer_key,
    coalesce(p.product_key, -1) as product_key,
    coalesce(o.store_key, -1) as store_key,
    o.order_ts,
    o.channel,
    o.currency,
    l.qty as quantity,
    l.unit_price,
    l.line_total,
    l.discount_amount,
    l.net_amount,
    l.tax_amount,
    l.net_amount + l.tax_amount as gross_amount,
    o.rate_to_aud,
    cast(l.line_total * o.rate_to_aud as decimal(18, 4)) as line_total_aud,
    cast(l.discount_amount * o.rate_to_aud as decimal(18, 4)) as discount_amount_aud,
    cast(l.net_amount * o.rate_to_aud as decimal(18, 4)) as net_amount_aud,
    cast(l.tax_amount * o.rate_to_aud as decimal(18, 4)) as tax_amount_aud,
    cast((l.net_amount + l.tax_amount) * o.rate_to_aud as decimal(18, 4)) as gross_amount_aud
from {{ ref('silver_order_lines') }} as l
left join {{ ref('int_order_keys') }} as o using (order_id)
left join {{ ref('dim_product') }} as p
    on
        l.product_id = p.product_id
        and cast(o.order_ts as timestamp) >= p.valid_from and cast(o.order_ts as timestamp) < p.valid_to
