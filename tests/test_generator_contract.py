"""Every generated file casts to its contract; layout, counts and the manifest are right."""

from __future__ import annotations

import json
import re

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import SCALE
from deltalake import DeltaTable
from raw_readers import parse_event, read_csv_typed, read_events, read_xlsx

import schemas

CSV_SOURCES = {
    "customers": "customers.csv",
    "products": "products.csv",
    "stores": "stores.csv",
    "suppliers": "suppliers.csv",
    "orders_header": "orders_header/*/*.csv",
    "orders_lines": "orders_lines/*/*.csv",
    "sensors": "sensors/*/*/*.csv",
}
# Values an anomaly class makes deliberately uncastable (products: non-numeric price).
UNCASTABLE = {"products": ["current_price"]}


@pytest.mark.parametrize("source", sorted(CSV_SOURCES))
def test_csv_files_cast_to_the_contract(raw, source):
    schema = schemas.RAW_SCHEMAS[source]
    if source in UNCASTABLE:  # cast the rest, the anomaly test checks these columns
        schema = pa_schema_without(schema, UNCASTABLE[source])
    paths = sorted(raw.glob(CSV_SOURCES[source]))
    assert paths, f"no files for {source}"
    for path in paths:
        table = read_csv_typed(path, schema)
        assert table.schema.names == schema.names
        header = path.read_text().splitlines()[0].split(",")
        assert header == schemas.RAW_SCHEMAS[source].names, f"{path}: columns differ from the contract"


def pa_schema_without(schema, names):
    return pa.schema([f for f in schema if f.name not in names])


def test_products_price_casts_except_logged_non_numeric(raw):
    text = pl.read_csv(raw / "products.csv", infer_schema=False)
    price = text["current_price"].cast(pl.Decimal(12, 4), strict=False)
    uncastable = text.filter(price.is_null() & text["current_price"].is_not_null())
    log = json.loads((raw / "_anomalies.json").read_text())["sources"]["products"]["invalid_price"]["rows"]
    non_numeric = {pid for pid, kind in log if kind == "non_numeric"}
    assert set(uncastable["product_id"].cast(pl.Int64).to_list()) == non_numeric


def test_event_lines_cast_to_the_envelope(raw):
    lines = read_events(raw)
    assert lines
    parsed = [p for p in (parse_event(t) for _, _, t in lines) if p is not None]
    complete = [p for p in parsed if all(k in p for k in schemas.EVENT_REQUIRED_FIELDS)]
    assert len(complete) > 0.99 * len(lines)
    for field in schemas.EVENT_ENVELOPE:
        column = pa.array([p[field.name] for p in complete]).cast(field.type)
        if not field.nullable:
            assert column.null_count == 0, field.name
    assert {p["event_type"] for p in complete} <= set(schemas.EVENT_TYPES)


def test_payload_shape_depends_on_event_type(raw):
    shapes = {}
    for _, _, text in read_events(raw):
        event = parse_event(text)
        if event and "event_type" in event:
            shapes.setdefault(event["event_type"], set()).add(tuple(sorted(event["payload"])))
    assert set(shapes) == set(schemas.EVENT_TYPES)
    assert all(len(keys) == 1 for keys in shapes.values()), shapes
    assert len({next(iter(k)) for k in shapes.values()}) >= 5


def test_shipments_parquet_match_the_contract(raw):
    paths = sorted(raw.glob("shipments/*.parquet"))
    assert paths
    for path in paths:
        assert pq.read_schema(path).remove_metadata() == schemas.SHIPMENTS


def test_returns_delta_matches_the_evolved_contract(raw):
    table = DeltaTable(raw / "returns").to_pyarrow_table()
    assert table.schema.names == schemas.RETURNS.names
    assert table.cast(schemas.RETURNS).num_rows == table.num_rows


def test_exchange_rates_cover_every_currency_every_day(raw, tmp_path):
    rates = read_xlsx(raw / "exchange_rates.xlsx", tmp_path)
    assert rates.columns == schemas.EXCHANGE_RATES.names
    typed = rates.to_arrow().cast(schemas.EXCHANGE_RATES, safe=False)
    assert typed.num_rows == rates.height
    days = rates["date"].n_unique()
    assert 1090 <= days <= 1110
    assert rates.group_by("date").len()["len"].n_unique() == 1, "a currency is missing on some day"
    span = (rates["date"].max() - rates["date"].min()).days + 1
    assert span == days, "calendar days are missing (weekends must be included)"
    used = set(pl.read_csv(raw / "products.csv", infer_schema=False)["currency"])
    for path in raw.glob("orders_header/*/*.csv"):
        used |= set(pl.read_csv(path, infer_schema=False)["currency"])
    assert used <= set(rates["currency"])
    headers = pl.concat([pl.read_csv(p, infer_schema=False) for p in raw.glob("orders_header/*/*.csv")])
    order_days = headers["order_dt_local"].str.to_date()
    assert rates["date"].min() <= order_days.min() and order_days.max() <= rates["date"].max()


