"""Store detail (drill-through target, `?store=`): KPIs, monthly sales, categories, deliveries
and shelf sensors of one store."""

import altair as alt
import streamlit as st

from analytics import charts, ui
from analytics.filters import PERIOD, SALES_DETAIL_CTE, SENSORS_CTE, SHIPMENTS_CTE, with_

ctx = ui.context()
gold, f = ctx.gold, ctx.slicers
code = st.query_params.get("store")
store = gold.frame("SELECT * FROM dim_store WHERE store_code = $code AND store_key <> -1", {"code": code})
if not code or store.empty:
    st.title("Store detail")
    ui.refreshed(gold.build)
    st.warning(f"No store {code!r} among the stores you can see. Open a store from the Executive or Operations page.")
    st.page_link("report_pages/operations.py", label="Back to Operations", icon=":material/arrow_back:")
    st.stop()
s = store.iloc[0]
ui.page_header(f"{s['store_name']} ({code})", ctx)
st.page_link("report_pages/operations.py", label="Back to Operations", icon=":material/arrow_back:")
st.markdown(
    f"**{s['region']} · {s['state']}** · {s['channel']} · {s['size_category']} · {s['operational_status']}"
    f" · opened {s['open_dt']}"
)
params = f.params(code=code)
totals = gold.frame(
    f"""{with_(SALES_DETAIL_CTE)}SELECT sum(net_amount_aud) AS net, count(DISTINCT order_number) AS orders,
               sum(quantity) AS units, count(DISTINCT customer_key) FILTER (WHERE customer_key <> -1) AS customers
        FROM sales WHERE store_code = $code AND {PERIOD}""",
    params,
)
shipping = gold.frame(
    f"""{with_(SHIPMENTS_CTE)}SELECT avg(delivery_days) FILTER (WHERE delivered_at IS NOT NULL) AS days,
               count(*) FILTER (WHERE on_time_flag) / nullif(count(on_time_flag), 0) AS on_time
        FROM shipments WHERE store_code = $code AND ship_date_key BETWEEN $start_key AND $end_key""",
    params,
)
net, orders, units, customers = (totals.iat[0, i] for i in range(4))
ui.kpis(
    [
        ("Net sales", ui.aud(float(net or 0)), None, "Σ net_amount_aud of the store's lines in the period."),
        ("Orders", ui.number(orders or 0), None, "Distinct orders."),
        ("Average order value", ui.aud(float(net) / orders if orders else None, 2), None, "Net sales / orders."),
        ("Customers", ui.number(customers or 0), None, "Distinct known customers."),
        ("On-time rate", ui.pct(shipping.iat[0, 1]), None, "Delivered within SLA / delivered with an SLA."),
    ]
)
monthly = gold.frame(
    f"""{with_(SALES_DETAIL_CTE)}SELECT strptime(CAST(date_key // 100 AS VARCHAR), '%Y%m') AS month, category,
               sum(net_amount_aud) AS net, count(DISTINCT order_number) AS orders
        FROM sales WHERE store_code = $code AND {PERIOD} GROUP BY ALL ORDER BY month""",
    params,
)
if not ui.nothing_selected(monthly, "sales in this store"):
    st.subheader("Monthly sales by category")
    st.altair_chart(
        alt.Chart(monthly)
        .mark_bar()
        .encode(
            x=alt.X("yearmonth(month):T", title=None),
            y=alt.Y("net:Q", title="Net sales (AUD)"),
            color=alt.Color("category:N", legend=alt.Legend(orient="bottom", title=None)),
            tooltip=[
                alt.Tooltip("yearmonth(month):T", title="Month"),
                alt.Tooltip("category:N"),
                alt.Tooltip("net:Q", title="Net sales (AUD)", format=",.0f"),
                alt.Tooltip("orders:Q", title="Orders", format=","),
            ],
        )
        .properties(height=260),
        width="stretch",
    )
st.subheader("Shelf sensors")
sensors = gold.frame(
    f"""{with_(SENSORS_CTE)}SELECT CAST(sensor_hour AS DATE) AS day, shelf_kind, avg(avg_temperature_c) AS temperature,
               sum(out_of_range_count) AS anomalies, sum(reading_count) AS readings
        FROM sensors WHERE store_code = $code AND {PERIOD} GROUP BY ALL ORDER BY day""",
    params,
)
if sensors.empty:
    st.info("This store has no shelf sensors in the period.")
else:
    st.altair_chart(
        alt.Chart(sensors)
        .mark_line()
        .encode(
            x=alt.X("day:T", title=None),
            y=alt.Y("temperature:Q", title="Average temperature (°C)"),
            color=alt.Color("shelf_kind:N", legend=alt.Legend(orient="bottom", title=None)),
            tooltip=[
                charts.tip("day", "Day", kind="temporal"),
                charts.tip("shelf_kind", "Shelf", kind="nominal"),
                charts.tip("temperature", "Avg °C", ".1f"),
                charts.tip("anomalies", "Anomalous readings", ","),
                charts.tip("readings", "Readings", ","),
            ],
        )
        .properties(height=240),
        width="stretch",
    )
