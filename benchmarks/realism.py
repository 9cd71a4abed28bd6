"""The realism scorecard: measures a generated dataset against ranges from retail practice.

    python -m benchmarks.realism --raw DIR [--write]      (make realism: scale 1.0, seed 42)

Every metric is computed from the base run's raw files with DuckDB, independently of the
generator's code and constants: the ranges come from retail rules of thumb, each with its
reason. Exit code 1 when a metric is out of range. `--write` replaces docs/data_realism.md.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb_extensions
from deltalake import DeltaTable

import duckdb
import schemas

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "docs" / "data_realism.md"

# What a shopper knows: the time zone of each state, the days stores are shut, the
# currency of each market (the carriers' delivery promises come from the dbt seed).
STATE_TZ = {
    "NSW": "Australia/Sydney",
    "VIC": "Australia/Melbourne",
    "QLD": "Australia/Brisbane",
    "WA": "Australia/Perth",
    "SA": "Australia/Adelaide",
    "TAS": "Australia/Hobart",
    "ACT": "Australia/Sydney",
    "NT": "Australia/Darwin",
    "CA": "America/Los_Angeles",
    "NY": "America/New_York",
    "TX": "America/Chicago",
    "WA_US": "America/Los_Angeles",
    "ENG": "Europe/London",
    "SCT": "Europe/London",
    "WLS": "Europe/London",
    "ON": "America/Toronto",
    "BC": "America/Vancouver",
    "QC": "America/Toronto",
}
CLOSED_DAYS = {  # Christmas Day everywhere, Good Friday in AU and GB, Thanksgiving in the US
    "AU": ("2024-03-29", "2025-04-18", "2024-12-25", "2025-12-25"),
    "GB": ("2024-03-29", "2025-04-18", "2024-12-25", "2025-12-25"),
    "US": ("2024-11-28", "2025-11-27", "2024-12-25", "2025-12-25"),
    "CA": ("2024-12-25", "2025-12-25"),
}
BLACK_FRIDAYS = ("2024-11-29", "2025-11-28")
SLA_SEED = ROOT / "dbt" / "seeds" / "carrier_sla.csv"  # the carriers' promises, as gold uses them
MARKETS = {"AUD": "AU", "USD": "US", "GBP": "GB", "CAD": "CA"}


@dataclass(frozen=True)
class Metric:
    group: str
    name: str
    value: float | None
    low: float | None
    high: float | None
    unit: str  # "%" (the value is a fraction), "x" (a ratio) or "" (a count or number)
    why: str

    @property
    def passed(self) -> bool:
        if self.value is None or math.isnan(self.value):
            return False
        return (self.low is None or self.value >= self.low) and (self.high is None or self.value <= self.high)

    def shown(self, x: float | None) -> str:
        if x is None or math.isnan(x):
            return "n/a"
        if self.unit == "%":
            return f"{x * 100:.1f}%"
        if self.unit == "x":
            return f"{x:.2f}x"
        return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}"

    @property
    def range_text(self) -> str:
        if self.low is not None and self.high is not None:
            return "0" if self.low == self.high == 0 else f"{self.shown(self.low)} .. {self.shown(self.high)}"
        return f">= {self.shown(self.low)}" if self.low is not None else f"<= {self.shown(self.high)}"


@dataclass(frozen=True)
class Check:
    name: str
    sql: str  # one row, one value
    low: float | None
    high: float | None
    unit: str
    why: str


def _values(rows: dict[str, tuple]) -> str:
    return ", ".join(f"({', '.join(repr(v) for v in row)})" for row in rows.values())


def connect(raw: Path, workdir: Path, materialize: bool = True) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with typed relations of the base run (references that resolve only).
    Without `materialize` the big facts (lines, sales, shipments, events, sensors) stay views:
    a few metrics are measured without loading everything."""
    con = duckdb.connect(config={"extension_directory": str(workdir)})
    duckdb_extensions.import_extension("excel", con=con)
    con.sql("LOAD excel")
    con.sql("SET TimeZone = 'UTC'")
    con.sql("SET enable_progress_bar = false")

    def csv(source: str, files: str) -> str:
        """Every contract column as text; no sniffing, which is slow over hundreds of files."""
        columns = ", ".join(f"'{name}': 'VARCHAR'" for name in schemas.RAW_SCHEMAS[source].names)
        options = f"header = true, auto_detect = false, hive_partitioning = false, columns = {{{columns}}}"
        return f"read_csv('{raw}/{files}', {options}, filename = true)"

    zones = ", ".join(f"('{state}', '{tz}')" for state, tz in STATE_TZ.items())
    closed = ", ".join(f"('{c}', DATE '{d}')" for c, days in CLOSED_DAYS.items() for d in days)
    markets = ", ".join(f"('{currency}', '{country}')" for currency, country in MARKETS.items())
    con.register("returns_delta", DeltaTable(raw / "returns").to_pyarrow_table())
    relation = "TABLE" if materialize else "VIEW"
    for sql in (
        f"CREATE TABLE state_tz AS SELECT * FROM (VALUES {zones}) AS t(state, tz)",
        f"CREATE TABLE closed_days AS SELECT * FROM (VALUES {closed}) AS t(country, day)",
        f"CREATE TABLE markets AS SELECT * FROM (VALUES {markets}) AS t(currency, country)",
        f"CREATE TABLE carrier_sla AS SELECT carrier, sla_days::INT AS sla_days FROM read_csv('{SLA_SEED}')",
        f"CREATE TABLE customers AS SELECT * FROM {csv('customers', 'customers.csv')}",
        f"CREATE TABLE products AS SELECT * FROM {csv('products', 'products.csv')}",
        f"CREATE TABLE stores AS SELECT * FROM {csv('stores', 'stores.csv')}",
        f"""CREATE TABLE rates AS SELECT "date"::DATE AS day, currency, rate_to_aud::DOUBLE AS rate
            FROM read_xlsx('{raw}/exchange_rates.xlsx', sheet = 'rates')""",
        f"""CREATE TABLE orders AS
            SELECT h.order_id::BIGINT AS order_id, h.order_ts::TIMESTAMPTZ AS order_utc,
                   h.order_dt_local::DATE AS day, substr(h.order_ts, 12, 2)::INT AS local_hour,
                   h.customer_id::BIGINT AS customer_id, h.store_id::BIGINT AS store_id, h.channel, h.coupon_code,
                   h.currency, h.shipping_fee::DOUBLE AS shipping_fee, m.country AS store_country
            FROM {csv("orders_header", "orders_header/*/part-00000.csv")} AS h
            JOIN customers AS c ON c.customer_id = h.customer_id
            JOIN stores AS s ON s.store_id = h.store_id
            JOIN markets AS m ON m.currency = h.currency
            QUALIFY row_number() OVER (PARTITION BY h.order_id ORDER BY h.filename) = 1""",
        f"""CREATE TABLE lines AS
            SELECT l.order_id::BIGINT AS order_id, l.product_id::BIGINT AS product_id, l.qty::INT AS qty,
                   l.unit_price::DOUBLE AS unit_price, l.line_discount_pct::DOUBLE AS discount, p.category
            FROM {csv("orders_lines", "orders_lines/*/part-00000.csv")} AS l
            JOIN products AS p ON p.product_id = l.product_id
            WHERE l.qty::INT > 0 AND l.unit_price::DOUBLE > 0 AND l.line_discount_pct::DOUBLE BETWEEN 0 AND 1""",
        """CREATE TABLE sales AS
           SELECT l.*, o.customer_id, o.store_id, o.channel, o.day, o.currency,
                  l.qty * l.unit_price * (1 - l.discount) * r.rate AS net_aud
           FROM lines AS l JOIN orders AS o USING (order_id)
           JOIN rates AS r ON r.currency = o.currency AND r.day = o.order_utc::DATE""",
        f"CREATE TABLE shipments AS SELECT * FROM read_parquet('{raw}/shipments/part-00000-*.parquet')",
        "CREATE TABLE returns AS SELECT * FROM returns_delta",
        f"""CREATE TABLE events AS
            SELECT json_extract_string(json, '$.event_type') AS event_type,
                   json_extract_string(json, '$.event_ts')::TIMESTAMPTZ AS ts,
                   json_extract_string(json, '$.user_id')::BIGINT AS user_id,
                   json_extract_string(json, '$.session_id') AS session_id,
                   json_extract_string(json, '$.payload.order_id')::BIGINT AS order_id
            FROM read_json_objects('{raw}/events/*/events_0000.jsonl',
                                   format = 'newline_delimited', ignore_errors = true)
            WHERE json_extract_string(json, '$.session_id') IS NOT NULL
              AND json_extract_string(json, '$.event_ts') IS NOT NULL
              AND json_extract_string(json, '$.event_type') IS NOT NULL""",
        f"""CREATE TABLE sensors AS
            SELECT s.sensor_ts::TIMESTAMPTZ AS ts, s.store_id::BIGINT AS store_id, s.shelf_id,
                   s.temperature_c::DOUBLE AS temp, s.humidity_pct::DOUBLE AS hum,
                   CASE WHEN st.state = 'WA' AND st.store_code LIKE 'ST-US%' THEN 'WA_US' ELSE st.state END AS state,
                   substr(st.store_code, 4, 2) = 'AU' AS south
            FROM {csv("sensors", "sensors/*/*/sensors.csv")} AS s JOIN stores AS st ON st.store_id = s.store_id
            WHERE s.sensor_ts IS NOT NULL""",
    ):
        light = any(f"CREATE TABLE {name} " in sql for name in ("lines", "sales", "shipments", "events", "sensors"))
        con.sql(sql.replace("CREATE TABLE", f"CREATE {relation}", 1) if light else sql)
    return con


