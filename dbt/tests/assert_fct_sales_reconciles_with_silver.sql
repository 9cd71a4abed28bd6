-- fct_sales holds exactly the valid Silver lines, and its amounts follow SPEC's
-- definitions: per order date, the line count, net amount and net amount in AUD are
-- recomputed here from the Silver lines, the Silver orders (UTC date, currency) and the
-- exchange rates, and compared with fct_sales (a tolerance of 0.0001 per line covers the
-- rounding of each line's amount to 4 decimals).
with recomputed as (
    select
        {{ date_key('o.order_date_utc') }} as date_key,
        count(*) as line_count,
        sum(l.qty * cast(l.unit_price as double) * (1 - cast(l.line_discount_pct as double))) as net_amount,
        sum(
            l.qty * cast(l.unit_price as double) * (1 - cast(l.line_discount_pct as double))
            * cast(r.rate_to_aud as double)
        ) as net_amount_aud
    from {{ ref('silver_order_lines') }} as l
    left join {{ ref('silver_orders') }} as o on l.order_id = o.order_id
    left join {{ ref('stg_exchange_rates') }} as r on o.currency = r.currency and o.order_date_utc = r.rate_date
    group by all
),

facts as (
    select
        date_key,
        count(*) as line_count,
        sum(net_amount) as net_amount,
        sum(net_amount_aud) as net_amount_aud
    from {{ ref('fct_sales') }}
    group by date_key
)

select
    coalesce(recomputed.date_key, facts.date_key) as date_key,
    recomputed.line_count as silver_lines,
    facts.line_count as fact_lines,
    recomputed.net_amount as silver_net,
    facts.net_amount as fact_net,
    recomputed.net_amount_aud as silver_net_aud,
    facts.net_amount_aud as fact_net_aud
from recomputed
full outer join facts on recomputed.date_key = facts.date_key
where
    recomputed.line_count is distinct from facts.line_count
    or abs(recomputed.net_amount - facts.net_amount) > 0.0001 * recomputed.line_count
    or abs(coalesce(recomputed.net_amount_aud, 0) - coalesce(facts.net_amount_aud, 0)) > 0.0001 * recomputed.line_count
    or (recomputed.net_amount_aud is null) <> (facts.net_amount_aud is null)
