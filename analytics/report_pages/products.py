"""Products: revenue vs margin, category drill-down (category -> subcategory -> product -> order
lines), price-change impact from the SCD2 product history, ABC analysis and a what-if."""

from functools import partial

import altair as alt
import streamlit as st

from analytics import charts, measures, ui
from analytics.filters import PERIOD, RETURNS_CTE, SALES_CTE, with_

ctx = ui.context()
gold, f = ctx.gold, ctx.slicers
ui.page_header("Products", ctx)

with st.sidebar:
    st.subheader("Margin assumption")
    cost_pct = st.slider(
        "Cost of goods, % of the undiscounted price",
        10,
        90,
        int(measures.DEFAULT_COST_RATIO * 100),
        key="cost_pct",
        help="Gold has no cost data: margin = net sales − this share × the undiscounted line value.",
    )
cost_ratio = cost_pct / 100

sales = measures.total_sales(gold, f)
margin = measures.estimated_margin(gold, f, cost_ratio)
ui.kpis(
    [
        ("Net sales", ui.aud(sales), None, measures.total_sales.__doc__),
        ("Units sold", ui.number(measures.quantity(gold, f)), None, measures.quantity.__doc__),
        (
            "Estimated margin",
            ui.aud(margin),
            ui.pct(margin / sales if sales else None) + " of sales" if sales else None,
            measures.estimated_margin.__doc__,
        ),
        ("Return rate", ui.pct(measures.return_rate(gold, f)), None, measures.return_rate.__doc__),
    ]
)
if sales == 0:
    ui.nothing_selected(gold.frame("SELECT 1 WHERE false"), "sales")
    st.stop()

# Sums per product version first, its SKU and names after (a join over the aggregate, not over
# every line).
products = gold.frame(
    f"""{with_(SALES_CTE, RETURNS_CTE)}, by_key AS (
            SELECT product_key, sum(net_amount_aud) AS net, sum(line_total_aud) AS base, sum(quantity) AS units
            FROM sales WHERE {PERIOD} AND product_key <> -1 GROUP BY 1),
        sold AS (
            SELECT p.sku, any_value(p.product_name) AS product, any_value(p.category) AS category,
                   any_value(p.subcategory) AS subcategory, sum(k.net) AS net, sum(k.base) AS base,
                   sum(k.units) AS units
            FROM by_key AS k JOIN dim_product AS p ON p.product_key = k.product_key GROUP BY p.sku),
        returned AS (SELECT sku, sum(returned_quantity) AS units_returned FROM returns
                     WHERE order_date BETWEEN $start_date AND $end_date GROUP BY 1)
    SELECT s.*, s.net - $cost_ratio * s.base AS margin, (s.net - $cost_ratio * s.base) / s.net AS margin_pct,
           coalesce(r.units_returned, 0) / s.units AS return_rate
    FROM sold AS s LEFT JOIN returned AS r USING (sku) ORDER BY net DESC""",
    f.params(cost_ratio=cost_ratio),
)
product_tips = [
    charts.tip("product", "Product", kind="nominal"),
    charts.tip("sku", "SKU", kind="nominal"),
    charts.tip("category", "Category", kind="nominal"),
    charts.tip("net", "Net sales (AUD)", charts.AUD),
    charts.tip("margin", "Est. margin (AUD)", charts.AUD),
    charts.tip("margin_pct", "Margin %", ".1%"),
    charts.tip("units", "Units", ","),
    charts.tip("return_rate", "Return rate", ".1%"),
]

# The browser draws at most this many marks per chart: tens of thousands of points with
# tooltips kept Chromium busy for seconds after the page had rendered (and so delayed the next
# page); the best sellers are the points a reader can tell apart anyway.
MAX_POINTS = 1000