TOP_SHARE = """SELECT sum(value) FILTER (WHERE rk <= {top}) / sum(value) FROM (
                 SELECT value, row_number() OVER (ORDER BY value DESC) AS rk, count(*) OVER () AS n FROM ({values}))"""
PRODUCT_REVENUE = "SELECT sum(net_aud) AS value FROM sales GROUP BY product_id"
CUSTOMER_REVENUE = "SELECT sum(net_aud) AS value FROM sales GROUP BY customer_id"
CONCENTRATION = [
    Check("top SKU share of revenue", TOP_SHARE.format(top=1, values=PRODUCT_REVENUE),
          None, 0.02, "%", "no single product dominates: the best seller of a broad catalogue takes 1-2% at most"),
    Check("top 20% of SKUs: share of revenue", TOP_SHARE.format(top="ceil(0.2 * n)", values=PRODUCT_REVENUE),
          0.65, 0.90, "%",
          "the Pareto rule of assortments: about 80% of revenue from 20% of the products"),
    Check("top 1% of customers: share of revenue", TOP_SHARE.format(top="ceil(0.01 * n)", values=CUSTOMER_REVENUE),
          0.04, 0.15, "%", "heavy but capped: the best 1% of a retail customer base bring 5-15%"),
    Check("top 5% of customers: share of revenue", TOP_SHARE.format(top="ceil(0.05 * n)", values=CUSTOMER_REVENUE),
          0.18, 0.40, "%", "the best 5% bring a quarter to two fifths of revenue"),
    Check("VIP customers: share of revenue",
          """SELECT sum(net_aud) FILTER (WHERE c.is_vip = 'true') / sum(net_aud)
             FROM sales JOIN customers AS c ON c.customer_id::BIGINT = sales.customer_id""",
          0.15, 0.45, "%", "VIPs (5% of customers) are the top spenders: 25-40% of revenue"),
    Check("most orders by one customer in two years",
          "SELECT max(n) FROM (SELECT customer_id, count(*) AS n FROM orders GROUP BY 1)", 20, 400, "",
          "a plausible maximum: a few shopping trips a week at most, no bot-like accounts"),
    Check("most orders by one customer in a day",
          "SELECT max(n) FROM (SELECT customer_id, day, count(*) AS n FROM orders GROUP BY 1, 2)", 1, 3, "",
          "people shop once, sometimes twice a day"),
]  # fmt: skip

