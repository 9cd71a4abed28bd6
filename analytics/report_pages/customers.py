"""Customers: segments, CLV distribution, new vs returning, VIP share and churn signals."""

import altair as alt
import pandas as pd
import streamlit as st

from analytics import charts, measures, ui
from analytics.filters import PERIOD, SALES_CTE, with_

ctx = ui.context()
gold, f = ctx.gold, ctx.slicers
ui.page_header("Customers", ctx)
SALES = with_(SALES_CTE)

active = measures.active_customers(gold, f)
new, returning = measures.new_and_returning_customers(gold, f)
ui.kpis(
    [
        ("Active customers", ui.number(active), None, measures.active_customers.__doc__),
        (
            "New customers",
            ui.number(new),
            ui.pct(new / active if active else None) + " of active" if active else None,
            measures.new_and_returning_customers.__doc__,
        ),
        ("Returning customers", ui.number(returning), None, measures.new_and_returning_customers.__doc__),
        (
            "Customer lifetime value",
            ui.aud(measures.customer_lifetime_value(gold, f)),
            None,
            measures.customer_lifetime_value.__doc__,
        ),
        ("VIP contribution", ui.pct(measures.vip_contribution(gold, f)), None, measures.vip_contribution.__doc__),
    ]
)
if active == 0:
    ui.nothing_selected(gold.frame("SELECT 1 WHERE false"), "customers")
    st.stop()

# One scan for the segment and VIP charts: a customer has one segment and one VIP flag, and an
# order one customer, so customers and orders per (segment, VIP) add up to either grouping.
groups = gold.frame(
    f"""{SALES}SELECT c.customer_segment AS segment,
               CASE WHEN c.is_vip THEN 'VIP' ELSE 'Other customers' END AS customer_type,
               count(DISTINCT s.customer_key) AS customers, sum(s.net_amount_aud) AS net,
               count(DISTINCT s.order_number) AS orders
        FROM sales AS s JOIN dim_customer AS c ON c.customer_key = s.customer_key
        WHERE {PERIOD} AND s.customer_key <> -1 GROUP BY 1, 2""",
    f.params(),
)


def shares(by: str) -> pd.DataFrame:
    """Customers, net sales, orders, AOV and share of net sales per value of `by`."""
    totals = groups.groupby(by, as_index=False, dropna=False)[["customers", "net", "orders"]].sum()
    totals["aov"] = totals["net"] / totals["orders"].where(totals["orders"] > 0)
    totals["share"] = totals["net"] / totals["net"].sum()
    return totals.sort_values("net", ascending=False)


left, right = st.columns(2)
with left:
    st.subheader("Segments")
    segments = shares("segment")
    st.altair_chart(
        charts.bar(
            segments,
            "net",
            "segment",
            [
                charts.tip("segment", "Segment", kind="nominal"),
                charts.tip("customers", "Customers", ","),
                charts.tip("net", "Net sales (AUD)", charts.AUD),
                charts.tip("orders", "Orders", ","),
                charts.tip("aov", "AOV (AUD)", ",.2f"),
                charts.tip("share", "Share of sales", ".1%"),
            ],
            color="segment",
            height=220,
        ),
        width="stretch",
    )
    st.caption("Segments from dim_customer: vip, new (joined in the last 90 days of data), active, lapsed, prospect.")
with right:
    st.subheader("VIP share")
    vip = shares("customer_type")
    st.altair_chart(
        charts.donut(
            vip,
            "net",
            "customer_type",
            [
                charts.tip("customer_type", "Customers", kind="nominal"),
                charts.tip("customers", "Count", ","),
                charts.tip("net", "Net sales (AUD)", charts.AUD),
                charts.tip("share", "Share of sales", ".1%"),
            ],
        ),
        width="stretch",
    )

st.subheader("Customer lifetime value distribution")
# Binned in SQL: the browser gets 40 bars, not one row per customer.
CLV_BINS = 40
clv = gold.frame(
    f"""{SALES}, active AS (SELECT DISTINCT customer_key FROM sales WHERE {PERIOD} AND customer_key <> -1),
        lifetimes AS (
            SELECT customer_key, sum(net_amount_aud) AS lifetime_net, count(DISTINCT order_number) AS orders
            FROM sales WHERE date_key <= $end_key AND customer_key IN (SELECT customer_key FROM active) GROUP BY 1),
        stats AS (SELECT greatest(max(lifetime_net), 1) / $bins AS width, median(lifetime_net) AS median,
                         quantile_cont(lifetime_net, 0.9) AS p90 FROM lifetimes)
    SELECT least(floor(l.lifetime_net / s.width), $bins - 1) * s.width AS bin_start,
           (least(floor(l.lifetime_net / s.width), $bins - 1) + 1) * s.width AS bin_end,
           count(*) AS customers, avg(l.orders) AS average_orders, any_value(s.median) AS median,
           any_value(s.p90) AS p90
    FROM lifetimes AS l, stats AS s GROUP BY 1, 2 ORDER BY 1""",
    f.params(bins=CLV_BINS),
)
st.altair_chart(
    alt.Chart(clv)
    .mark_bar(binSpacing=1)
    .encode(
        x=alt.X("bin_start:Q", title="Lifetime net sales per customer (AUD)"),
        x2="bin_end:Q",
        y=alt.Y("customers:Q", title="Customers"),
        y2=alt.datum(0),
        tooltip=[
            alt.Tooltip("bin_start:Q", title="Lifetime sales from (AUD)", format=",.0f"),
            alt.Tooltip("bin_end:Q", title="to (AUD)", format=",.0f"),
            alt.Tooltip("customers:Q", title="Customers", format=","),
            alt.Tooltip("average_orders:Q", title="Average orders", format=".1f"),
        ],
    )
    .properties(height=240),
    width="stretch",
)
st.caption(
    f"Median {ui.aud(clv['median'].iat[0])}, top 10% above {ui.aud(clv['p90'].iat[0])}; "
    "lifetime = every order line up to the end date (same region, category and store filters)."
)

