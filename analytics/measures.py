"""Every measure of the report, defined once. Pages, tests and docs/powerbi.md use these
definitions; each docstring gives the formula over Gold.

Common rules: amounts are AUD (`*_aud` columns of the facts, converted at the order date's
rate); "the period" is the date slicer [start, end] applied to the order's UTC date
(`fct_sales.date_key`); the region slicer matches `dim_store.region` of the order's store and
the category slicer `dim_product.category` of the line's product; a store manager's connection
holds only their stores' rows, so every measure is theirs alone. A ratio with a zero
denominator is None (shown as "n/a").
"""

from __future__ import annotations

from datetime import datetime

from analytics.filters import DAILY_CTE, PERIOD, RETURNS_CTE, SALES_CTE, SHIPMENTS_CTE, Slicers, with_
from analytics.gold import Gold

SALES = with_(SALES_CTE)


def _ratio(numerator, denominator) -> float | None:
    if numerator is None or not denominator:
        return None
    return float(numerator) / float(denominator)


# The additive measures of the order lines in the slicers, each one aggregate expression over
# `sales_daily` (per day, region and category): computed together in one small query (the date
# window is the union of theirs), so with the app's query cache a page's sales measures cost it.
_PERIOD = f"FILTER (WHERE {PERIOD})"
DAILY_MEASURES = {
    "total_sales": f"sum(net_amount_aud) {_PERIOD}",
    "quantity": f"sum(quantity) {_PERIOD}",
    "orders": f"sum(orders) {_PERIOD}",
    "undiscounted_sales": f"sum(line_total_aud) {_PERIOD}",
    "ytd_sales": "sum(net_amount_aud) FILTER (WHERE date_key BETWEEN $ytd_start_key AND $end_key)",
    "mtd_sales": "sum(net_amount_aud) FILTER (WHERE date_key BETWEEN $mtd_start_key AND $end_key)",
    "prior_year_sales": "sum(net_amount_aud) FILTER (WHERE date_key BETWEEN $prior_start_key AND $prior_end_key)",
    "rolling_30d_sales": "sum(net_amount_aud) FILTER (WHERE date_key BETWEEN $rolling_start_key AND $end_key)",
}
_DAILY_MEASURES_SQL = (
    f"{with_(DAILY_CTE)}SELECT "
    + ", ".join(f"{expression} AS {name}" for name, expression in DAILY_MEASURES.items())
    + " FROM daily WHERE date_key BETWEEN $scan_start_key AND $end_key"
)
# Distinct counts do not add up over days, so they scan the period's order lines; orders add up
# over the categories of one slicer value only (an order can span several categories).
_DISTINCT_CUSTOMERS = "count(DISTINCT customer_key) FILTER (WHERE customer_key <> -1) AS active_customers"
_DISTINCT_SQL = f"{SALES}SELECT {_DISTINCT_CUSTOMERS}, count(DISTINCT order_number) AS orders FROM sales WHERE {PERIOD}"
_CUSTOMERS_SQL = f"{SALES}SELECT {_DISTINCT_CUSTOMERS} FROM sales WHERE {PERIOD}"


def _line_measure(gold: Gold, f: Slicers, name: str) -> float:
    params = f.params()
    if name == "active_customers" or (name == "orders" and len(f.categories) > 1):
        row = gold.frame(_DISTINCT_SQL if name == "orders" else _CUSTOMERS_SQL, params)
    else:
        first = min(params[k] for k in ("start_key", "ytd_start_key", "prior_start_key", "rolling_start_key"))
        row = gold.frame(_DAILY_MEASURES_SQL, {**params, "scan_start_key": first})
    value = row.at[0, name] if not row.empty else None
    return 0.0 if value is None or value != value else float(value)  # NULL (no line) or NaN: 0


def total_sales(gold: Gold, f: Slicers) -> float:
    """Total sales = Σ fct_sales.net_amount_aud over the order lines of the period
    (net = line_total − discount, excluding tax)."""
    return _line_measure(gold, f, "total_sales")


def quantity(gold: Gold, f: Slicers) -> int:
    """Quantity = Σ fct_sales.quantity over the order lines of the period."""
    return int(_line_measure(gold, f, "quantity"))


def orders(gold: Gold, f: Slicers) -> int:
    """Orders = count of distinct fct_sales.order_number in the period."""
    return int(_line_measure(gold, f, "orders"))


def average_order_value(gold: Gold, f: Slicers) -> float | None:
    """AOV = total sales / orders."""
    return _ratio(total_sales(gold, f), orders(gold, f))


def ytd_sales(gold: Gold, f: Slicers) -> float:
    """YTD = Σ net_amount_aud from 1 January of the end date's year to the end date."""
    return _line_measure(gold, f, "ytd_sales")


def mtd_sales(gold: Gold, f: Slicers) -> float:
    """MTD = Σ net_amount_aud from the first day of the end date's month to the end date."""
    return _line_measure(gold, f, "mtd_sales")


def prior_year_sales(gold: Gold, f: Slicers) -> float:
    """Prior-year sales = Σ net_amount_aud over [start − 1 year, end − 1 year]
    (29 February maps to the 28th)."""
    return _line_measure(gold, f, "prior_year_sales")