RETENTION = """SELECT count(DISTINCT customer_id) FILTER (WHERE quarter = DATE '{quarter}')
                      / count(DISTINCT customer_id)
               FROM (SELECT customer_id, date_trunc('quarter', day) AS quarter,
                            min(date_trunc('quarter', day)) OVER (PARTITION BY customer_id) AS cohort FROM orders)
               WHERE cohort = DATE '2024-01-01'"""
JOIN_YEAR = "year(join_ts::TIMESTAMPTZ)"
CUSTOMERS = [
    Check("one-time buyers among buyers",
          "SELECT avg((n = 1)::INT) FROM (SELECT customer_id, count(*) AS n FROM orders GROUP BY 1)", 0.10, 0.45, "%",
          "many customers buy once; SPEC's 1.1M orders from 80,000 customers (14 each) keep the share below "
          "e-commerce's 50-70%"),
    Check("Q1-2024 buyers active in Q2 2024", RETENTION.format(quarter="2024-04-01"), 0.40, 0.85, "%",
          "most of a quarter's buyers come back the next quarter"),
    Check("Q1-2024 buyers active in Q4 2025", RETENTION.format(quarter="2025-10-01"), 0.15, 0.40, "%",
          "cohorts churn: after seven quarters a fifth to a third are still active"),
    Check("sign-ups in Q4 (share of the year)",
          f"SELECT avg((month(join_ts::TIMESTAMPTZ) >= 10)::INT) FROM customers WHERE {JOIN_YEAR} IN (2023, 2024)",
          0.27, 0.40, "%", "acquisition peaks with the Christmas season (25% if flat)"),
    Check("sign-up growth 2024 over 2023",
          f"SELECT count(*) FILTER (WHERE {JOIN_YEAR} = 2024) / count(*) FILTER (WHERE {JOIN_YEAR} = 2023) - 1 "
          "FROM customers", 0.05, 0.40, "%", "a growing customer base"),
    Check("customers aged 30-49",
          "SELECT avg((date_diff('year', birth_date::DATE, DATE '2024-01-01') BETWEEN 30 AND 49)::INT) FROM customers",
          0.35, 0.60, "%", "the customer base humps in the middle ages (30% if uniform over 18-85)"),
]  # fmt: skip

POS_ORDERS = """CREATE TEMP TABLE pos_orders AS
                SELECT o.*, c.country_code AS customer_country,
                       sqrt(pow((c.longitude::DOUBLE - s.longitude::DOUBLE) * 111.2
                                * cos(radians(c.latitude::DOUBLE)), 2)
                            + pow((c.latitude::DOUBLE - s.latitude::DOUBLE) * 111.2, 2)) AS km
                FROM orders AS o JOIN customers AS c USING (customer_id)
                JOIN stores AS s ON s.store_id::BIGINT = o.store_id WHERE o.channel = 'pos'"""
