"""Operations: delivery performance, shipping cost trend, carriers against their SLA, shelf
sensor alerts, a store heatmap and supplier lead times."""

from functools import partial

import altair as alt
import streamlit as st

from analytics import charts, measures, ui
from analytics.filters import PERIOD, SALES_CTE, SENSORS_CTE, SHIPMENTS_CTE, with_

ctx = ui.context()
gold, f = ctx.gold, ctx.slicers
ui.page_header("Operations", ctx)
SHIPPED = "ship_date_key BETWEEN $start_key AND $end_key"

totals = measures.shipment_totals(gold, f)
sensor_totals = gold.frame(
    f"""SELECT sum(reading_count) AS readings, sum(out_of_range_count) AS anomalies FROM sensor_daily
        WHERE {PERIOD} AND (len($regions) = 0 OR list_contains($regions, region))""",
    f.params(),
)
shipments, cost, overdue = totals["shipments"], totals["cost"], totals["overdue"]
readings, anomalies = sensor_totals.iat[0, 0], sensor_totals.iat[0, 1]
ui.kpis(
    [
        (
            "Average delivery days",
            ui.number(measures.average_delivery_days(gold, f), 2),
            None,
            measures.average_delivery_days.__doc__,
        ),
        ("On-time rate", ui.pct(measures.on_time_rate(gold, f)), None, measures.on_time_rate.__doc__),
        (
            "Shipments",
            ui.number(shipments),
            f"{int(overdue or 0):,} overdue" if overdue else None,
            "Shipments shipped in the period (fct_shipments.ship_date_key); overdue: in transit past the carrier SLA.",
        ),
        ("Shipping cost", ui.aud(float(cost or 0)), None, "Σ fct_shipments.shipping_cost_aud, shipped in the period."),
        (
            "Sensor anomaly rate",
            ui.pct(anomalies / readings if readings else None, 2),
            None,
            "Σ out_of_range_count / Σ reading_count of fct_sensor_readings in the period.",
        ),
    ]
)

monthly = gold.frame(
    f"""{with_(SHIPMENTS_CTE)}SELECT date_trunc('month', shipped_at) AS month, count(*) AS shipments,
               count(*) FILTER (WHERE on_time_flag) / nullif(count(on_time_flag), 0) AS on_time_rate,
               avg(delivery_days) AS delivery_days, sum(shipping_cost_aud) AS cost,
               sum(shipping_cost_aud) / count(*) AS cost_per_shipment
        FROM shipments WHERE {SHIPPED} GROUP BY 1 ORDER BY 1""",
    f.params(),
)
if ui.nothing_selected(monthly, "shipments"):
    st.stop()
month_tips = [
    alt.Tooltip("yearmonth(month):T", title="Month"),
    alt.Tooltip("shipments:Q", title="Shipments", format=","),
    alt.Tooltip("on_time_rate:Q", title="On-time rate", format=".1%"),
    alt.Tooltip("delivery_days:Q", title="Avg delivery days", format=".2f"),
    alt.Tooltip("cost:Q", title="Shipping cost (AUD)", format=",.0f"),
    alt.Tooltip("cost_per_shipment:Q", title="Cost per shipment (AUD)", format=",.2f"),
]
left, right = st.columns(2)
with left:
    st.subheader("Delivery performance")
    base = alt.Chart(monthly).encode(x=alt.X("yearmonth(month):T", title=None), tooltip=month_tips)
    st.altair_chart(
        alt.layer(
            base.mark_bar(opacity=0.35, color="#1f6fb2").encode(y=alt.Y("delivery_days:Q", title="Avg delivery days")),
            base.mark_line(point=True, color="#d1495b").encode(
                y=alt.Y("on_time_rate:Q", title="On-time rate", axis=alt.Axis(format="%"))
            ),
        )
        .resolve_scale(y="independent")
        .properties(height=260),
        width="stretch",
    )
with right:
    st.subheader("Shipping cost trend")
    base = alt.Chart(monthly).encode(x=alt.X("yearmonth(month):T", title=None), tooltip=month_tips)
    st.altair_chart(
        alt.layer(
            base.mark_area(opacity=0.35).encode(y=alt.Y("cost:Q", title="Shipping cost (AUD)")),
            base.mark_line(point=True, color="#2e7d32").encode(
                y=alt.Y("cost_per_shipment:Q", title="Cost per shipment (AUD)")
            ),
        )
        .resolve_scale(y="independent")
        .properties(height=260),
        width="stretch",
    )

st.subheader("Carriers against their SLA")
carriers = gold.frame(
    f"""{with_(SHIPMENTS_CTE)}SELECT carrier, any_value(sla_days) AS sla_days, count(*) AS shipments,
               count(*) FILTER (WHERE sla_status = 'on_time') AS on_time,
               count(*) FILTER (WHERE sla_status = 'late') AS late,
               count(*) FILTER (WHERE sla_status = 'in_transit') AS in_transit,
               count(*) FILTER (WHERE sla_status = 'overdue') AS overdue,
               count(*) FILTER (WHERE on_time_flag) / nullif(count(on_time_flag), 0) AS on_time_rate,
               avg(delivery_days) AS avg_days, quantile_cont(delivery_days, 0.9) AS p90_days,
               sum(shipping_cost_aud) / count(*) AS cost_per_shipment
        FROM shipments WHERE {SHIPPED} GROUP BY 1 ORDER BY shipments DESC""",
    f.params(),
)
status = carriers.melt(
    id_vars=["carrier"], value_vars=["on_time", "late", "in_transit", "overdue"], var_name="status", value_name="count"
)
left, right = st.columns([3, 2])
with left:
    st.altair_chart(
        alt.Chart(status)
        .mark_bar()
        .encode(
            y=alt.Y("carrier:N", sort="-x", title=None),
            x=alt.X("count:Q", stack="normalize", title="Share of shipments", axis=alt.Axis(format="%")),
            color=alt.Color(
                "status:N",
                scale=alt.Scale(
                    domain=["on_time", "late", "in_transit", "overdue"],
                    range=["#2e7d32", "#d1495b", "#9e9e9e", "#f0a202"],
                ),
                legend=alt.Legend(orient="bottom", title=None),
            ),
            tooltip=[alt.Tooltip("carrier:N"), alt.Tooltip("status:N"), alt.Tooltip("count:Q", format=",")],
        )
        .properties(height=max(160, 26 * len(carriers))),
        width="stretch",
    )
