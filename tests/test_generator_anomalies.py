"""An independent recount of every anomaly class from the raw files equals the log,
and rows not in the log are clean."""

from __future__ import annotations

import json

import polars as pl
import pytest
from raw_readers import load_log, logged, parse_event, read_events, read_many

from generators.reference import CARRIER_SLA_DAYS

EMAIL = r"^[a-z0-9._%+-]+@[a-z0-9-]+(\.[a-z0-9-]+)+$"


def ids(frame: pl.DataFrame, column: str) -> set:
    return set(frame[column].cast(pl.Int64).to_list())


def first(rows: set[tuple], n: int = 1) -> set:
    return {r[:n] if n > 1 else r[0] for r in rows}


@pytest.fixture(scope="module")
def text(raw):
    return {name: pl.read_csv(raw / f"{name}.csv", infer_schema=False) for name in ("customers", "products", "stores")}


def test_every_class_is_present_and_counted(raw):
    log = load_log(raw)
    for source, classes in log["sources"].items():
        for name, entry in classes.items():
            assert entry["count"] == len(entry["rows"]) > 0, f"{source}.{name}"
            assert len({tuple(r) for r in entry["rows"]}) == entry["count"], f"{source}.{name} has repeats"


def test_customer_emails(raw, text):
    c = text["customers"]
    bad = c.filter(~c["email"].str.contains(EMAIL))
    assert ids(bad, "customer_id") == first(logged(raw, "customers", "malformed_email"))


def test_customer_duplicate_natural_keys(raw, text):
    c = text["customers"]
    groups = (
        c.group_by("natural_key").agg(pl.col("customer_id").cast(pl.Int64)).filter(pl.col("customer_id").list.len() > 1)
    )
    found = {(max(g), min(g), k) for k, g in groups.iter_rows()}
    rows = logged(raw, "customers", "duplicate_natural_key")
    assert {frozenset((a, b)) for a, b, _ in rows} == {frozenset((a, b)) for a, b, _ in found}
    assert {k for *_, k in rows} == {k for *_, k in found}
    # The duplicate is the later registration: higher id, later join_ts (so "keep the
    # first registration" is a rule Silver can apply).
    joined = dict(zip(c["customer_id"].cast(pl.Int64), c["join_ts"], strict=True))
    for dup, original, _ in rows:
        assert dup > original and joined[dup] > joined[original]


def test_customer_missing_contact(raw, text):
    c = text["customers"]
    bad = c.filter(
        pl.col("phone").is_null()
        | pl.col("address_line1").is_null()
        | (pl.col("city").is_null() & pl.col("postcode").is_null())
    )
    assert ids(bad, "customer_id") == first(logged(raw, "customers", "missing_contact"))
    # Clean rows never miss a city or postcode alone.
    assert c.filter(pl.col("city").is_null() ^ pl.col("postcode").is_null()).height == 0


def test_product_prices(raw, text):
    p = text["products"]
    price = p["current_price"].cast(pl.Float64, strict=False)
    bad = p.filter(price.is_null() | (price <= 0))
    assert ids(bad, "product_id") == first(logged(raw, "products", "invalid_price"))
    kinds = {k for _, k in logged(raw, "products", "invalid_price")}
    assert kinds <= {"missing", "zero", "negative", "non_numeric"}


def test_discontinued_without_date(raw, text):
    p = text["products"]
    bad = p.filter((pl.col("is_discontinued") == "true") & pl.col("discontinued_dt").is_null())
    assert ids(bad, "product_id") == first(logged(raw, "products", "discontinued_without_date"))
    assert p.filter((pl.col("is_discontinued") == "false") & pl.col("discontinued_dt").is_not_null()).height == 0


def test_store_coordinates(raw, text):
    s = text["stores"]
    lat, lon = s["latitude"].cast(pl.Float64), s["longitude"].cast(pl.Float64)
    bad = s.filter((lat.abs() > 90) | (lon.abs() > 180))
    assert ids(bad, "store_id") == first(logged(raw, "stores", "impossible_coordinates"))


def test_store_codes(raw, text):
    s = text["stores"]
    groups = s.group_by("store_code").agg(pl.col("store_id").cast(pl.Int64)).filter(pl.col("store_id").list.len() > 1)
    found = {frozenset(g) for _, g in groups.iter_rows()}
    assert found == {frozenset((a, b)) for a, b, _ in logged(raw, "stores", "duplicate_store_code")}
    assert all(dup > original for dup, original, _ in logged(raw, "stores", "duplicate_store_code"))


@pytest.fixture(scope="module")
def headers(raw):
    return read_many(raw, "orders_header/*/*.csv")


@pytest.fixture(scope="module")
def lines(raw):
    return read_many(raw, "orders_lines/*/*.csv")


def test_orphan_references(raw, text, headers):
    customers, stores = ids(text["customers"], "customer_id"), ids(text["stores"], "store_id")
    h = headers.unique("order_id")
    bad_c = {
        (o, "customer_id")
        for o, c in zip(h["order_id"].cast(pl.Int64), h["customer_id"].cast(pl.Int64), strict=True)
        if c not in customers
    }
    bad_s = {
        (o, "store_id")
        for o, s in zip(h["order_id"].cast(pl.Int64), h["store_id"].cast(pl.Int64), strict=True)
        if s not in stores
    }
    assert bad_c | bad_s == logged(raw, "orders_header", "orphan_reference")


