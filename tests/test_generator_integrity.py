"""Clean rows obey the business rules: valid references (~99%) and consistent timelines."""

from __future__ import annotations

import polars as pl
import pytest
from deltalake import DeltaTable
from raw_readers import logged, read_csv_typed, read_many

import schemas


@pytest.fixture(scope="module")
def tables(raw):
    def typed(name):
        return pl.from_arrow(read_csv_typed(raw / f"{name}.csv", schemas.RAW_SCHEMAS[name]))

    headers = read_many(raw, "orders_header/*/*.csv", schemas.ORDERS_HEADER).unique("order_id")
    lines = read_many(raw, "orders_lines/*/*.csv", schemas.ORDERS_LINES)
    products = pl.read_csv(raw / "products.csv", infer_schema=False).select(
        pl.col("product_id").cast(pl.Int64),
        pl.col("introduced_dt").str.to_date(),
        pl.col("discontinued_dt").str.to_date(),
    )
    return {
        "customers": typed("customers"),
        "stores": typed("stores"),
        "products": products,
        "headers": headers,
        "lines": lines,
        "shipments": pl.read_parquet(raw / "shipments" / "*.parquet"),
        "returns": pl.from_arrow(DeltaTable(raw / "returns").to_pyarrow_table()),
    }


def valid_share(child: pl.DataFrame, key: str, parent: pl.DataFrame, parent_key: str) -> float:
    return child[key].is_in(parent[parent_key].implode()).mean()


def test_foreign_keys_are_about_99_percent_valid(tables):
    t = tables
    assert 0.985 <= valid_share(t["headers"], "customer_id", t["customers"], "customer_id") < 1
    assert 0.985 <= valid_share(t["headers"], "store_id", t["stores"], "store_id") < 1
    assert 0.98 <= valid_share(t["lines"], "product_id", t["products"], "product_id") < 1
    assert valid_share(t["lines"], "order_id", t["headers"], "order_id") == 1
    assert valid_share(t["shipments"], "order_id", t["headers"], "order_id") == 1
    assert valid_share(t["returns"], "order_id", t["headers"], "order_id") == 1


def test_customers_order_after_joining(tables):
    joined = tables["headers"].join(tables["customers"], on="customer_id")
    assert joined.height > 0.98 * tables["headers"].height
    assert (joined["join_ts"] < joined["order_ts"]).all()


def test_products_sold_within_their_lifetime(tables, raw):
    lines = tables["lines"].join(tables["headers"].select("order_id", "order_dt_local"), on="order_id")
    sold = lines.join(tables["products"], on="product_id")
    assert (sold["introduced_dt"] <= sold["order_dt_local"]).all()
    undated = {r[0] for r in logged(raw, "products", "discontinued_without_date")}
    dated = sold.filter(pl.col("discontinued_dt").is_not_null())
    assert (dated["order_dt_local"] < dated["discontinued_dt"]).all()
    assert undated  # the undated ones exist; their real stop date is unknown by design


def test_shipping_timeline(tables):
    s = tables["shipments"].join(tables["headers"].select("order_id", "order_ts"), on="order_id")
    assert (s["order_ts"] < s["shipped_at"]).all()
    delivered = s.filter(pl.col("delivered_at").is_not_null())
    assert (delivered["shipped_at"] < delivered["delivered_at"]).all()


def test_returns_follow_their_order(tables):
    r = tables["returns"].join(tables["headers"].select("order_id", "order_ts"), on="order_id")
    assert r.height == tables["returns"].height
    assert (r["order_ts"] < r["return_ts"]).all()
    assert (r["qty"] > 0).all()
    pairs = tables["lines"].select("order_id", "product_id").unique()
    assert r.join(pairs, on=["order_id", "product_id"]).height == r.height  # returned what was bought


def test_clean_lines_obey_price_and_discount_rules(tables, raw):
    flagged = set()
    for name in ("non_positive_qty", "zero_price", "discount_out_of_range"):
        flagged |= logged(raw, "orders_lines", name)
    lines = tables["lines"].filter(
        ~pl.struct("order_id", "line_number").is_in(
            pl.DataFrame(sorted(flagged), schema=["order_id", "line_number"], orient="row")
            .cast({"line_number": pl.Int32})
            .to_struct()
            .implode()
        )
    )
    assert (lines["qty"] > 0).all() and (lines["unit_price"] > 0).all()
    assert lines["line_discount_pct"].cast(pl.Float64).is_between(0, 1).all()
    assert lines["tax_pct"].cast(pl.Float64).is_between(0, 1).all()


def test_realistic_shapes(tables):
    h = tables["headers"]
    by_weekday = h.group_by(pl.col("order_dt_local").dt.weekday()).len().sort("order_dt_local")["len"]
    assert by_weekday[5] > by_weekday[1]  # Saturday busier than Tuesday
    per_customer = h.group_by("customer_id").len()["len"].sort(descending=True)
    top_decile = per_customer.head(max(1, per_customer.len() // 10)).sum()
    assert top_decile > 0.25 * h.height  # skewed (power-law) purchases
    dec = h.filter(pl.col("order_dt_local").dt.month() == 12).height
    feb = h.filter(pl.col("order_dt_local").dt.month() == 2).height
    assert dec > 1.3 * feb  # seasonal peak
    assert h["currency"].n_unique() >= 3 and h["channel"].n_unique() == 2
