with reason_codes as (
    select
        reason,
        min(return_reason_code) as reason_code
    from {{ ref('silver_returns') }}
    where return_reason_code is not null
    group by reason
),

sold as (
    select
        order_id,
        product_id,
        sum(net_amount) / sum(qty) as net_unit_price,
        sum(net_amount) as net_amount_sold,
        sum(qty) as qty_sold
    from {{ ref('silver_order_lines') }}
    group by order_id, product_id
),

returned as (
    select
        r.*,
        -- the product version of the sale: valid at the order time (the return time when
        -- the order is unknown)
        coalesce(o.order_ts_utc, {{ utc_timestamp('r.return_ts') }}) as version_at
    from {{ ref('silver_returns') }} as r
    left join {{ ref('int_order_keys') }} as o on r.order_id = o.order_id
)

select
    r.return_id,
    r.order_id as order_number,
    {{ date_key(utc_date('r.return_ts')) }} as return_date_key,
    case when o.order_id is null then -1 else o.customer_key end as customer_key,
    case when known.product_id is null then -1 else p.product_key end as product_key,
    case when o.order_id is null then -1 else o.store_key end as store_key,
    r.return_ts,
    o.order_ts,
    {{ date_diff_in('day', 'o.order_ts_utc', utc_timestamp('r.return_ts')) }} as days_since_order,
    r.reason as return_reason,
    coalesce(r.return_reason_code, rc.reason_code, 'UNKNOWN') as return_reason_code,
    r.qty as returned_quantity,
    o.currency,
    s.net_unit_price,
    -- qty * net_amount_sold / qty_sold, rounded exactly (the same cent on DuckDB and Spark)
    {{ exact_quotient('r.qty * s.net_amount_sold', 's.qty_sold', 4) }} as refund_amount,
    o.rate_to_aud,
    cast({{ exact_quotient('r.qty * s.net_amount_sold', 's.qty_sold', 4) }} * o.rate_to_aud as decimal(18, 4))
        as refund_amount_aud,
    s.order_id is not null as is_matched_to_sale
from returned as r
left join reason_codes as rc on r.reason = rc.reason
left join {{ ref('int_order_keys') }} as o on r.order_id = o.order_id
left join sold as s on r.order_id = s.order_id and r.product_id = s.product_id
left join {{ ref('stg_products') }} as known on r.product_id = known.product_id
left join {{ ref('dim_product') }} as p
    on r.product_id = p.product_id and r.version_at >= p.valid_from and r.version_at < p.valid_to