st.subheader("Revenue vs margin")
pick = alt.selection_point(name="pick", fields=["sku"], on="click")
scatter = products.nlargest(MAX_POINTS, "net")
st.altair_chart(
    alt.Chart(scatter)
    .mark_circle(opacity=0.7)
    .encode(
        x=alt.X(
            "net:Q",
            title="Net sales (AUD)",
            # the shown products' range, not from zero: the best sellers would crowd one edge
            scale=alt.Scale(
                type="symlog", domain=[float(scatter["net"].min()), float(scatter["net"].max())], nice=False
            ),
        ),
        y=alt.Y("margin_pct:Q", title="Estimated margin %", axis=alt.Axis(format="%")),
        size=alt.Size("units:Q", legend=None),
        color=alt.Color("category:N", legend=alt.Legend(orient="bottom", title=None)),
        tooltip=product_tips,
    )
    .add_params(pick)
    .properties(height=320),
    width="stretch",
    on_select=partial(ui.drill_from_chart, "revenue_margin", "sku", "product_detail", "sku"),
    key="revenue_margin",
)
ui.follow_drill()
shown = f"The {MAX_POINTS:,} best-selling of {len(products):,} products. " if len(products) > MAX_POINTS else ""
st.caption(
    f"{shown}Click a product to open its detail. Margin falls with discounts: every line carries the same cost share."
)

st.subheader("Category drill-down")
level_category = st.session_state.get("drill_category")
level_sub = st.session_state.get("drill_subcategory")


def _pick_level(key: str, field: str, target: str) -> None:
    points = st.session_state[key].selection.get("pick") or []
    if points:
        st.session_state[target] = points[0][field]


crumbs = st.columns([1, 1, 4])
if level_category and crumbs[0].button("All categories", key="crumb_all"):
    st.session_state.pop("drill_category", None)
    st.session_state.pop("drill_subcategory", None)
    st.rerun()
if level_sub and crumbs[1].button(level_category, key="crumb_category"):
    st.session_state.pop("drill_subcategory", None)
    st.rerun()
if level_category is None:
    level, rows, key = "category", products, "drill_categories"
elif level_sub is None:
    level, rows, key = "subcategory", products[products["category"] == level_category], "drill_subcategories"
else:
    level, rows, key = (
        "product",
        products[(products["category"] == level_category) & (products["subcategory"] == level_sub)],
        "drill_products",
    )
grouped = rows.groupby(level if level != "product" else "sku", as_index=False).agg(
    net=("net", "sum"),
    margin=("margin", "sum"),
    units=("units", "sum"),
    product=("product", "first"),
)
grouped["margin_pct"] = grouped["margin"] / grouped["net"]
label = level if level != "product" else "sku"
st.caption(" › ".join(["All categories", *(x for x in (level_category, level_sub) if x)]))
if level == "product":
    grouped["name"] = grouped["product"] + " (" + grouped["sku"] + ")"
on_pick = (
    partial(ui.drill_from_chart, key, "sku", "product_detail", "sku")
    if level == "product"
    else partial(_pick_level, key, label, "drill_category" if level == "category" else "drill_subcategory")
)
st.altair_chart(
    charts.bar(
        grouped.nlargest(25, "net"),
        "net",
        "name" if level == "product" else label,
        [
            charts.tip("name" if level == "product" else label, level.title(), kind="nominal"),
            charts.tip("net", "Net sales (AUD)", charts.AUD),
            charts.tip("margin", "Est. margin (AUD)", charts.AUD),
            charts.tip("margin_pct", "Margin %", ".1%"),
            charts.tip("units", "Units", ","),
        ],
        selectable=label,
        height=max(160, 24 * min(len(grouped), 25)),
    ),
    width="stretch",
    on_select=on_pick,
    key=key,
)
ui.follow_drill()
if level == "category":
    st.selectbox(
        "Drill into a category",
        grouped["category"],
        index=None,
        key="pick_category",
        placeholder="Click a bar or pick one",
        on_change=lambda: st.session_state.update(drill_category=st.session_state["pick_category"]),
    )
elif level == "subcategory":
    st.selectbox(
        "Drill into a subcategory",
        grouped["subcategory"],
        index=None,
        key="pick_subcategory",
        placeholder="Click a bar or pick one",
        on_change=lambda: st.session_state.update(drill_subcategory=st.session_state["pick_subcategory"]),
    )