GEOGRAPHY = [
    Check("in-store orders in the customer's own country",
          "SELECT avg((customer_country = store_country)::INT) FROM pos_orders", 0.97, 1.0, "%",
          "people shop where they live; a few buy while travelling"),
    Check("in-store orders at the customer's main store",
          """SELECT sum(n) FILTER (WHERE rk = 1) / sum(n) FROM (
               SELECT count(*) AS n, row_number() OVER (PARTITION BY customer_id ORDER BY count(*) DESC, store_id) AS rk
               FROM pos_orders GROUP BY customer_id, store_id)""",
          0.60, 0.92, "%", "most store visits go to one home store nearby"),
    Check("median customer-to-store distance in store (km)", "SELECT median(km) FROM pos_orders", 0.5, 25, "",
          "a home store is a few kilometres away"),
    Check("customers' distance to their city's centre (km, 99th percentile)",
          """SELECT quantile_cont(sqrt(pow((lat - mlat) * 111.2, 2) + pow((lon - mlon) * 111.2 * cos(radians(lat)), 2)),
                                  0.99)
             FROM (SELECT latitude::DOUBLE AS lat, longitude::DOUBLE AS lon,
                          median(latitude::DOUBLE) OVER w AS mlat, median(longitude::DOUBLE) OVER w AS mlon
                   FROM customers WHERE city IS NOT NULL
                   WINDOW w AS (PARTITION BY country_code, state_region, city))""",
          1, 80, "", "coordinates cluster around the customer's city (no Tasmanian in the tropics)"),
    Check("web share of orders", "SELECT avg((channel = 'web')::INT) FROM orders", 0.55, 0.72, "%",
          "SPEC's ~1M shipments for ~1.1M orders mean most orders are delivered: the orders feed holds identified "
          "customers, where online orders (always identified) dominate (see the notes below)"),
    Check("web orders by country vs the customer base (largest gap)",
          """SELECT max(abs(w.share - c.share)) FROM
               (SELECT store_country AS country, count(*) / sum(count(*)) OVER () AS share
                FROM orders WHERE channel = 'web' GROUP BY 1) AS w
             JOIN (SELECT country_code AS country, count(*) / sum(count(*)) OVER () AS share
                   FROM customers GROUP BY 1) AS c USING (country)""",
          0.0, 0.08, "%", "online sales follow where customers live, not an even split"),
]  # fmt: skip

DAILY = "(SELECT day, count(*) AS n FROM orders {where} GROUP BY 1)"
WEEKDAY = "SELECT avg(n) FILTER (WHERE dayofweek(day) = {dow}) / avg(n) FROM " + DAILY
CLOCKS = [
    Check("in-store orders outside trading hours",
          """SELECT count(*) FROM orders WHERE channel = 'pos'
             AND (local_hour < 7 OR local_hour >= 22
                  OR (dayofweek(day) = 0 AND (local_hour < 8 OR local_hour >= 19)))""",
          0, 0, "", "stores trade about 08:00-21:00 (Sundays 09:00-18:00), never at night"),
    Check("in-store orders on days stores are shut",
          """SELECT count(*) FROM orders AS o JOIN closed_days AS c ON c.country = o.store_country AND c.day = o.day
             WHERE o.channel = 'pos'""",
          0, 0, "", "Christmas Day everywhere, Good Friday in AU and GB, Thanksgiving in the US"),
    Check("in-store Saturday vs the average day", WEEKDAY.format(dow=6, where="WHERE channel = 'pos'"), 1.15, 1.8, "x",
          "stores peak on Saturday"),
    Check("web Sunday vs the average day", WEEKDAY.format(dow=0, where="WHERE channel = 'web'"), 1.05, 1.5, "x",
          "online peaks on Sunday and Monday evenings"),
    Check("web orders between midnight and 06:00 local",
          "SELECT avg((local_hour < 6)::INT) FROM orders WHERE channel = 'web'", 0.01, 0.10, "%",
          "online shopping has a thin night tail"),
    Check("December vs the average month",
          """SELECT avg(n) FILTER (WHERE month(m) = 12) / avg(n)
             FROM (SELECT date_trunc('month', day) AS m, count(*) AS n FROM orders GROUP BY 1)""",
          1.2, 1.8, "x", "the Christmas peak"),
    Check("Black Friday vs other November Fridays",
          f"""SELECT avg(n) FILTER (WHERE day IN {BLACK_FRIDAYS})
                     / avg(n) FILTER (WHERE dayofweek(day) = 5 AND month(day) = 11 AND day NOT IN {BLACK_FRIDAYS})
              FROM {DAILY.format(where="")}""",
          1.8, 4.0, "x", "the biggest trading day of the year"),
    Check("day-to-day spread of orders (Feb-Oct, same weekday and month)",
          """SELECT stddev(n / usual) FROM (
               SELECT n, avg(n) OVER (PARTITION BY year(day), month(day), dayofweek(day)) AS usual
               FROM (SELECT day, count(*) AS n FROM orders WHERE month(day) BETWEEN 2 AND 10 GROUP BY 1))""",
          0.05, 0.18, "%", "weather and local promotions move daily sales by 5-15%"),
]  # fmt: skip

AOV = "sum(net_aud) FILTER (WHERE channel = '{ch}') / count(DISTINCT order_id) FILTER (WHERE channel = '{ch}')"
BASKETS = "(SELECT o.channel, order_id, count(*) AS n FROM lines JOIN orders AS o USING (order_id) GROUP BY 1, 2)"
EVENT_DAYS = """(day BETWEEN DATE '2024-11-29' AND DATE '2024-12-02'
                 OR day BETWEEN DATE '2025-11-28' AND DATE '2025-12-01'
                 OR (month(day) = 12 AND day(day) >= 26))"""
