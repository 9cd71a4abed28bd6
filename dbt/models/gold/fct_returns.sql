-- Returns (grain: return_id) tied to what was sold: customer, store and the product
-- version of the order, and a refund valued at the net unit price paid for that product
-- in that order (an order may hold the product on several lines: their net amount over
-- their quantity). A return whose order or sale line is unknown is kept with -1 keys and
-- a NULL refund, so no return is lost. Reason codes only exist from the schema change on;
-- earlier returns get the code the same reason text carries later.
with reason_codes as (
    select
        reason,
        min(return_reason_code) as reason_code
    from {{ ref('silver_returns') }}
    where return_reason_code is not null
    group by 1
),

sold as (
    select
        order_id,
        product_id,
        sum(net_amount) / sum(qty) as net_unit_price
    from {{ ref('silver_order_lines') }}
    group by 1, 2
)

select
    r.return_id,
    r.order_id as order_number,
    coalesce(d.date_key, -1) as return_date_key,
    coalesce(o.customer_key, -1) as customer_key,
    coalesce(p.product_key, -1) as product_key,
    coalesce(o.store_key, -1) as store_key,
    r.return_ts,
    o.order_ts,
    date_diff('day', o.order_ts, r.return_ts) as days_since_order,
    r.reason as return_reason,
    coalesce(r.return_reason_code, rc.reason_code, 'UNKNOWN') as return_reason_code,
    r.qty as returned_quantity,
    o.currency,
    s.net_unit_price,
    cast(r.qty * s.net_unit_price as decimal(18, 4)) as refund_amount,
    o.rate_to_aud,
    cast(r.qty * s.net_unit_price * o.rate_to_aud as decimal(18, 4)) as refund_amount_aud,
    s.order_id is not null as is_matched_to_sale
from {{ ref('silver_returns') }} as r
left join reason_codes as rc using (reason)
left join {{ ref('int_order_keys') }} as o on r.order_id = o.order_id
left join sold as s on r.order_id = s.order_id and r.product_id = s.product_id
left join {{ ref('dim_date') }} as d on d.calendar_date = cast(r.return_ts as date)
left join {{ ref('dim_product') }} as p
    on
        r.product_id = p.product_id
        and cast(coalesce(o.order_ts, r.return_ts) as timestamp) >= p.valid_from
        and cast(coalesce(o.order_ts, r.return_ts) as timestamp) < p.valid_to
