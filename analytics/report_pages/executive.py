"""Executive: KPI cards (sales, orders, customers, YoY, AOV, YTD, MTD, rolling 30 days), the
sales trend, the top 10 products, sales by store on a map and the category split."""

from datetime import timedelta
from functools import partial

import streamlit as st

from analytics import charts, measures, ui
from analytics.filters import DAILY_CTE, PERIOD, SALES_CTE, date_key, with_

ctx = ui.context()
gold, f = ctx.gold, ctx.slicers
ui.page_header("Executive", ctx)

sales, prior = measures.total_sales(gold, f), measures.prior_year_sales(gold, f)
yoy = measures.yoy_pct(gold, f)
ui.kpis(
    [
        (
            "Net sales",
            ui.aud(sales),
            ui.pct(yoy, signed=True) + " YoY" if yoy is not None else None,
            measures.total_sales.__doc__,
        ),
        ("Orders", ui.number(measures.orders(gold, f)), None, measures.orders.__doc__),
        ("Active customers", ui.number(measures.active_customers(gold, f)), None, measures.active_customers.__doc__),
        ("YoY growth", ui.pct(yoy, signed=True), f"prior year {ui.aud(prior)}", measures.yoy_pct.__doc__),
    ]
)
ui.kpis(
    [
        (
            "Average order value",
            ui.aud(measures.average_order_value(gold, f), 2),
            None,
            measures.average_order_value.__doc__,
        ),
        ("Units sold", ui.number(measures.quantity(gold, f)), None, measures.quantity.__doc__),
        ("YTD sales", ui.aud(measures.ytd_sales(gold, f)), None, measures.ytd_sales.__doc__),
        ("MTD sales", ui.aud(measures.mtd_sales(gold, f)), None, measures.mtd_sales.__doc__),
        (
            "30-day average per day",
            ui.aud(measures.rolling_30d_average(gold, f)),
            None,
            measures.rolling_30d_average.__doc__,
        ),
    ]
)
if sales == 0:
    ui.nothing_selected(gold.frame("SELECT 1 WHERE false"), "sales")
    st.stop()

SALES = with_(SALES_CTE)
st.subheader("Sales trend")
# Daily sales from sales_daily; its orders add up over categories only for one category.
day_source, day_orders = (
    ("daily", "sum(orders)") if len(f.categories) <= 1 else ("sales", "count(DISTINCT order_number)")
)
trend = gold.frame(
    f"""{with_(SALES_CTE, DAILY_CTE)}, days AS (
            SELECT CAST(unnest(range($trend_start::TIMESTAMP, $end_date::TIMESTAMP + INTERVAL 1 DAY, INTERVAL 1 DAY))
                        AS DATE) AS day),
        per_day AS (SELECT CAST(strptime(CAST(date_key AS VARCHAR), '%Y%m%d') AS DATE) AS day,
                           sum(net_amount_aud) AS net, {day_orders} AS orders
                    FROM {day_source} WHERE date_key BETWEEN $trend_start_key AND $end_key GROUP BY 1),
        series AS (SELECT d.day, coalesce(x.net, 0) AS net, coalesce(x.orders, 0) AS orders,
                          avg(coalesce(x.net, 0)) OVER (ORDER BY d.day ROWS BETWEEN 29 PRECEDING AND CURRENT ROW)
                              AS rolling
                   FROM days AS d LEFT JOIN per_day AS x USING (day))
    SELECT day, net, orders, rolling FROM series WHERE day BETWEEN $start_date AND $end_date ORDER BY day""",
    f.params(trend_start=f.start - timedelta(days=29), trend_start_key=date_key(f.start - timedelta(days=29))),
)
st.altair_chart(
    charts.line(
        trend,
        "day",
        {"net": "Net sales per day", "rolling": "Rolling 30-day average"},
        [
            charts.tip("day", "Day", kind="temporal"),
            charts.tip("net", "Net sales (AUD)", charts.AUD),
            charts.tip("orders", "Orders", ","),
            charts.tip("rolling", "Rolling 30-day avg (AUD)", charts.AUD),
        ],
    ),
    width="stretch",
)