with right:
    st.dataframe(
        carriers[["carrier", "sla_days", "shipments", "on_time_rate", "avg_days", "p90_days", "cost_per_shipment"]],
        hide_index=True,
        width="stretch",
        column_config={
            "on_time_rate": st.column_config.NumberColumn("on-time", format="percent"),
            "avg_days": st.column_config.NumberColumn("avg days", format="%.2f"),
            "p90_days": st.column_config.NumberColumn("p90 days", format="%.2f"),
            "cost_per_shipment": st.column_config.NumberColumn("AUD / shipment", format="%.2f"),
        },
    )

st.subheader("Store heatmap")
heat = gold.frame(
    f"""{with_(SALES_CTE)}, top AS (SELECT store_key FROM sales WHERE {PERIOD} AND store_key <> -1
                                 GROUP BY 1 ORDER BY sum(net_amount_aud) DESC, store_key LIMIT 25),
        monthly AS (SELECT store_key, date_key // 100 AS month_key, sum(net_amount_aud) AS net,
                           count(DISTINCT order_number) AS orders
                    FROM sales WHERE {PERIOD} AND store_key IN (SELECT store_key FROM top) GROUP BY ALL)
    SELECT m.store_key, st.store_label AS store, st.region,
           strftime(strptime(CAST(m.month_key AS VARCHAR), '%Y%m'), '%Y-%m') AS month, m.net, m.orders
    FROM monthly AS m JOIN dim_store AS st USING (store_key)""",
    f.params(),
)
st.altair_chart(
    charts.heatmap(
        heat,
        "month",
        "store",
        "net",
        [
            charts.tip("store", "Store", kind="nominal"),
            charts.tip("region", "Region", kind="nominal"),
            charts.tip("month", "Month", kind="ordinal"),
            charts.tip("net", "Net sales (AUD)", charts.AUD),
            charts.tip("orders", "Orders", ","),
        ],
    ).add_params(alt.selection_point(name="pick", fields=["store_key"], on="click")),
    width="stretch",
    on_select=partial(ui.drill_from_chart, "store_heat", "store_key", "store_detail", "store"),
    key="store_heat",
)
ui.follow_drill()
st.caption("Net sales per store and month (the 25 largest stores of the selection). Click a row to open the store.")
stores = heat.drop_duplicates("store_key")
ui.drill_box(
    "Drill through to a store",
    dict(zip(stores["store_key"], stores["store"], strict=True)),
    "ops_store",
    "store_detail",
    "store",
)

st.subheader("Sensor alerts")
alerts = gold.frame(
    f"""{with_(SENSORS_CTE)}SELECT store_key, any_value(store_label) AS store, shelf_id,
               any_value(shelf_kind) AS shelf_kind,
               count(*) FILTER (WHERE has_anomaly) AS alert_hours, sum(out_of_range_count) AS anomalous_readings,
               sum(reading_count) AS readings, max(sensor_hour) FILTER (WHERE has_anomaly) AS last_alert,
               min(min_battery_mv) AS lowest_battery_mv, max(max_temperature_c) AS max_temperature_c
        FROM sensors WHERE {PERIOD} GROUP BY store_key, shelf_id HAVING alert_hours > 0
        ORDER BY anomalous_readings DESC LIMIT 50""",
    f.params(),
)
if alerts.empty:
    st.info("No shelf sensor alert in the selection (or no instrumented store in it).")
else:
    st.dataframe(
        alerts,
        hide_index=True,
        width="stretch",
        column_config={"last_alert": st.column_config.DatetimeColumn("last alert (UTC)", format="YYYY-MM-DD HH:mm")},
    )
    st.caption("Shelves with hours holding a reading outside the physical range (fct_sensor_readings.has_anomaly).")

st.subheader("Supplier lead times")
suppliers = gold.frame(
    "SELECT region, supplier_tier, lead_time_days, is_preferred FROM dim_supplier WHERE supplier_key <> -1"
)
if suppliers.empty:
    st.info("No supplier in Gold.")
else:
    st.altair_chart(
        alt.Chart(suppliers)
        .mark_boxplot(extent="min-max")
        .encode(
            x=alt.X("lead_time_days:Q", title="Lead time (days)"),
            y=alt.Y("region:N", title=None),
            color=alt.Color("region:N", legend=None),
            tooltip=[alt.Tooltip("region:N"), alt.Tooltip("lead_time_days:Q", title="Lead time (days)")],
        )
        .properties(height=220),
        width="stretch",
    )
    tiers = suppliers.groupby(["supplier_tier"], as_index=False).agg(
        suppliers=("lead_time_days", "count"),
        average_days=("lead_time_days", "mean"),
        preferred=("is_preferred", "sum"),
    )
    st.dataframe(tiers, hide_index=True, width="stretch")
    st.caption("Suppliers are reference data (dim_supplier): no order or product links to a supplier in the sources.")