st.subheader("New vs returning customers by month")
monthly = gold.frame(
    f"""{SALES}, firsts AS (SELECT customer_key, min(date_key) AS first_key FROM sales
                        WHERE date_key <= $end_key AND customer_key <> -1 GROUP BY 1),
        months AS (SELECT DISTINCT date_key // 100 AS month_key, customer_key FROM sales
                   WHERE {PERIOD} AND customer_key <> -1)
    SELECT strptime(CAST(m.month_key AS VARCHAR), '%Y%m') AS month,
           CASE WHEN x.first_key // 100 = m.month_key THEN 'new' ELSE 'returning' END AS kind,
           count(*) AS customers
    FROM months AS m JOIN firsts AS x USING (customer_key) GROUP BY ALL ORDER BY month""",
    f.params(),
)
st.altair_chart(
    alt.Chart(monthly)
    .mark_bar()
    .encode(
        x=alt.X("yearmonth(month):T", title=None),
        y=alt.Y("customers:Q", title="Customers"),
        color=alt.Color("kind:N", legend=alt.Legend(orient="bottom", title=None)),
        tooltip=[
            alt.Tooltip("yearmonth(month):T", title="Month"),
            alt.Tooltip("kind:N", title="Customers"),
            alt.Tooltip("customers:Q", title="Count", format=","),
        ],
    )
    .properties(height=240),
    width="stretch",
)

st.subheader("Churn signals")
RECENCY_BANDS = [
    (0, 30, "0-30 days"),
    (31, 90, "31-90 days"),
    (91, 180, "91-180 days (at risk)"),
    (181, 365, "181-365 days (lapsing)"),
    (366, 10**6, "over a year (churned)"),
]
# Each customer's last order up to the end date; the page gets the bands and the 15 most
# valuable customers at risk, not one row per customer (their orders are counted for those 15).
LAST_ORDERS = f"""{SALES}, last AS (
        SELECT customer_key, max(date_key) AS last_key, sum(net_amount_aud) AS lifetime_net
        FROM sales WHERE date_key <= $end_key AND customer_key <> -1 GROUP BY 1),
    recency AS (
        SELECT *, CAST(strptime(CAST(last_key AS VARCHAR), '%Y%m%d') AS DATE) AS last_order,
               date_diff('day', last_order, $end_date::DATE) AS days_since
        FROM last)
"""
recency = gold.frame(
    f"""{LAST_ORDERS}, bands AS (SELECT unnest($lows) AS low, unnest($highs) AS high, unnest($labels) AS recency)
    SELECT b.recency, count(r.customer_key) AS customers, coalesce(sum(r.lifetime_net), 0) AS value
    FROM bands AS b JOIN recency AS r ON r.days_since BETWEEN b.low AND b.high GROUP BY 1""",
    f.params(
        lows=[low for low, _, _ in RECENCY_BANDS],
        highs=[high for _, high, _ in RECENCY_BANDS],
        labels=[label for _, _, label in RECENCY_BANDS],
    ),
)
at_risk = gold.frame(
    f"""{LAST_ORDERS}, top AS (
            SELECT * FROM recency WHERE days_since BETWEEN 91 AND 365
            ORDER BY lifetime_net DESC, customer_key LIMIT 15),
        top_orders AS (
            SELECT customer_key, count(DISTINCT order_number) AS orders FROM sales
            WHERE date_key <= $end_key AND customer_key IN (SELECT customer_key FROM top) GROUP BY 1)
        SELECT r.customer_key AS customer_number, c.first_name || ' ' || c.last_name AS customer, c.city,
               c.customer_segment AS segment, o.orders, r.lifetime_net, r.last_order
        FROM top AS r JOIN top_orders AS o USING (customer_key)
        JOIN dim_customer AS c ON c.customer_key = r.customer_key
        ORDER BY r.lifetime_net DESC, r.customer_key""",
    f.params(),
)
left, right = st.columns([2, 3])
with left:
    st.altair_chart(
        charts.bar(
            recency,
            "customers",
            "recency",
            [
                charts.tip("recency", "Last order", kind="nominal"),
                charts.tip("customers", "Customers", ","),
                charts.tip("value", "Their lifetime sales (AUD)", charts.AUD),
            ],
            sort=[label for _, _, label in RECENCY_BANDS],
            height=200,
        ),
        width="stretch",
    )
    st.caption("Days from each customer's last order to the end date.")
with right:
    st.markdown("**Most valuable customers at risk** (last order 91-365 days before the end date)")
    if at_risk.empty:
        st.info("No customer at risk in the selection.")
    else:
        st.dataframe(
            at_risk,
            hide_index=True,
            width="stretch",
            column_config={"lifetime_net": st.column_config.NumberColumn("lifetime sales (AUD)", format="%.0f")},
        )