left, right = st.columns([3, 2])
with left:
    st.subheader("Top 10 products")
    # Sums per product version first, names after (a join over the aggregate, not over every
    # line); distinct orders are counted for the ten winners only.
    top = gold.frame(
        f"""{SALES}, by_key AS (
                SELECT product_key, sum(net_amount_aud) AS net, sum(quantity) AS units
                FROM sales WHERE {PERIOD} AND product_key <> -1 GROUP BY 1),
            ranked AS (
                SELECT p.sku, p.product_name, p.category, list(k.product_key) AS keys, sum(k.net) AS net,
                       sum(k.units) AS units, sum(k.net) / sum(sum(k.net)) OVER () AS share
                FROM by_key AS k JOIN dim_product AS p USING (product_key)
                GROUP BY ALL ORDER BY net DESC, sku LIMIT 10),
            top_keys AS (SELECT sku, unnest(keys) AS product_key FROM ranked),
            top_orders AS (
                SELECT t.sku, count(DISTINCT s.order_number) AS orders
                FROM sales AS s JOIN top_keys AS t USING (product_key) WHERE {PERIOD} GROUP BY 1)
            SELECT r.sku, r.product_name, r.category, r.net, r.units, o.orders, r.share
            FROM ranked AS r JOIN top_orders AS o USING (sku) ORDER BY r.net DESC, r.sku""",
        f.params(),
    )
    top["label"] = top["product_name"] + " (" + top["sku"] + ")"
    st.altair_chart(
        charts.bar(
            top,
            "net",
            "label",
            [
                charts.tip("product_name", "Product", kind="nominal"),
                charts.tip("sku", "SKU", kind="nominal"),
                charts.tip("category", "Category", kind="nominal"),
                charts.tip("net", "Net sales (AUD)", charts.AUD),
                charts.tip("units", "Units", ","),
                charts.tip("orders", "Orders", ","),
                charts.tip("share", "Share of net sales", ".1%"),
            ],
            color="category",
            selectable="sku",
        ),
        width="stretch",
        on_select=partial(ui.drill_from_chart, "top_products", "sku", "product_detail", "sku"),
        key="top_products",
    )
    ui.drill_box(
        "Drill through to a product (or click a bar)",
        dict(zip(top["sku"], top["label"], strict=True)),
        "exec_product",
        "product_detail",
        "sku",
    )
with right:
    st.subheader("Category split")
    split = gold.frame(
        f"""SELECT category, sum(net_amount_aud) AS net, sum(quantity) AS units,
                   net / sum(sum(net_amount_aud)) OVER () AS share
            FROM sales_daily WHERE NOT all_categories AND {PERIOD}
              AND (len($regions) = 0 OR list_contains($regions, region))
              AND (len($categories) = 0 OR list_contains($categories, category))
            GROUP BY 1 ORDER BY net DESC""",
        f.params(),
    )
    st.altair_chart(
        charts.donut(
            split,
            "net",
            "category",
            [
                charts.tip("category", "Category", kind="nominal"),
                charts.tip("net", "Net sales (AUD)", charts.AUD),
                charts.tip("share", "Share", ".1%"),
                charts.tip("units", "Units", ","),
            ],
        ),
        width="stretch",
    )

st.subheader("Sales by region")
stores = gold.frame(
    f"""{SALES}, cur AS (SELECT store_key, sum(net_amount_aud) AS net, count(DISTINCT order_number) AS orders
                      FROM sales WHERE {PERIOD} AND store_key <> -1 GROUP BY 1),
        prev AS (SELECT store_key, sum(net_amount_aud) AS prior FROM sales
                 WHERE date_key BETWEEN $prior_start_key AND $prior_end_key GROUP BY 1)
    SELECT cur.store_key, st.store_code, st.store_name, st.store_label, st.region, st.state, st.latitude,
           st.longitude, cur.net, cur.orders, cur.net / nullif(cur.orders, 0) AS aov,
           cur.net / nullif(prev.prior, 0) - 1 AS yoy
    FROM cur JOIN dim_store AS st USING (store_key) LEFT JOIN prev USING (store_key) ORDER BY net DESC, store_key""",
    f.params(),
)
placed = stores.dropna(subset=["latitude", "longitude"])
map_col, table_col = st.columns([3, 2])
with map_col:
    if placed.empty:
        st.info("No store with valid coordinates in the selection.")
    else:
        st.altair_chart(
            charts.store_map(
                placed,
                "net",
                "region",
                [
                    charts.tip("store_name", "Store", kind="nominal"),
                    charts.tip("store_code", "Code", kind="nominal"),
                    charts.tip("region", "Region", kind="nominal"),
                    charts.tip("state", "State", kind="nominal"),
                    charts.tip("net", "Net sales (AUD)", charts.AUD),
                    charts.tip("orders", "Orders", ","),
                    charts.tip("aov", "AOV (AUD)", ",.2f"),
                    charts.tip("yoy", "YoY", "+.1%"),
                ],
            ),
            width="stretch",
        )
    if len(placed) < len(stores):
        st.caption(f"{len(stores) - len(placed)} store(s) without valid coordinates are not on the map.")
with table_col:
    regions = stores.groupby("region", dropna=False, as_index=False)[["net", "orders"]].sum()
    st.altair_chart(
        charts.bar(
            regions,
            "net",
            "region",
            [
                charts.tip("region", "Region", kind="nominal"),
                charts.tip("net", "Net sales (AUD)", charts.AUD),
                charts.tip("orders", "Orders", ","),
            ],
            height=200,
        ),
        width="stretch",
    )
    ui.drill_box(
        "Drill through to a store",
        dict(zip(stores["store_key"], stores["store_label"], strict=True)),
        "exec_store",
        "store_detail",
        "store",
    )