def test_duplicate_orders_across_files(raw, headers):
    counts = headers.group_by("order_id").agg(pl.col("file").n_unique().alias("files"), pl.len().alias("n"))
    dup = counts.filter(pl.col("n") > 1)
    assert dup["files"].min() == 2 and dup["n"].max() == 2  # each copy in another file
    copies = headers.filter(
        pl.col("order_id").is_in(dup["order_id"].implode())
        & (("orders_header/order_dt=" + pl.col("order_dt_local")) != pl.col("file").str.extract(r"^(.*)/part"))
    )
    found = {(int(o), f) for o, f in zip(copies["order_id"], copies["file"], strict=True)}
    assert found == logged(raw, "orders_header", "duplicate_order_id")
    # The copy is the same order, byte for byte.
    body = headers.drop("file", "line").filter(pl.col("order_id").is_in(dup["order_id"].implode()))
    assert body.unique().height == dup.height


def test_order_line_anomalies(raw, text, lines):
    products = ids(text["products"], "product_id")
    key = lambda f: {(int(o), int(n)) for o, n in zip(f["order_id"], f["line_number"], strict=True)}  # noqa: E731
    orphan = lines.filter(~pl.col("product_id").cast(pl.Int64).is_in(list(products)))
    assert key(orphan) == logged(raw, "orders_lines", "invalid_product_id")
    assert key(lines.filter(pl.col("qty").cast(pl.Int64) <= 0)) == logged(raw, "orders_lines", "non_positive_qty")
    assert key(lines.filter(pl.col("unit_price").cast(pl.Float64) <= 0)) == logged(raw, "orders_lines", "zero_price")
    discount = pl.col("line_discount_pct").cast(pl.Float64)
    assert key(lines.filter((discount < 0) | (discount > 1))) == logged(raw, "orders_lines", "discount_out_of_range")


def test_event_anomalies(raw):
    malformed, missing = set(), set()
    for file, line, body in read_events(raw):
        event = parse_event(body)
        if event is None:
            malformed.add((file, line))
            continue
        for field in ("event_id", "event_ts", "event_type", "user_id", "session_id"):
            if field not in event:
                missing.add((file, line, field))
    assert malformed == logged(raw, "events", "malformed_json")
    assert missing == logged(raw, "events", "missing_envelope_field")


def test_sensor_anomalies(raw):
    s = read_many(raw, "sensors/*/*/*.csv")
    t, h = pl.col("temperature_c").cast(pl.Float64), pl.col("humidity_pct").cast(pl.Float64)
    out_t = s.filter((t < -30) | (t > 50)).with_columns(column=pl.lit("temperature_c"))
    out_h = s.filter((h < 0) | (h > 100)).with_columns(column=pl.lit("humidity_pct"))
    found = {(f, int(n), c) for f, n, c in pl.concat([out_t, out_h]).select("file", "line", "column").iter_rows()}
    assert found == logged(raw, "sensors", "out_of_range")
    blank = s.filter(pl.col("sensor_ts").is_null())
    assert {(f, int(n)) for f, n in blank.select("file", "line").iter_rows()} == logged(
        raw, "sensors", "missing_sensor_ts"
    )


def test_shipment_anomalies(raw):
    s = pl.read_parquet(raw / "shipments" / "*.parquet")
    transit = s.filter(pl.col("delivered_at").is_null())
    assert set(transit["shipment_id"]) == first(logged(raw, "shipments", "in_transit"))
    sla = pl.col("carrier").replace_strict(CARRIER_SLA_DAYS, return_dtype=pl.Int64)
    late = s.filter(pl.col("delivered_at") > pl.col("shipped_at") + pl.duration(days=1) * sla)
    assert {(i, c) for i, c in late.select("shipment_id", "carrier").iter_rows()} == logged(
        raw, "shipments", "late_delivery"
    )


def test_anomalies_are_spread_not_first_rows(raw):
    log = json.loads((raw / "_anomalies.json").read_text())
    orphans = sorted(r[0] for r in log["sources"]["orders_header"]["orphan_reference"]["rows"])
    n_orders = json.loads((raw / "_manifest.json").read_text())["sources"]["orders_header"]["rows"]
    assert orphans[-1] > n_orders / 2 and orphans[0] < n_orders / 2
    lines = log["sources"]["orders_lines"]["invalid_product_id"]["rows"]
    assert len({r[0] for r in lines}) > 0.8 * len(lines)  # not clustered in one order


def test_rates_match_spec(raw):
    """Counts per class sit in SPEC's ranges (rates of the population)."""
    log = load_log(raw)["sources"]
    manifest = json.loads((raw / "_manifest.json").read_text())["sources"]
    rate = lambda s, c: log[s][c]["count"] / manifest[s]["rows"]  # noqa: E731
    assert 0.005 <= rate("customers", "malformed_email") <= 0.011
    assert 0.005 <= rate("orders_header", "orphan_reference") <= 0.015
    assert 0.005 <= rate("orders_lines", "invalid_product_id") <= 0.015
    assert 0.001 <= rate("sensors", "out_of_range") <= 0.005
