"""The report's slicers (date range, regions, categories) and the filtered relations every
measure and chart is written against.

Each `*_CTE` below is one `WITH` entry over the Gold relations of the scope's connection. They
apply region and category (empty = all); the date window is applied by the query, because
YTD, YoY and rolling measures need windows of their own. Parameters are DuckDB named
parameters (`$regions`, ...) from `Slicers.params()`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta


def date_key(day: date) -> int:
    """Gold's yyyymmdd date key."""
    return day.year * 10000 + day.month * 100 + day.day


def shift_years(day: date, years: int) -> date:
    """The same day `years` earlier or later; 29 February becomes the 28th (as DuckDB's
    `date - INTERVAL 1 YEAR`)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class Slicers:
    start: date
    end: date
    regions: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()

    def params(self, **extra) -> dict:
        prior_start, prior_end = shift_years(self.start, -1), shift_years(self.end, -1)
        return {
            "start_key": date_key(self.start),
            "end_key": date_key(self.end),
            "start_date": self.start,
            "end_date": self.end,
            "prior_start_key": date_key(prior_start),
            "prior_end_key": date_key(prior_end),
            "ytd_start_key": date_key(self.end.replace(month=1, day=1)),
            "mtd_start_key": date_key(self.end.replace(day=1)),
            "rolling_start_key": date_key(self.end - timedelta(days=29)),
            "regions": list(self.regions),
            "categories": list(self.categories),
            **extra,
        }

    def with_categories(self, *categories: str) -> Slicers:
        return replace(self, categories=tuple(categories))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


REGION_MATCH = "(len($regions) = 0 OR list_contains($regions, st.region))"
CATEGORY_MATCH = "(len($categories) = 0 OR list_contains($categories, p.category))"

# Order lines (fct_sales as `sales_lines`, with region and category) in the slicers.
SALES_CTE = """sales AS (
    SELECT * FROM sales_lines
    WHERE (len($regions) = 0 OR list_contains($regions, region))
      AND (len($categories) = 0 OR list_contains($categories, category))
)"""

# Additive sales per day (sales_daily) in the slicers: the rows of the picked categories, or the
# rows that hold every category together when none is picked.
DAILY_CTE = """daily AS (
    SELECT * FROM sales_daily
    WHERE (len($regions) = 0 OR list_contains($regions, region))
      AND CASE WHEN len($categories) = 0 THEN all_categories
               ELSE NOT all_categories AND list_contains($categories, category) END
)"""

# The same order lines with the store's and product's names, for charts that show them.
SALES_DETAIL_CTE = """sales AS (
    SELECT f.*, st.state, st.store_code, st.store_name, st.store_label, st.latitude, st.longitude,
           p.subcategory, p.product_name, p.sku, p.product_id
    FROM sales_lines AS f
    JOIN dim_store AS st ON st.store_key = f.store_key
    JOIN dim_product AS p ON p.product_key = f.product_key
    WHERE (len($regions) = 0 OR list_contains($regions, f.region))
      AND (len($categories) = 0 OR list_contains($categories, f.category))
)"""

# Every column of the order lines (fct_sales) with the store's label and the product's SKU, in
# the region and category slicers: for pages that list lines, not for aggregates.
ORDER_LINES_CTE = f"""order_lines AS (
    SELECT f.*, st.store_label, p.sku
    FROM fct_sales AS f
    JOIN dim_store AS st ON st.store_key = f.store_key
    JOIN dim_product AS p ON p.product_key = f.product_key
    WHERE {REGION_MATCH} AND {CATEGORY_MATCH}
)"""

# Returns (fct_returns) with the UTC date of the order they return from.
RETURNS_CTE = f"""returns AS (
    SELECT r.*, CAST(r.order_ts AS DATE) AS order_date, st.region, st.store_name, p.category, p.product_name, p.sku
    FROM fct_returns AS r
    JOIN dim_store AS st ON st.store_key = r.store_key
    JOIN dim_product AS p ON p.product_key = r.product_key
    WHERE {REGION_MATCH} AND {CATEGORY_MATCH}
)"""

# Shipments (fct_shipments); with a category slicer, those of orders holding a line of it.
SHIPMENTS_CTE = f"""shipments AS (
    SELECT s.*, st.region, st.store_name, st.store_code, st.store_label
    FROM fct_shipments AS s
    JOIN dim_store AS st ON st.store_key = s.store_key
    WHERE {REGION_MATCH}
      AND (len($categories) = 0 OR s.order_number IN (
            SELECT order_number FROM sales_lines WHERE list_contains($categories, category)))
)"""

# Hourly shelf sensor readings (fct_sensor_readings) of the stores in the region slicer.
SENSORS_CTE = f"""sensors AS (
    SELECT r.*, st.region, st.store_name, st.store_code, st.store_label
    FROM fct_sensor_readings AS r
    JOIN dim_store AS st ON st.store_key = r.store_key
    WHERE {REGION_MATCH}
)"""

PERIOD = "date_key BETWEEN $start_key AND $end_key"


def with_(*ctes: str) -> str:
    return "WITH " + ",\n".join(ctes) + "\n"