else:
    names = dict(zip(grouped["sku"], grouped["name"], strict=True))
    ui.drill_box(
        "Drill through to a product's order lines",
        {sku: names[sku] for sku in grouped["sku"]},
        "pick_product",
        "product_detail",
        "sku",
    )

st.subheader("ABC analysis")
abc = products[["sku", "product", "category", "net"]].sort_values("net", ascending=False).reset_index(drop=True)
abc["cumulative_share"] = abc["net"].cumsum() / abc["net"].sum()
abc["rank"] = abc.index + 1
abc["class"] = abc["cumulative_share"].apply(lambda s: "A" if s <= 0.8 else "B" if s <= 0.95 else "C")
abc.loc[0, "class"] = "A"
summary = abc.groupby("class", as_index=False).agg(products=("sku", "count"), net=("net", "sum"))
summary["share_of_products"] = summary["products"] / summary["products"].sum()
summary["share_of_sales"] = summary["net"] / summary["net"].sum()
left, right = st.columns([3, 2])
with left:
    st.altair_chart(
        # the curve through at most MAX_POINTS ranks, always through each class's first and last
        alt.Chart(
            abc[
                (abc.index % max(1, len(abc) // MAX_POINTS) == 0)
                | (abc["class"] != abc["class"].shift())
                | (abc["class"] != abc["class"].shift(-1))
            ]
        )
        .mark_area(opacity=0.6)
        .encode(
            x=alt.X("rank:Q", title="Products ranked by net sales"),
            y=alt.Y("cumulative_share:Q", title="Cumulative share of sales", axis=alt.Axis(format="%")),
            color=alt.Color("class:N", legend=alt.Legend(orient="bottom", title="Class")),
            tooltip=[
                alt.Tooltip("rank:Q", title="Rank"),
                alt.Tooltip("product:N", title="Product"),
                alt.Tooltip("net:Q", title="Net sales (AUD)", format=",.0f"),
                alt.Tooltip("cumulative_share:Q", title="Cumulative share", format=".1%"),
                alt.Tooltip("class:N", title="Class"),
            ],
        )
        .properties(height=240),
        width="stretch",
    )
with right:
    st.dataframe(
        summary,
        hide_index=True,
        width="stretch",
        column_config={
            "net": st.column_config.NumberColumn("net sales (AUD)", format="%.0f"),
            "share_of_products": st.column_config.NumberColumn("share of products", format="percent"),
            "share_of_sales": st.column_config.NumberColumn("share of sales", format="percent"),
        },
    )
    st.caption("A: the products making the first 80% of net sales; B: the next 15%; C: the rest.")

st.subheader("Price-change impact")
changes = gold.frame(
    f"""{with_(SALES_CTE)}, changes AS (
            SELECT product_id, sku, product_name, category, CAST(valid_from AS DATE) AS changed_on,
                   previous_price, list_price, price_change_pct
            FROM dim_product
            WHERE is_price_changed AND product_key <> -1
              AND (len($categories) = 0 OR list_contains($categories, category))
              AND CAST(valid_from AS DATE) BETWEEN $start_date AND $end_date),
        changed_keys AS (SELECT product_key, product_id FROM dim_product
                         WHERE product_id IN (SELECT product_id FROM changes)),
        daily AS (SELECT k.product_id, CAST(strptime(CAST(s.date_key AS VARCHAR), '%Y%m%d') AS DATE) AS day,
                         sum(s.quantity) AS units, sum(s.net_amount_aud) AS net
                  FROM sales AS s JOIN changed_keys AS k ON k.product_key = s.product_key GROUP BY 1, 2)
    SELECT c.sku, c.product_name AS product, c.category, c.changed_on, c.previous_price, c.list_price AS new_price,
           c.price_change_pct,
           coalesce(sum(d.units) FILTER (WHERE d.day BETWEEN c.changed_on - 30 AND c.changed_on - 1), 0) / 30.0
               AS units_per_day_before,
           coalesce(sum(d.units) FILTER (WHERE d.day BETWEEN c.changed_on AND c.changed_on + 29), 0)
               / greatest(1, least(30, date_diff('day', c.changed_on, $end_date::DATE) + 1)) AS units_per_day_after,
           coalesce(sum(d.net) FILTER (WHERE d.day BETWEEN c.changed_on - 30 AND c.changed_on - 1), 0) / 30.0
               AS sales_per_day_before,
           coalesce(sum(d.net) FILTER (WHERE d.day BETWEEN c.changed_on AND c.changed_on + 29), 0)
               / greatest(1, least(30, date_diff('day', c.changed_on, $end_date::DATE) + 1)) AS sales_per_day_after
    FROM changes AS c LEFT JOIN daily AS d USING (product_id)
    GROUP BY c.sku, c.product_name, c.category, c.changed_on, c.previous_price, c.list_price, c.price_change_pct
    ORDER BY c.changed_on DESC""",
    f.params(),
)
if changes.empty:
    st.info(
        "No price change in the selected period. Price changes come from the products' SCD2 history "
        "(dim_product): they appear after an increment batch with change files has been loaded."
    )
else:
    changes["units_change"] = (
        changes["units_per_day_after"] / changes["units_per_day_before"].where(changes["units_per_day_before"] > 0) - 1
    )
    st.altair_chart(
        alt.Chart(changes)
        .mark_circle(size=90)
        .encode(
            x=alt.X("price_change_pct:Q", title="Price change", axis=alt.Axis(format="%")),
            y=alt.Y(
                "units_change:Q", title="Change in units per day (30 days after vs before)", axis=alt.Axis(format="%")
            ),
            color=alt.Color("category:N", legend=alt.Legend(orient="bottom", title=None)),
            tooltip=[
                alt.Tooltip("product:N", title="Product"),
                alt.Tooltip("changed_on:T", title="Changed on"),
                alt.Tooltip("previous_price:Q", title="Old price", format=",.2f"),
                alt.Tooltip("new_price:Q", title="New price", format=",.2f"),
                alt.Tooltip("price_change_pct:Q", title="Price change", format="+.1%"),
                alt.Tooltip("units_per_day_before:Q", title="Units/day before", format=".2f"),
                alt.Tooltip("units_per_day_after:Q", title="Units/day after", format=".2f"),
                alt.Tooltip("sales_per_day_after:Q", title="Sales/day after (AUD)", format=",.0f"),
            ],
        )
        .properties(height=260),
        width="stretch",
    )
    st.dataframe(changes.drop(columns=["units_change"]), hide_index=True, width="stretch")

st.subheader("What-if: price and discount")
a, b, c = st.columns(3)
price_change = a.slider("Price change %", -30, 30, 0, key="whatif_price") / 100
extra_discount = b.slider("Extra discount (percentage points)", 0, 30, 0, key="whatif_discount") / 100
elasticity = c.slider("Price elasticity of demand", -3.0, 0.0, -1.2, 0.1, key="whatif_elasticity")
result = measures.what_if(gold, f, price_change, extra_discount, elasticity, cost_ratio)
ui.kpis(
    [
        (
            "Projected net sales",
            ui.aud(result["projected_sales"]),
            ui.pct(result["projected_sales"] / result["sales"] - 1 if result["sales"] else None, signed=True),
            measures.what_if.__doc__,
        ),
        (
            "Projected margin",
            ui.aud(result["projected_margin"]),
            ui.pct(result["projected_margin"] / result["margin"] - 1 if result["margin"] else None, signed=True),
            measures.what_if.__doc__,
        ),
        (
            "Projected units",
            ui.number(result["projected_units"]),
            ui.pct(result["projected_units"] / result["units"] - 1 if result["units"] else None, signed=True),
            measures.what_if.__doc__,
        ),
    ]
)
st.caption(
    f"Baseline for the slicers: net sales {ui.aud(result['sales'])}, estimated margin {ui.aud(result['margin'])} "
    f"at a cost of {cost_pct}% of the undiscounted price."
)