def yoy_pct(gold: Gold, f: Slicers) -> float | None:
    """YoY % = total sales / prior-year sales − 1 (None without prior-year sales)."""
    prior = prior_year_sales(gold, f)
    return None if not prior else total_sales(gold, f) / prior - 1


def rolling_30d_average(gold: Gold, f: Slicers) -> float:
    """Rolling 30-day average = Σ net_amount_aud over the 30 days ending with the end date / 30
    (days without sales count as zero)."""
    return _line_measure(gold, f, "rolling_30d_sales") / 30


def active_customers(gold: Gold, f: Slicers) -> int:
    """Active customers = distinct known customers (customer_key <> −1) with an order line in
    the period."""
    return int(_line_measure(gold, f, "active_customers"))


# Each known customer's lines up to the end date, in one scan: the customer measures
# (new/returning, CLV, VIP contribution) all read this query's one row.
_CUSTOMERS_ROW_SQL = f"""{SALES}, per_customer AS (
        SELECT customer_key, min(date_key) AS first_key, sum(net_amount_aud) AS lifetime_net,
               sum(net_amount_aud) FILTER (WHERE {PERIOD}) AS period_net, bool_or({PERIOD}) AS is_active
        FROM sales WHERE date_key <= $end_key AND customer_key <> -1 GROUP BY customer_key)
    SELECT count(*) FILTER (WHERE p.is_active AND p.first_key >= $start_key) AS new_customers,
           count(*) FILTER (WHERE p.is_active AND p.first_key < $start_key) AS returning_customers,
           sum(p.lifetime_net) FILTER (WHERE p.is_active) / nullif(count(*) FILTER (WHERE p.is_active), 0) AS clv,
           coalesce(sum(p.period_net) FILTER (WHERE c.is_vip), 0) AS vip_sales
    FROM per_customer AS p LEFT JOIN dim_customer AS c ON c.customer_key = p.customer_key"""


def _customer_measure(gold: Gold, f: Slicers, name: str):
    row = gold.frame(_CUSTOMERS_ROW_SQL, f.params())
    value = row.at[0, name]
    return None if value is None or value != value else value


def customer_lifetime_value(gold: Gold, f: Slicers) -> float | None:
    """CLV = Σ net_amount_aud of every order line up to the end date of the customers active
    in the period / active customers (the average lifetime sales of an active customer)."""
    value = _customer_measure(gold, f, "clv")
    return None if value is None else float(value)


def new_and_returning_customers(gold: Gold, f: Slicers) -> tuple[int, int]:
    """(new, returning): an active customer is new when their first order line (over all dates
    up to the end, with the same region / category / store filters) falls in the period, else
    returning; new + returning = active customers."""
    return int(_customer_measure(gold, f, "new_customers") or 0), int(
        _customer_measure(gold, f, "returning_customers") or 0
    )


def vip_contribution(gold: Gold, f: Slicers) -> float | None:
    """VIP contribution = Σ net_amount_aud of lines whose customer is VIP (dim_customer.is_vip)
    / total sales."""
    return _ratio(_customer_measure(gold, f, "vip_sales") or 0.0, total_sales(gold, f))


def return_rate(gold: Gold, f: Slicers) -> float | None:
    """Return rate = Σ fct_returns.returned_quantity of returns of orders placed in the period
    (UTC order date) / quantity sold in the period."""
    returned = gold.scalar(
        f"{with_(RETURNS_CTE)}SELECT sum(returned_quantity) FROM returns "
        "WHERE order_date BETWEEN $start_date AND $end_date",
        f.params(),
    )
    return _ratio(returned or 0, quantity(gold, f))


# The shipments of the period in one scan: the delivery measures and the Operations page's
# counters all read this query's one row.
_SHIPMENTS_ROW_SQL = f"""{with_(SHIPMENTS_CTE)}SELECT count(*) AS shipments, sum(shipping_cost_aud) AS cost,
           count(*) FILTER (WHERE sla_status = 'overdue') AS overdue,
           avg(delivery_days) FILTER (WHERE delivered_at IS NOT NULL) AS average_delivery_days,
           count(*) FILTER (WHERE on_time_flag) AS on_time, count(on_time_flag) AS with_sla
    FROM shipments WHERE ship_date_key BETWEEN $start_key AND $end_key"""


def shipment_totals(gold: Gold, f: Slicers) -> dict:
    """Shipments shipped in the period: shipments, cost (Σ shipping_cost_aud), overdue,
    average_delivery_days, on_time, with_sla (the counts behind the measures below)."""
    return gold.frame(_SHIPMENTS_ROW_SQL, f.params()).iloc[0].to_dict()


def average_delivery_days(gold: Gold, f: Slicers) -> float | None:
    """Average delivery days = mean fct_shipments.delivery_days of the shipments shipped in the
    period that were delivered (category slicer: shipments of orders holding a line of it)."""
    value = shipment_totals(gold, f)["average_delivery_days"]
    return None if value is None or value != value else float(value)