MONEY = [
    Check("AOV in store vs online", f"SELECT ({AOV.format(ch='pos')}) / ({AOV.format(ch='web')}) FROM sales",
          1.15, 3.0, "x", "store baskets are bigger than online ones"),
    Check("AOV across currencies in AUD (highest / lowest)",
          """SELECT max(aov) / min(aov)
             FROM (SELECT sum(net_aud) / count(DISTINCT order_id) AS aov FROM sales GROUP BY currency)""",
          1.04, 1.8, "x", "markets differ in prices and baskets"),
    Check("selling prices per product and market in two years (median)",
          """SELECT median(n) FROM (SELECT count(DISTINCT unit_price) AS n, count(*) AS sold
                                    FROM sales GROUP BY product_id, currency) WHERE sold >= 20""",
          1, 3, "", "local price points are stable and change now and then, not with every exchange-rate tick"),
    Check("unit prices on a price point (.99 .95 .49)",
          "SELECT avg((round(unit_price * 100)::BIGINT % 100 IN (99, 95, 49))::INT) FROM sales", 0.9, 1.0, "%",
          "retail prices end in charm cents"),
    Check("average discount: Black Friday to Cyber Monday, Boxing Day sales",
          f"SELECT avg(discount) FROM sales WHERE {EVENT_DAYS}", 0.08, 0.30, "%", "campaigns drive deep discounts"),
    Check("average discount outside campaigns (Feb-May, Aug, Oct)",
          "SELECT avg(discount) FROM sales WHERE month(day) IN (2, 3, 4, 5, 8, 10)", 0.005, 0.06, "%",
          "outside campaigns few lines are marked down"),
    Check("coupons used outside their rules",
          """SELECT count(*)
             FROM (SELECT *, min(order_id) OVER (PARTITION BY customer_id) AS first_order FROM orders) AS o
             JOIN customers AS c USING (customer_id) WHERE
                (coupon_code = 'BLACKFRIDAY' AND NOT (day BETWEEN DATE '2024-11-29' AND DATE '2024-12-02'
                                                      OR day BETWEEN DATE '2025-11-28' AND DATE '2025-12-01'))
             OR (coupon_code = 'XMAS10' AND NOT (month(day) = 12 AND day(day) <= 24))
             OR (coupon_code = 'EOFY20' AND NOT (month(day) = 6 AND store_country = 'AU'))
             OR (coupon_code = 'VIP25' AND c.is_vip <> 'true')
             OR (coupon_code = 'FREESHIP' AND (channel <> 'web' OR shipping_fee > 0))
             OR (coupon_code = 'WELCOME10'
                 AND (order_utc::DATE > join_ts::TIMESTAMPTZ::DATE + 30 OR order_id <> first_order))""",
          0, 0, "", "a campaign's code only in its campaign (BLACKFRIDAY, XMAS10, EOFY20 in AU); VIP25 for VIPs; "
          "WELCOME10 on a first order; FREESHIP online, without a fee"),
    Check("single-item web orders", f"SELECT avg((n = 1)::INT) FROM {BASKETS} WHERE channel = 'web'", 0.35, 0.60, "%",
          "40-60% of e-commerce orders hold one item"),
    Check("lines per order", "SELECT count(*) / count(DISTINCT order_id) FROM lines", 2.7, 3.7, "",
          "SPEC's 3-4 million lines for about 1.1 million orders"),
]  # fmt: skip

RETURNED = "(SELECT DISTINCT order_id, product_id, true AS returned FROM returns)"
RETURN_RATE = f"SELECT avg(coalesce(returned, false)::INT) FROM sales LEFT JOIN {RETURNED} USING (order_id, product_id)"
PARCELS = """CREATE TEMP TABLE parcels AS
             SELECT s.*, o.store_country AS country, t.tz, delivered_at <= shipped_at + to_days(sla.sla_days) AS on_time
             FROM shipments AS s JOIN orders AS o USING (order_id) JOIN customers AS c USING (customer_id)
             JOIN carrier_sla AS sla USING (carrier)
             JOIN state_tz AS t ON t.state = CASE WHEN c.state_region = 'WA' AND c.country_code = 'US' THEN 'WA_US'
                                                  ELSE c.state_region END
             WHERE delivered_at IS NOT NULL"""