PARTITION_PATTERNS = {
    "orders_header": r"orders_header/order_dt=\d{4}-\d{2}-\d{2}/part-\d{5}\.csv",
    "orders_lines": r"orders_lines/order_dt=\d{4}-\d{2}-\d{2}/part-\d{5}\.csv",
    "events": r"events/event_dt=\d{4}-\d{2}-\d{2}/events_\d{4}\.jsonl",
    "sensors": r"sensors/store_id=\d+/month=\d{4}-\d{2}/sensors\.csv",
    "shipments": r"shipments/[^/]+\.parquet",
}


def test_partition_layout(raw):
    files = [str(p.relative_to(raw)) for p in raw.rglob("*") if p.is_file()]
    top = {
        "customers.csv",
        "products.csv",
        "stores.csv",
        "suppliers.csv",
        "exchange_rates.xlsx",
        "_manifest.json",
        "_anomalies.json",
    }
    for f in files:
        if f in top or f.startswith(("returns/", "_batches/")):
            continue
        assert any(re.fullmatch(p, f) for p in PARTITION_PATTERNS.values()), f"unexpected file {f}"
    days = {re.search(r"order_dt=([\d-]+)", f).group(1) for f in files if f.startswith("orders_header/")}
    assert len(days) == 731 and min(days) == "2024-01-01" and max(days) == "2025-12-31"
    event_days = {re.search(r"event_dt=([\d-]+)", f).group(1) for f in files if f.startswith("events/")}
    assert event_days == days


def test_rows_sit_in_their_partition(raw):
    headers = pl.concat(
        [
            pl.read_csv(p, infer_schema=False).with_columns(file=pl.lit(p.parent.name))
            for p in raw.glob("orders_header/*/*.csv")
        ]
    )
    misplaced = headers.filter(("order_dt=" + pl.col("order_dt_local")) != pl.col("file"))
    dup_ids = {
        r[0]
        for r in json.loads((raw / "_anomalies.json").read_text())["sources"]["orders_header"]["duplicate_order_id"][
            "rows"
        ]
    }
    # Only the re-delivered copies of duplicated orders sit in another day's file.
    assert set(misplaced["order_id"].cast(pl.Int64)) == dup_ids
    for path in raw.glob("sensors/*/*/*.csv"):
        table = read_csv_typed(path, schemas.SENSORS)
        store = int(path.parts[-3].split("=")[1])
        month = path.parts[-2].split("=")[1]
        frame = pl.from_arrow(table)
        assert frame["store_id"].unique().to_list() == [store]
        stamped = frame["sensor_ts"].drop_nulls().dt.strftime("%Y-%m").unique().to_list()
        assert stamped == [month]
        assert frame.height >= 50  # partitions hold many rows, not a handful


# Targets at scale 1.0 from SPEC; the generator must track them x scale.
SPEC_TARGETS = {
    "customers": (80_000, 0.0),
    "products": (25_000, 0.0),
    "stores": (5_000, 0.0),
    "suppliers": (8_000, 0.0),
    "orders_header": (1_000_000, 0.25),
    "orders_lines": (3_500_000, 0.2),
    "events": (2_000_000, 0.05),
    "sensors": (7_500_000, 0.15),
    "shipments": (1_000_000, 0.2),
    "returns": (100_000, 0.1),
}


def test_row_counts_track_targets_times_scale(raw):
    manifest = json.loads((raw / "_manifest.json").read_text())
    scale = float(SCALE)
    for source, (target, tolerance) in SPEC_TARGETS.items():
        rows = manifest["sources"][source]["rows"]
        expected = target * scale
        if tolerance == 0.0:
            assert rows == round(expected), source
        else:
            assert abs(rows - expected) <= tolerance * expected + 0.05 * expected, (source, rows, expected)


def test_manifest_matches_the_files(raw):
    manifest = json.loads((raw / "_manifest.json").read_text())
    assert manifest["seed"] == 7 and manifest["scale"] == float(SCALE) and manifest["generator_version"]
    assert set(manifest["sources"]) == set(schemas.SOURCES)
    assert manifest["sources"]["customers"]["rows"] == pl.read_csv(raw / "customers.csv").height
    header_files = list(raw.glob("orders_header/*/*.csv"))
    assert manifest["sources"]["orders_header"]["files"] == len(header_files)
    assert manifest["sources"]["orders_header"]["bytes"] == sum(p.stat().st_size for p in header_files)
    assert manifest["sources"]["orders_header"]["rows"] == sum(
        len(p.read_text().splitlines()) - 1 for p in header_files
    )
    assert manifest["sources"]["events"]["rows"] == len(read_events(raw))
    assert manifest["sources"]["returns"]["rows"] == DeltaTable(raw / "returns").to_pyarrow_table().num_rows
