"""Clean rows obey the business rules: valid references (~99%) and consistent timelines."""

from __future__ import annotations

import polars as pl
import pytest
from deltalake import DeltaTable
from raw_readers import logged, parse_event, read_csv_typed, read_events, read_many

import schemas
from generators.reference import CARRIER_SLA_DAYS


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
        "raw": raw,
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


def test_returns_come_after_the_parcels_arrived(tables):
    """A shipped order is returned after its last parcel arrived, never while one is in transit."""
    parcels = (
        tables["shipments"]
        .group_by("order_id")
        .agg(last=pl.col("delivered_at").max(), in_transit=pl.col("delivered_at").null_count())
    )
    shipped_returns = tables["returns"].join(parcels, on="order_id")
    assert shipped_returns.height > 0
    assert shipped_returns.filter((pl.col("in_transit") > 0) | (pl.col("return_ts") <= pl.col("last"))).height == 0


def test_return_reasons_fit_the_purchase(tables, raw):
    """'Wrong size' only for fashion, 'Spoiled or expired' only for groceries, delivery
    reasons only for shipped orders, 'Arrived late' only when a parcel broke its SLA."""
    category = pl.read_csv(raw / "products.csv", infer_schema=False).select(
        pl.col("product_id").cast(pl.Int64), "category"
    )
    sla = pl.col("carrier").replace_strict(CARRIER_SLA_DAYS, return_dtype=pl.Int64)
    parcels = tables["shipments"].with_columns(
        late=pl.col("delivered_at") > pl.col("shipped_at") + pl.duration(days=1) * sla
    )
    shipped = parcels["order_id"].unique().implode()
    late = parcels.filter(pl.col("late"))["order_id"].unique().implode()
    r = tables["returns"].join(category, on="product_id")
    assert r.height > 0
    breaks = {
        "Wrong size": pl.col("category") != "Fashion",
        "Spoiled or expired": pl.col("category") != "Grocery",
        "Damaged on arrival": ~pl.col("order_id").is_in(shipped),
        "Arrived late": ~pl.col("order_id").is_in(late),
    }
    for reason, wrong in breaks.items():
        assert r.filter((pl.col("reason") == reason) & wrong).height == 0, reason


def test_checkouts_belong_to_the_visitors_own_web_order(tables, raw):
    """A checkout event names an order of that very customer, placed online within the hour after it."""
    checkouts = pl.DataFrame(
        [
            {"user_id": e["user_id"], "ts": e["event_ts"], "order_id": e["payload"]["order_id"]}
            for e in (parse_event(t) for _, _, t in read_events(raw))
            if e and e.get("event_type") == "checkout" and "user_id" in e and "event_ts" in e
        ]
    ).with_columns(pl.col("ts").str.to_datetime(time_zone="UTC"))
    orphaned = {o for o, column in logged(raw, "orders_header", "orphan_reference") if column == "customer_id"}
    joined = checkouts.filter(~pl.col("order_id").is_in(list(orphaned))).join(
        tables["headers"].select("order_id", "customer_id", "channel", "order_ts"), on="order_id"
    )
    assert joined.height > 0 and joined.height == checkouts.filter(~pl.col("order_id").is_in(list(orphaned))).height
    wrong = joined.filter(
        (pl.col("customer_id") != pl.col("user_id"))
        | (pl.col("channel") != "web")
        | ~pl.col("ts").is_between(pl.col("order_ts") - pl.duration(hours=1), pl.col("order_ts"), closed="left")
    )
    assert wrong.height == 0


def test_stores_trade_in_opening_hours_on_trading_days(tables):
    """In-store orders fall within 08:00-21:00 local (Sundays 09:00-18:00), never on Christmas Day."""
    pos = read_many(tables["raw"], "orders_header/*/*.csv").filter(pl.col("channel") == "pos")
    local = pos.with_columns(  # the raw text keeps the local time
        hour=pl.col("order_ts").str.slice(11, 2).cast(pl.Int32),
        day=pl.col("order_dt_local").str.to_date(),
    )
    sunday = pl.col("day").dt.weekday() == 7
    outside = local.filter(
        pl.when(sunday).then(~pl.col("hour").is_between(9, 17)).otherwise(~pl.col("hour").is_between(8, 20))
    )
    assert local.height > 0 and outside.height == 0
    assert local.filter((pl.col("day").dt.month() == 12) & (pl.col("day").dt.day() == 25)).height == 0