LOCAL_DELIVERY = "(delivered_at AT TIME ZONE tz)"
RETURNS_AND_SHIPPING = [
    Check("return rate: fashion bought online", f"{RETURN_RATE} WHERE category = 'Fashion' AND channel = 'web'",
          0.08, 0.30, "%", "apparel bought online comes back most (15-30% in the trade; SPEC sizes the returns table)"),
    Check("return rate: electronics", f"{RETURN_RATE} WHERE category = 'Electronics'", 0.015, 0.10, "%",
          "electronics 2-10%"),
    Check("return rate: grocery", f"{RETURN_RATE} WHERE category = 'Grocery'", 0.0, 0.01, "%",
          "groceries are almost never returned"),
    Check("return rate online vs in store",
          f"SELECT ({RETURN_RATE} WHERE channel = 'web') / ({RETURN_RATE} WHERE channel = 'pos')", 1.5, 5.0, "x",
          "online purchases come back two to three times as often"),
    Check("returns within 14 days of delivery or purchase",
          """SELECT avg((r.return_ts <= coalesce(d.delivered, o.order_utc) + INTERVAL 14 DAY)::INT)
             FROM returns AS r JOIN orders AS o USING (order_id)
             LEFT JOIN (SELECT order_id, max(delivered_at) AS delivered FROM shipments GROUP BY 1) AS d
                 USING (order_id)""",
          0.5, 0.9, "%", "returns are front-loaded"),
    Check("on-time deliveries (carrier SLA)", "SELECT avg(on_time::INT) FROM parcels", 0.85, 0.95, "%",
          "carriers meet their promise 85-95% of the time"),
    Check("on-time in December minus the year",
          "SELECT avg(on_time::INT) FILTER (WHERE month(shipped_at) = 12) - avg(on_time::INT) FROM parcels",
          -0.15, -0.02, "%", "the peak season strains the network"),
    Check("leading carrier's share (smallest over countries)",
          """SELECT min(top) FROM (SELECT max(n) / sum(n) AS top
                                   FROM (SELECT country, carrier, count(*) AS n FROM parcels GROUP BY 1, 2)
                                   GROUP BY country)""",
          0.40, 0.70, "%", "each market has a dominant carrier (the postal operator)"),
    Check("shipped orders in two or more parcels",
          "SELECT avg((n > 1)::INT) FROM (SELECT order_id, count(*) AS n FROM shipments GROUP BY 1)", 0.08, 0.22, "%",
          "10-20% of orders ship split"),
    Check("shipping cost vs units in the parcel (correlation, single-parcel AUD orders)",
          """SELECT corr(ship_cost::DOUBLE, units) FROM (
               SELECT s.order_id, any_value(s.ship_cost) AS ship_cost, sum(l.qty) AS units
               FROM (SELECT * FROM shipments QUALIFY count(*) OVER (PARTITION BY order_id) = 1) AS s
               JOIN lines AS l USING (order_id) JOIN orders AS o USING (order_id)
               WHERE o.currency = 'AUD' GROUP BY 1)""",
          0.2, 1.0, "", "carriers charge by weight and zone"),
    Check("deliveries at night (21:00-07:00 local)",
          f"SELECT avg((hour({LOCAL_DELIVERY}) < 7 OR hour({LOCAL_DELIVERY}) >= 21)::INT) FROM parcels",
          0.0, 0.01, "%", "parcels arrive in the daytime"),
    Check("deliveries on Sundays", f"SELECT avg((dayofweek({LOCAL_DELIVERY}) = 0)::INT) FROM parcels", 0.0, 0.02, "%",
          "carriers rest on Sundays"),
]  # fmt: skip

STORE_VOLUME = """CREATE TEMP TABLE store_volume AS
                  SELECT s.store_id, s.floor_area_sqm::DOUBLE AS area, count(o.order_id) AS orders
                  FROM stores AS s LEFT JOIN orders AS o ON o.store_id = s.store_id::BIGINT AND o.channel = 'pos'
                  WHERE s.channel = 'pos' GROUP BY 1, 2"""
STORES = [
    Check("busiest 10% of stores: share of in-store orders",
          TOP_SHARE.format(top="ceil(0.1 * n)", values="SELECT orders AS value FROM store_volume"), 0.25, 0.60, "%",
          "flagships and big boxes trade far more than corner stores"),
    Check("floor area vs in-store orders (rank correlation)",
          """SELECT corr(ra, ro) FROM (SELECT rank() OVER (ORDER BY area) AS ra, rank() OVER (ORDER BY orders) AS ro
                                       FROM store_volume WHERE orders > 0)""",
          0.3, 1.0, "", "bigger stores sell more; the size is an attribute of the store, not derived from its sales"),
    Check("stores opening or closing within the window",
          """SELECT avg((open_dt::DATE >= DATE '2024-01-01'
                         OR coalesce(close_dt::DATE BETWEEN DATE '2024-01-01' AND DATE '2025-12-31', false))::INT)
             FROM stores WHERE channel = 'pos'""",
          0.02, 0.12, "%", "a store network changes: some stores open and some close every year"),
]  # fmt: skip

MIX = """SELECT (sum(net_aud) FILTER (WHERE category = '{c}' AND month(day) = {a})
                 / sum(net_aud) FILTER (WHERE month(day) = {a}))
              / (sum(net_aud) FILTER (WHERE category = '{c}' AND month(day) = {b})
                 / sum(net_aud) FILTER (WHERE month(day) = {b}))
         FROM sales {where}"""
CATEGORY_MIX = [
    Check("toys' revenue share, December vs July", MIX.format(c="Toys", a=12, b=7, where=""), 1.5, 5.0, "x",
          "toys sell for Christmas"),
    Check("electronics' revenue share, November vs March", MIX.format(c="Electronics", a=11, b=3, where=""),
          1.1, 3.0, "x", "Black Friday and Christmas lift electronics"),
    Check("sports' revenue share in AU, January vs July",
          MIX.format(c="Sports", a=1, b=7, where="WHERE currency = 'AUD'"), 1.1, 3.0, "x",
          "outdoor sport follows the southern summer"),
]  # fmt: skip

AMBIENT = """CREATE TEMP TABLE ambient AS
             SELECT s.*, hour(ts AT TIME ZONE t.tz) AS local_hour, month(ts AT TIME ZONE t.tz) AS local_month
             FROM sensors AS s JOIN state_tz AS t USING (state)
             WHERE shelf_id LIKE 'AMB%' AND temp BETWEEN -30 AND 50"""
