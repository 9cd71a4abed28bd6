"""Product detail (drill-through target, `?sku=`): KPIs, daily sales, the SCD2 price history
and the order lines behind the numbers."""

import altair as alt
import streamlit as st

from analytics import charts, ui
from analytics.filters import ORDER_LINES_CTE, PERIOD, RETURNS_CTE, SALES_DETAIL_CTE, with_

ctx = ui.context()
gold, f = ctx.gold, ctx.slicers
sku = st.query_params.get("sku")
versions = gold.frame(
    """SELECT sku, product_name, category, subcategory, list_price, currency, is_discontinued,
              CAST(valid_from AS DATE) AS valid_from, CAST(valid_to AS DATE) AS valid_to, is_current,
              previous_price, price_change_pct
       FROM dim_product WHERE sku = $sku AND product_key <> -1 ORDER BY valid_from""",
    {"sku": sku},
)
if not sku or versions.empty:
    st.title("Product detail")
    ui.refreshed(gold.build)
    st.warning(f"No product with SKU {sku!r} in Gold. Open a product from the Executive or Products page.")
    st.page_link("report_pages/products.py", label="Back to Products", icon=":material/arrow_back:")
    st.stop()
current = versions.iloc[-1]
ui.page_header(f"{current['product_name']} ({sku})", ctx)
st.page_link("report_pages/products.py", label="Back to Products", icon=":material/arrow_back:")
params = f.params(sku=sku)
totals = gold.frame(
    f"""{with_(SALES_DETAIL_CTE, RETURNS_CTE)}SELECT sum(net_amount_aud) AS net, sum(quantity) AS units,
               count(DISTINCT order_number) AS orders,
               (SELECT sum(returned_quantity) FROM returns WHERE sku = $sku
                  AND order_date BETWEEN $start_date AND $end_date) AS units_returned
        FROM sales WHERE sku = $sku AND {PERIOD}""",
    params,
)
net, units, orders, returned = (totals.iat[0, i] for i in range(4))
ui.kpis(
    [
        ("Net sales", ui.aud(float(net or 0)), None, "Σ net_amount_aud of this product's lines in the period."),
        ("Units sold", ui.number(units or 0), None, "Σ quantity."),
        ("Orders", ui.number(orders or 0), None, "Distinct orders with this product."),
        (
            "Return rate",
            ui.pct(float(returned or 0) / units if units else None),
            None,
            "Units returned from orders of the period / units sold.",
        ),
        (
            "List price",
            f"{current['list_price']:,.2f} {current['currency']}" if current["list_price"] else "n/a",
            f"{len(versions) - 1} price change(s)" if len(versions) > 1 else None,
            "Current version of dim_product.",
        ),
    ]
)
st.markdown(
    f"**Category:** {current['category']} › {current['subcategory']}"
    + (" · discontinued" if current["is_discontinued"] else "")
)

daily = gold.frame(
    f"""{with_(ORDER_LINES_CTE)}SELECT CAST(strptime(CAST(date_key AS VARCHAR), '%Y%m%d') AS DATE) AS day,
               sum(net_amount_aud) AS net, sum(quantity) AS units, avg(unit_price) AS unit_price
        FROM order_lines WHERE sku = $sku AND {PERIOD} GROUP BY 1 ORDER BY 1""",
    params,
)
if not ui.nothing_selected(daily, "sales of this product"):
    st.altair_chart(
        alt.Chart(daily)
        .mark_bar()
        .encode(
            x=alt.X("day:T", title=None),
            y=alt.Y("net:Q", title="Net sales (AUD)"),
            tooltip=[
                charts.tip("day", "Day", kind="temporal"),
                charts.tip("net", "Net sales (AUD)", ",.2f"),
                charts.tip("units", "Units", ","),
                charts.tip("unit_price", "Avg unit price", ",.2f"),
            ],
        )
        .properties(height=220),
        width="stretch",
    )
st.subheader("Price history (SCD2 versions)")
st.dataframe(
    versions.drop(columns=["sku"]),
    hide_index=True,
    width="stretch",
    column_config={"price_change_pct": st.column_config.NumberColumn("change", format="percent")},
)
st.subheader("Order lines")
lines = gold.frame(
    f"""{with_(ORDER_LINES_CTE)}SELECT order_number, line_number, order_ts, store_key, store_label AS store, quantity,
               unit_price, currency, discount_amount, net_amount, net_amount_aud
        FROM order_lines WHERE sku = $sku AND {PERIOD} ORDER BY order_ts DESC, order_number, line_number LIMIT 500""",
    params,
)
if not ui.nothing_selected(lines, "order lines"):
    st.dataframe(
        lines,
        hide_index=True,
        width="stretch",
        column_config={"order_ts": st.column_config.DatetimeColumn("ordered (UTC)", format="YYYY-MM-DD HH:mm")},
    )
    st.caption(f"The latest {len(lines)} order lines of the period (at most 500).")
