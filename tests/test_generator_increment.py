"""Increment batches: new days, a late partition, change files, no id collisions."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from conftest import INCREMENT, SCALE, SEED, run_generator
from raw_readers import logged, parse_event, read_events, read_many

BATCH = "00731"  # days from 2024-01-01 to the increment's 2026-01-01


def new_files(base: Path, incremented: Path) -> set[str]:
    before = {str(p.relative_to(base)) for p in base.rglob("*") if p.is_file()}
    after = {str(p.relative_to(incremented)) for p in incremented.rglob("*") if p.is_file()}
    return after - before


def test_increment_writes_new_days_and_a_late_partition(raw, raw_incremented):
    added = new_files(raw, raw_incremented)
    for source in ("orders_header", "orders_lines"):
        for day in ("2026-01-01", "2026-01-02", "2025-12-29"):
            assert f"{source}/order_dt={day}/part-{BATCH}.csv" in added
    assert "events/event_dt=2025-12-29/events_0731.jsonl" in added
    # The late file lands beside the base file of that day, which stays as it was.
    late_dir = raw_incremented / "orders_header" / "order_dt=2025-12-29"
    assert sorted(p.name for p in late_dir.iterdir()) == ["part-00000.csv", f"part-{BATCH}.csv"]
    assert any(f.startswith("sensors/") and f.endswith(f"sensors_{BATCH}.csv") for f in added)
    assert any(f.startswith("shipments/part-00731") for f in added)


def test_base_files_are_untouched(raw, raw_incremented):
    for path in raw.rglob("*"):
        rel = path.relative_to(raw)
        if path.is_file() and not rel.name.startswith("_") and rel.parts[0] != "_batches":
            assert (raw_incremented / rel).read_bytes() == path.read_bytes(), rel


def test_increment_ids_never_collide_with_the_base(raw, raw_incremented):
    added = new_files(raw, raw_incremented)
    base_orders = read_many(raw, "orders_header/*/*.csv")["order_id"].cast(pl.Int64)
    new_orders = pl.concat(
        [pl.read_csv(raw_incremented / f, infer_schema=False) for f in added if f.startswith("orders_header/")]
    )["order_id"].cast(pl.Int64)
    assert new_orders.len() > 0 and not new_orders.is_in(base_orders.implode()).any()
    base_ship = pl.read_parquet(raw / "shipments" / "*.parquet")["shipment_id"]
    new_ship = pl.concat([pl.read_parquet(raw_incremented / f) for f in added if f.startswith("shipments/")])
    assert not new_ship["shipment_id"].is_in(base_ship.implode()).any()
    assert new_ship["order_id"].is_in(new_orders.implode()).all()
    base_events = {parse_event(t).get("event_id") for _, _, t in read_events(raw) if parse_event(t)}
    new_events = {
        parse_event(t).get("event_id") for f, _, t in read_events(raw_incremented) if f in added and parse_event(t)
    }
    assert new_events and not (new_events - {None}) & base_events


def test_change_files_carry_only_changed_rows(raw, raw_incremented):
    for source, key in (("customers", "customer_id"), ("products", "product_id"), ("stores", "store_id")):
        path = raw_incremented / f"{source}_changes" / "change_dt=2026-01-01" / f"part-{BATCH}.csv"
        changed = pl.read_csv(path, infer_schema=False)
        base = pl.read_csv(raw / f"{source}.csv", infer_schema=False)
        assert changed.columns == base.columns
        assert 0 < changed.height < base.height
        before = base.join(changed.select(key), on=key)
        assert before.height == changed.height  # every change refers to an existing row
        merged = changed.join(before, on=key, suffix="_before")
        differs = pl.any_horizontal([pl.col(c).ne_missing(pl.col(f"{c}_before")) for c in base.columns if c != key])
        assert merged.filter(differs).height == changed.height, f"{source}: unchanged rows in the change file"
    stores = pl.read_csv(
        raw_incremented / "stores_changes/change_dt=2026-01-01" / f"part-{BATCH}.csv", infer_schema=False
    )
    assert stores["close_dt"].to_list() == ["2026-01-01"]
    closed = stores["store_id"][0]
    for f in new_files(raw, raw_incremented):
        if f.startswith("orders_header/"):
            assert closed not in pl.read_csv(raw_incremented / f, infer_schema=False)["store_id"].to_list()
        assert not f.startswith(f"sensors/store_id={closed}/")
    products = pl.read_csv(
        raw_incremented / "products_changes/change_dt=2026-01-01" / f"part-{BATCH}.csv", infer_schema=False
    )
    assert (products["is_discontinued"] == "true").any() and (products["discontinued_dt"] == "2026-01-01").any()


def test_manifest_and_log_cover_both_batches(raw, raw_incremented):
    manifest = json.loads((raw_incremented / "_manifest.json").read_text())
    assert [b["batch"] for b in manifest["batches"]] == ["base", "increment-2026-01-01"]
    base_rows = json.loads((raw / "_manifest.json").read_text())["sources"]["orders_header"]["rows"]
    incr_rows = manifest["per_batch"]["increment-2026-01-01"]["orders_header"]["rows"]
    assert manifest["sources"]["orders_header"]["rows"] == base_rows + incr_rows
    # The merged log is still exact: recount two classes over base + increment.
    lines = read_many(raw_incremented, "orders_lines/*/*.csv")
    products = set(pl.read_csv(raw_incremented / "products.csv", infer_schema=False)["product_id"].cast(pl.Int64))
    orphan = lines.filter(~pl.col("product_id").cast(pl.Int64).is_in(list(products)))
    assert {(int(o), int(n)) for o, n in zip(orphan["order_id"], orphan["line_number"], strict=True)} == logged(
        raw_incremented, "orders_lines", "invalid_product_id"
    )
    malformed = {(f, n) for f, n, t in read_events(raw_incremented) if parse_event(t) is None}
    assert malformed == logged(raw_incremented, "events", "malformed_json")
    assert len(malformed) > len(logged(raw, "events", "malformed_json"))


def test_rerunning_an_increment_changes_nothing(raw_incremented, tmp_path):
    before = {p: p.read_bytes() for p in raw_incremented.rglob("*") if p.is_file() and "returns" not in p.parts}
    run_generator("--seed", SEED, "--scale", SCALE, "--out", str(raw_incremented), *INCREMENT)
    after = {p: p.read_bytes() for p in raw_incremented.rglob("*") if p.is_file() and "returns" not in p.parts}
    assert before.keys() == after.keys()
    assert [p for p in before if before[p] != after[p]] == []


@pytest.mark.parametrize("extra", [("--seed", "9"), ("--scale", "0.004")])
def test_increment_must_match_the_base_seed_and_scale(raw_incremented, extra):
    args = {"--seed": SEED, "--scale": SCALE}
    args.update(dict([extra]))
    proc = run_generator(
        "--seed", args["--seed"], "--scale", args["--scale"], "--out", str(raw_incremented), *INCREMENT, check=False
    )
    assert proc.returncode == 2
    assert "must use the same seed and scale" in proc.stderr and "Traceback" not in proc.stderr