WARMEST = (
    "(SELECT arg_max(local_month, t) AS m FROM (SELECT local_month, avg(temp) AS t FROM ambient WHERE {w} GROUP BY 1))"
)
SENSORS = [
    Check("ambient shelves: day/night swing (°C)",
          "SELECT max(t) - min(t) FROM (SELECT local_hour, avg(temp) AS t FROM ambient GROUP BY 1)", 0.8, 5.0, "",
          "rooms warm up in trading hours and cool at night"),
    Check("ambient shelves: seasonal swing in Australia (°C, monthly means)",
          "SELECT max(t) - min(t) FROM (SELECT local_month, avg(temp) AS t FROM ambient WHERE south GROUP BY 1)",
          1.0, 8.0, "", "shops are warmer in summer"),
    Check("months between the warmest month north and south",
          f"SELECT least(abs(n.m - s.m), 12 - abs(n.m - s.m)) FROM {WARMEST.format(w='NOT south')} AS n, "
          f"{WARMEST.format(w='south')} AS s",
          4, 6, "", "the hemispheres' summers are six months apart"),
    Check("ambient shelves: lag-1 autocorrelation",
          """SELECT corr(temp, prev) FROM (
               SELECT temp, lag(temp) OVER (PARTITION BY store_id, shelf_id ORDER BY ts) AS prev FROM ambient)""",
          0.5, 0.995, "", "a reading is close to the one before"),
    Check("ambient shelves: spread of store means (°C, standard deviation)",
          "SELECT stddev(t) FROM (SELECT store_id, avg(temp) AS t FROM ambient GROUP BY 1)", 0.2, 2.5, "",
          "stores differ (building, climate control)"),
    Check("out-of-range readings per fault episode (mean run)",
          """SELECT count(*) FILTER (WHERE bad) / count(*) FILTER (WHERE bad AND NOT coalesce(prev_bad, false)) FROM (
               SELECT bad, lag(bad) OVER (PARTITION BY store_id, shelf_id ORDER BY ts) AS prev_bad
               FROM (SELECT store_id, shelf_id, ts, NOT (temp BETWEEN -30 AND 50 AND hum BETWEEN 0 AND 100) AS bad
                     FROM sensors))""",
          3, 60, "", "a faulty sensor stays faulty for hours, not a single spike"),
]  # fmt: skip

SESSIONS = """CREATE TEMP TABLE sessions AS
              SELECT session_id, any_value(user_id) AS user_id, min(ts) AS first_ts, max(ts) AS last_ts,
                     count(*) AS events, max(order_id) FILTER (WHERE event_type = 'checkout') AS order_id,
                     max(ts) FILTER (WHERE event_type = 'checkout') AS checkout_ts,
                     min(ts) FILTER (WHERE event_type = 'add_to_cart') AS cart_ts
              FROM events GROUP BY 1"""
CLICKSTREAM = [
    Check("median session length (minutes)",
          "SELECT median(epoch(last_ts - first_ts)) / 60 FROM sessions WHERE events > 1", 1, 15, "",
          "visits last minutes, not hours"),
    Check("sessions that convert", "SELECT avg((order_id IS NOT NULL)::INT) FROM sessions", 0.015, 0.045, "%",
          "e-commerce converts 2-4% of sessions"),
    Check("checkouts of the visitor's own web order, within the hour before it",
          """SELECT avg((o.customer_id = s.user_id AND o.channel = 'web'
                        AND s.checkout_ts BETWEEN o.order_utc - INTERVAL 1 HOUR AND o.order_utc)::INT)
             FROM sessions AS s LEFT JOIN orders AS o USING (order_id) WHERE s.order_id IS NOT NULL""",
          0.98, 1.0, "%", "a checkout belongs to that customer's order, just before it (orders with an orphaned "
          "customer reference, an injected anomaly, aside)"),
    Check("converting sessions with a cart before the checkout",
          "SELECT avg((cart_ts < checkout_ts)::INT) FROM sessions WHERE order_id IS NOT NULL", 1.0, 1.0, "%",
          "product, cart, then checkout"),
]  # fmt: skip

MOVES = """CREATE TEMP TABLE moves AS
           SELECT day, currency, ln(rate / lag(rate) OVER (PARTITION BY currency ORDER BY day)) AS r
           FROM rates WHERE currency <> 'AUD' AND dayofweek(day) BETWEEN 1 AND 5"""
RATES = [
    Check("correlation of daily moves against AUD (mean over currency pairs)",
          """SELECT avg(c) FROM (SELECT corr(a.r, b.r) AS c FROM moves AS a JOIN moves AS b USING (day)
                                 WHERE a.currency < b.currency GROUP BY a.currency, b.currency)""",
          0.6, 0.9, "", "currencies move together against the Australian dollar (a common factor)"),
    Check("USD/CAD cross rate: largest drift from its start",
          """SELECT max(abs(ln(x / x0))) FROM (
               SELECT u.rate / c.rate AS x, first_value(u.rate / c.rate) OVER (ORDER BY day) AS x0
               FROM rates AS u JOIN rates AS c USING (day) WHERE u.currency = 'USD' AND c.currency = 'CAD')""",
          0.0, 0.12, "%", "cross rates of closely linked currencies stay near their level"),
]  # fmt: skip

