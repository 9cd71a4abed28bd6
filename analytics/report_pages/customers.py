"""Customers: segments, CLV distribution, new vs returning, VIP share and churn signals."""

import altair as alt
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

left, right = st.columns(2)
with left:
    st.subheader("Segments")
    segments = gold.frame(
        f"""{SALES}SELECT c.customer_segment AS segment, count(DISTINCT s.customer_key) AS customers,
                   sum(s.net_amount_aud) AS net, count(DISTINCT s.order_number) AS orders,
                   net / nullif(orders, 0) AS aov, net / sum(sum(s.net_amount_aud)) OVER () AS share
            FROM sales AS s JOIN dim_customer AS c ON c.customer_key = s.customer_key
            WHERE {PERIOD} AND s.customer_key <> -1 GROUP BY 1 ORDER BY net DESC""",
        f.params(),
    )
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
    vip = gold.frame(
        f"""{SALES}SELECT CASE WHEN c.is_vip THEN 'VIP' ELSE 'Other customers' END AS customer_type,
                   count(DISTINCT s.customer_key) AS customers, sum(s.net_amount_aud) AS net,
                   net / sum(sum(s.net_amount_aud)) OVER () AS share
            FROM sales AS s JOIN dim_customer AS c ON c.customer_key = s.customer_key
            WHERE {PERIOD} AND s.customer_key <> -1 GROUP BY 1""",
        f.params(),
    )
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
clv = gold.frame(
    f"""{SALES}, active AS (SELECT DISTINCT customer_key FROM sales WHERE {PERIOD} AND customer_key <> -1)
        SELECT customer_key, sum(net_amount_aud) AS lifetime_net, count(DISTINCT order_number) AS orders
        FROM sales WHERE date_key <= $end_key AND customer_key IN (SELECT customer_key FROM active)
        GROUP BY 1""",
    f.params(),
)
st.altair_chart(
    alt.Chart(clv)
    .mark_bar()
    .encode(
        x=alt.X("lifetime_net:Q", bin=alt.Bin(maxbins=40), title="Lifetime net sales per customer (AUD)"),
        y=alt.Y("count():Q", title="Customers"),
        tooltip=[
            alt.Tooltip("lifetime_net:Q", bin=alt.Bin(maxbins=40), title="Lifetime sales (AUD)", format=",.0f"),
            alt.Tooltip("count():Q", title="Customers"),
            alt.Tooltip("mean(orders):Q", title="Average orders", format=".1f"),
        ],
    )
    .properties(height=240),
    width="stretch",
)
st.caption(
    f"Median {ui.aud(clv['lifetime_net'].median())}, top 10% above {ui.aud(clv['lifetime_net'].quantile(0.9))}; "
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
churn = gold.frame(
    f"""{SALES}, last AS (SELECT customer_key, max(date_key) AS last_key, sum(net_amount_aud) AS lifetime_net,
                              count(DISTINCT order_number) AS orders
                       FROM sales WHERE date_key <= $end_key AND customer_key <> -1 GROUP BY 1)
    SELECT l.customer_key AS customer_number, c.first_name || ' ' || c.last_name AS customer, c.city,
           c.customer_segment AS segment, c.is_vip, l.orders, l.lifetime_net,
           CAST(strptime(CAST(l.last_key AS VARCHAR), '%Y%m%d') AS DATE) AS last_order,
           date_diff('day', last_order, $end_date::DATE) AS days_since
    FROM last AS l JOIN dim_customer AS c ON c.customer_key = l.customer_key""",
    f.params(),
)
bands = [
    (0, 30, "0-30 days"),
    (31, 90, "31-90 days"),
    (91, 180, "91-180 days (at risk)"),
    (181, 365, "181-365 days (lapsing)"),
    (366, 10**6, "over a year (churned)"),
]
churn["recency"] = churn["days_since"].apply(lambda d: next(label for low, high, label in bands if low <= d <= high))
recency = churn.groupby("recency", as_index=False).agg(
    customers=("customer_number", "count"), value=("lifetime_net", "sum")
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
            sort=[label for _, _, label in bands],
            height=200,
        ),
        width="stretch",
    )
    st.caption("Days from each customer's last order to the end date.")
with right:
    at_risk = churn[churn["days_since"].between(91, 365)].nlargest(15, "lifetime_net")
    st.markdown("**Most valuable customers at risk** (last order 91-365 days before the end date)")
    if at_risk.empty:
        st.info("No customer at risk in the selection.")
    else:
        st.dataframe(
            at_risk[["customer_number", "customer", "city", "segment", "orders", "lifetime_net", "last_order"]],
            hide_index=True,
            width="stretch",
            column_config={"lifetime_net": st.column_config.NumberColumn("lifetime sales (AUD)", format="%.0f")},
        )