def on_time_rate(gold: Gold, f: Slicers) -> float | None:
    """On-time rate = shipments delivered within their carrier's SLA / delivered shipments with an
    SLA (fct_shipments.on_time_flag true / not null), shipped in the period."""
    totals = shipment_totals(gold, f)
    return _ratio(totals["on_time"], totals["with_sla"])


def freshness_hours(gold: Gold, now: datetime, table: str | None = None) -> float | None:
    """Freshness hours = now − the newest finished_at of a bronze file load with status
    'loaded' (fct_ingestion_audit), in hours; per source table when given. Not per store."""
    gold.require_everything("Freshness")
    newest = gold.scalar(
        "SELECT max(finished_at) FROM fct_ingestion_audit WHERE status = 'loaded' "
        "AND ($table IS NULL OR table_name = $table)",
        {"table": table},
    )
    return None if newest is None else (now - newest.to_pydatetime()).total_seconds() / 3600


def rejection_rate(gold: Gold, table: str | None = None) -> float | None:
    """Rejection rate = Σ rows_rejected / Σ rows_processed over every bronze file load
    (fct_ingestion_audit); per source table when given. Not per store."""
    gold.require_everything("The rejection rate")
    row = gold.frame(
        "SELECT sum(rows_rejected), sum(rows_processed) FROM fct_ingestion_audit "
        "WHERE $table IS NULL OR table_name = $table",
        {"table": table},
    )
    return _ratio(row.iat[0, 0], row.iat[0, 1])


def completeness_score(gold: Gold) -> float | None:
    """Completeness score = Σ non_null_values / Σ total_rows over the required source columns
    of Silver (vw_data_completeness): the share of required cells that hold a value. Not per
    store."""
    gold.require_everything("The completeness score")
    row = gold.frame("SELECT sum(non_null_values), sum(total_rows) FROM vw_data_completeness")
    return _ratio(row.iat[0, 0], row.iat[0, 1])


# The SPEC measures that follow the slicers, for the KPI tables and the tests.
SLICED = {
    "total_sales": total_sales,
    "quantity": quantity,
    "orders": orders,
    "average_order_value": average_order_value,
    "ytd_sales": ytd_sales,
    "mtd_sales": mtd_sales,
    "yoy_pct": yoy_pct,
    "rolling_30d_average": rolling_30d_average,
    "active_customers": active_customers,
    "customer_lifetime_value": customer_lifetime_value,
    "vip_contribution": vip_contribution,
    "return_rate": return_rate,
    "average_delivery_days": average_delivery_days,
    "on_time_rate": on_time_rate,
}


# -- modelled measures: Gold has no cost of goods, so margin is an explicit assumption ----------

DEFAULT_COST_RATIO = 0.6


def estimated_margin(gold: Gold, f: Slicers, cost_ratio: float = DEFAULT_COST_RATIO) -> float:
    """Estimated margin = total sales − cost_ratio × Σ fct_sales.line_total_aud (cost of goods
    modelled as a share of the undiscounted line value; Gold holds no cost data)."""
    return total_sales(gold, f) - cost_ratio * _line_measure(gold, f, "undiscounted_sales")


def what_if(
    gold: Gold,
    f: Slicers,
    price_change: float,
    extra_discount: float,
    elasticity: float,
    cost_ratio: float = DEFAULT_COST_RATIO,
) -> dict[str, float]:
    """What-if over the order lines of the period, per line with d = discount_amount / line_total:
    d' = clamp(d + extra_discount, 0, 1); effective price factor e = (1 + price_change) × (1 − d') / (1 − d);
    units factor u = e ^ elasticity (price elasticity of demand, e.g. −1.2);
    projected sales = Σ line_total_aud × (1 + price_change) × (1 − d') × u;
    projected margin = projected sales − cost_ratio × Σ line_total_aud × u.
    Returns baseline and projected sales, margin and units."""
    row = gold.frame(
        f"""{SALES}, lines AS (
                SELECT line_total_aud AS base, net_amount_aud AS net, quantity,
                       discount_amount / line_total AS d,
                       greatest(0, least(1, discount_amount / line_total + $extra_discount)) AS d2
                FROM sales WHERE {PERIOD} AND line_total > 0),
            projected AS (
                SELECT *, CASE WHEN d < 1 THEN pow((1 + $price_change) * (1 - d2) / (1 - d), $elasticity)
                               ELSE 1 END AS u
                FROM lines)
            SELECT sum(net) AS sales, sum(net) - $cost_ratio * sum(base) AS margin, sum(quantity) AS units,
                   sum(base * (1 + $price_change) * (1 - d2) * u) AS projected_sales,
                   sum(base * (1 + $price_change) * (1 - d2) * u) - $cost_ratio * sum(base * u) AS projected_margin,
                   sum(quantity * u) AS projected_units
            FROM projected""",
        f.params(
            price_change=price_change, extra_discount=extra_discount, elasticity=elasticity, cost_ratio=cost_ratio
        ),
    )
    return {k: float(v or 0.0) for k, v in row.iloc[0].to_dict().items()}
