"""Store detail (drill-through target, `?store=<store_key>`): KPIs, monthly sales, categories,
the store's public holidays, deliveries and shelf sensors of one store. A store is its key: two
stores may share a store code."""

import altair as alt
import pandas as pd
import streamlit as st

from analytics import charts, ui
from analytics.filters import PERIOD, SALES_DETAIL_CTE, SENSORS_CTE, SHIPMENTS_CTE, with_

ctx = ui.context()
gold, f = ctx.gold, ctx.slicers
wanted = st.query_params.get("store", "")
store_key = int(wanted) if wanted.lstrip("-").isdigit() else None
store = gold.frame("SELECT * FROM dim_store WHERE store_key = $store_key AND store_key <> -1", {"store_key": store_key})
if store.empty:
    st.title("Store detail")
    ui.refreshed(gold.build)
    st.warning(f"No store {wanted!r} among the stores you can see. Open a store from the Executive or Operations page.")
    st.page_link("report_pages/operations.py", label="Back to Operations", icon=":material/arrow_back:")
    st.stop()
s = store.iloc[0]
ui.page_header(s["store_label"], ctx)
st.page_link("report_pages/operations.py", label="Back to Operations", icon=":material/arrow_back:")
st.markdown(
    f"**{s['region']} · {s['state']}** · {s['channel']} · {s['size_category']}"
    + ("" if pd.isna(s["floor_area_sqm"]) else f" ({s['floor_area_sqm']:,.0f} m²)")  # none for a web shop
    + f" · {s['operational_status']} · opened {s['open_dt']}"
    + (" · shares its store code with another store" if s["is_store_code_shared"] else "")
)
params = f.params(store_key=store_key)
totals = gold.frame(
    f"""{with_(SALES_DETAIL_CTE)}SELECT sum(net_amount_aud) AS net, count(DISTINCT order_number) AS orders,
               sum(quantity) AS units, count(DISTINCT customer_key) FILTER (WHERE customer_key <> -1) AS customers
        FROM sales WHERE store_key = $store_key AND {PERIOD}""",
    params,
)
shipping = gold.frame(
    f"""{with_(SHIPMENTS_CTE)}SELECT avg(delivery_days) FILTER (WHERE delivered_at IS NOT NULL) AS days,
               count(*) FILTER (WHERE on_time_flag) / nullif(count(on_time_flag), 0) AS on_time
        FROM shipments WHERE store_key = $store_key AND ship_date_key BETWEEN $start_key AND $end_key""",
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
        FROM sales WHERE store_key = $store_key AND {PERIOD} GROUP BY ALL ORDER BY month""",
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
st.subheader("Public holidays")
# The store's calendar: its state's (public_holidays.subdivision), the nationwide one when the
# store has no state (as vw_sales_performance.is_store_holiday).
holidays = gold.frame(
    f"""{with_(SALES_DETAIL_CTE)}, days AS (
            SELECT date_key, sum(net_amount_aud) AS net FROM sales WHERE store_key = $store_key AND {PERIOD} GROUP BY 1)
        SELECT h.holiday_date, string_agg(h.holiday_name, '; ' ORDER BY h.holiday_name) AS holiday,
               coalesce(any_value(d.net), 0) AS net_sales_aud
        FROM public_holidays AS h
        JOIN dim_store AS st ON st.store_key = $store_key AND h.country_code = st.country_code
             AND h.subdivision IS NOT DISTINCT FROM st.state
        LEFT JOIN days AS d ON d.date_key = CAST(strftime(h.holiday_date, '%Y%m%d') AS INT)
        WHERE h.holiday_date BETWEEN $start_date AND $end_date GROUP BY 1 ORDER BY 1""",
    params,
)
if holidays.empty:
    st.info(f"No public holiday of {s['state'] or s['country_code']} in the period.")
else:
    per_day = float(net or 0) / f.days
    st.dataframe(
        holidays,
        hide_index=True,
        width="stretch",
        column_config={"net_sales_aud": st.column_config.NumberColumn("net sales (AUD)", format="%.0f")},
    )
    st.caption(
        f"Holidays of {s['state'] or s['country_code']} ({s['country_code']}) in the period; "
        f"an average day of the period sold {ui.aud(per_day)}."
    )
st.subheader("Shelf sensors")
sensors = gold.frame(
    f"""{with_(SENSORS_CTE)}SELECT CAST(sensor_hour AS DATE) AS day, shelf_kind, avg(avg_temperature_c) AS temperature,
               sum(out_of_range_count) AS anomalies, sum(reading_count) AS readings
        FROM sensors WHERE store_key = $store_key AND {PERIOD} GROUP BY ALL ORDER BY day""",
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