INTEGRITY = [
    Check("orders before the customer's join time",
          """SELECT count(*) FROM orders AS o JOIN customers AS c USING (customer_id)
             WHERE o.order_utc < c.join_ts::TIMESTAMPTZ""",
          0, 0, "", "nobody buys before registering"),
    Check("returns before their order's last parcel arrived",
          """SELECT count(*) FROM returns AS r
             JOIN (SELECT order_id, max(delivered_at) AS arrived, count(*) - count(delivered_at) AS in_transit
                   FROM shipments GROUP BY 1) AS s USING (order_id)
             WHERE r.return_ts < s.arrived OR s.in_transit > 0""",
          0, 0, "", "you return what you received"),
    Check("'Arrived late' on orders not shipped",
          """SELECT count(*) FROM returns WHERE reason = 'Arrived late'
             AND order_id NOT IN (SELECT order_id FROM shipments)""",
          0, 0, "", "store purchases carried home cannot arrive late"),
    Check("'Wrong size' outside fashion",
          """SELECT count(*) FROM returns AS r JOIN products AS p ON p.product_id::BIGINT = r.product_id
             WHERE r.reason = 'Wrong size' AND p.category <> 'Fashion'""",
          0, 0, "", "groceries have no size"),
]  # fmt: skip

# (group, tables it builds first, checks)
SECTIONS: list[tuple[str, tuple[str, ...], list[Check]]] = [
    ("Concentration", (), CONCENTRATION),
    ("Customers and cohorts", (), CUSTOMERS),
    ("Geography and channels", (POS_ORDERS,), GEOGRAPHY),
    ("Clocks and calendar", (), CLOCKS),
    ("Prices, discounts, coupons, baskets", (), MONEY),
    ("Returns and shipping", (PARCELS,), RETURNS_AND_SHIPPING),
    ("Stores", (STORE_VOLUME,), STORES),
    ("Category mix", (), CATEGORY_MIX),
    ("Sensors", (AMBIENT,), SENSORS),
    ("Clickstream", (SESSIONS,), CLICKSTREAM),
    ("Exchange rates", (MOVES,), RATES),
    ("Integrity (must be zero)", (), INTEGRITY),
]


def scorecard(raw: Path, groups: tuple[str, ...] = ()) -> list[Metric]:
    """The metrics of the given groups (default: all), measured on the base run in `raw`."""
    metrics = []
    with tempfile.TemporaryDirectory() as workdir:
        con = connect(raw, Path(workdir), materialize=not groups)
        try:
            for group, setup, checks in SECTIONS:
                if groups and group not in groups:
                    continue
                for sql in setup:
                    con.sql(sql)
                for c in checks:
                    row = con.sql(c.sql).fetchone()
                    value = None if row is None or row[0] is None else float(row[0])
                    metrics.append(Metric(group, c.name, value, c.low, c.high, c.unit, c.why))
        finally:
            con.close()
    return metrics


NOTES = """\
## Figures SPEC's volumes force

- **Web share and store volumes.** SPEC asks for ~1.1M orders, ~1M shipments, 5,000 stores and 80,000 customers.
  With nine orders in ten delivered, the orders feed is read as the retailer's *identified* orders (loyalty members
  and online accounts): every web order is identified, an in-store sale only when a card is swiped or the goods are
  delivered home. So about two thirds of the feed is online and an average store records a few identified orders a
  week. A store size attribute (`floor_area_sqm`, flagship to express store), home stores chosen by distance and
  size, and customers spread by city population make that spread plausible: flagships and big boxes trade far more
  than corner stores.
- **Orders per customer.** 1.1M orders over 80,000 customers is about 14 orders each in two years, so one-time
  buyers stay below e-commerce's usual 50-70%; churn, a capped purchase frequency and the sign-up curve keep the
  tail plausible.
- **Clickstream.** ~2M events against ~700,000 web orders: the events are a sample of sessions (as analytics tools
  sample), so about 2% of web orders have their session in the feed, and conversion within the feed stays at a
  realistic few percent.
- **Returns.** SPEC sizes the returns table (~100,000, about 3% of lines); return rates keep their real proportions
  between categories and channels at that level.
"""


def render(metrics: list[Metric], raw: Path) -> str:
    manifest = json.loads((raw / "_manifest.json").read_text())
    passed = sum(m.passed for m in metrics)
    lines = [
        "# Data realism scorecard",
        "",
        "Written by `make realism` (`python -m benchmarks.realism --raw DIR --write`) from a dataset generated with "
        f"seed {manifest['seed']} at scale {manifest['scale']} (generator {manifest['generator_version']}) on "
        f"{datetime.now(UTC):%Y-%m-%d}. Every value is measured on the raw files with DuckDB, independently of the "
        "generator's code; each range is a rule of thumb from retail practice, with its reason. "
        f"**{passed} of {len(metrics)} metrics in range.**",
    ]
    group = None
    for m in metrics:
        if m.group != group:
            group = m.group
            lines += [
                "",
                f"## {group}",
                "",
                "| metric | value | range | pass | why this range |",
                "|---|---:|---|---|---|",
            ]
        lines.append(
            f"| {m.name} | {m.shown(m.value)} | {m.range_text} | {'yes' if m.passed else '**NO**'} | {m.why} |"
        )
    return "\n".join(lines) + "\n\n" + NOTES


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=Path, required=True, help="a generated dataset (its base run is measured)")
    parser.add_argument("--write", action="store_true", help=f"replace {REPORT.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    metrics = scorecard(args.raw)
    text = render(metrics, args.raw)
    if args.write:
        REPORT.write_text(text)
    print(text)
    failed = [m.name for m in metrics if not m.passed]
    if failed:
        print(f"{len(failed)} metric(s) out of range: {'; '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
