"""Increment batches: new days, a late partition, change files, no id collisions."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from conftest import INCREMENT, SCALE, SEED, run_generator
from raw_readers import logged, parse_event, read_events, read_many, read_xlsx

import schemas

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
    # on a copy: the session's dataset is read by the other worker meanwhile, and a re-run rewrites it
    out = tmp_path / "data_raw"
    shutil.copytree(raw_incremented, out)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file() and "returns" not in p.parts}
    run_generator("--seed", SEED, "--scale", SCALE, "--out", str(out), *INCREMENT)
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file() and "returns" not in p.parts}
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


SECOND = ("--start-date", "2026-01-05", "--days", "2")
SECOND_BATCH = "00735"


@pytest.fixture(scope="module")
def raw_two_increments(raw_incremented, tmp_path_factory) -> Path:
    """The incremented dataset plus a second increment four days later."""
    out = tmp_path_factory.mktemp("raw_two") / "data_raw"
    shutil.copytree(raw_incremented, out)
    run_generator("--seed", SEED, "--scale", SCALE, "--out", str(out), *SECOND)
    return out


def _state_after(raw_two: Path, source: str, key: str, change_dates: list[str]) -> pl.DataFrame:
    """The base rows with the change files of the given dates applied in order (by primary key)."""
    state = pl.read_csv(raw_two / f"{source}.csv", infer_schema=False)
    for day in change_dates:
        for path in sorted((raw_two / f"{source}_changes" / f"change_dt={day}").glob("*.csv")):
            changed = pl.read_csv(path, infer_schema=False)
            state = pl.concat([state.filter(~pl.col(key).is_in(changed[key].implode())), changed]).sort(
                pl.col(key).cast(pl.Int64)
            )
    return state


def test_second_increment_changes_the_state_the_first_left(raw_two_increments):
    """Every change row of the second increment differs from the state after the first (not
    from the base), and changes nothing the first already ended: no product is discontinued
    twice, no store closed twice."""
    for source, key in (("customers", "customer_id"), ("products", "product_id"), ("stores", "store_id")):
        state = _state_after(raw_two_increments, source, key, ["2026-01-01"])
        second = pl.read_csv(
            raw_two_increments / f"{source}_changes/change_dt=2026-01-05/part-{SECOND_BATCH}.csv", infer_schema=False
        )
        merged = second.join(state, on=key, suffix="_before")
        assert merged.height == second.height > 0
        differs = pl.any_horizontal([pl.col(c).ne_missing(pl.col(f"{c}_before")) for c in state.columns if c != key])
        assert merged.filter(differs).height == second.height, source
    products = _state_after(raw_two_increments, "products", "product_id", ["2026-01-01"])
    ended = set(products.filter(pl.col("is_discontinued") == "true")["product_id"])
    second = pl.read_csv(
        raw_two_increments / f"products_changes/change_dt=2026-01-05/part-{SECOND_BATCH}.csv", infer_schema=False
    )
    assert not ended & set(second["product_id"])
    first_closed = pl.read_csv(
        raw_two_increments / f"stores_changes/change_dt=2026-01-01/part-{BATCH}.csv", infer_schema=False
    )["store_id"].to_list()
    second_closed = pl.read_csv(
        raw_two_increments / f"stores_changes/change_dt=2026-01-05/part-{SECOND_BATCH}.csv", infer_schema=False
    )["store_id"].to_list()
    assert set(first_closed).isdisjoint(second_closed)


def test_second_increment_trades_on_the_state_the_first_left(raw_two_increments):
    """The second increment sells no product the first discontinued and has no orders or
    sensor readings at the store the first closed."""
    first = pl.read_csv(
        raw_two_increments / f"products_changes/change_dt=2026-01-01/part-{BATCH}.csv", infer_schema=False
    )
    stopped = set(first.filter(pl.col("is_discontinued") == "true")["product_id"])
    closed = pl.read_csv(
        raw_two_increments / f"stores_changes/change_dt=2026-01-01/part-{BATCH}.csv", infer_schema=False
    )["store_id"].to_list()
    lines = read_many(raw_two_increments, f"orders_lines/*/part-{SECOND_BATCH}.csv")
    headers = read_many(raw_two_increments, f"orders_header/*/part-{SECOND_BATCH}.csv")
    assert lines.height > 0 and headers.height > 0
    assert not stopped & set(lines["product_id"])
    assert not set(closed) & set(headers["store_id"])
    assert not list(raw_two_increments.glob(f"sensors/store_id={closed[0]}/*/sensors_{SECOND_BATCH}.csv"))


def test_rerunning_the_base_keeps_its_increments(raw_two_increments, tmp_path):
    """`make run` regenerates the base: with the same seed and scale the increments stay,
    byte for byte, with their manifest and anomaly-log entries."""
    out = tmp_path / "data_raw"
    shutil.copytree(raw_two_increments, out)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file() and "returns" not in p.parts}
    run_generator("--seed", SEED, "--scale", SCALE, "--out", str(out))
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file() and "returns" not in p.parts}
    assert before.keys() == after.keys()
    assert [p for p in before if before[p] != after[p]] == []
    manifest = json.loads((out / "_manifest.json").read_text())
    assert [b["batch"] for b in manifest["batches"]] == ["base", "increment-2026-01-01", "increment-2026-01-05"]


def test_a_new_base_drops_the_increments_of_the_old_one(raw_incremented, raw_other_seed):
    out = raw_other_seed  # a base of another seed, generated over a copy of raw_incremented
    assert list(raw_incremented.glob(f"orders_header/*/part-{BATCH}.csv"))
    assert not list(out.glob(f"orders_header/*/part-{BATCH}.csv"))
    assert [b["batch"] for b in json.loads((out / "_manifest.json").read_text())["batches"]] == ["base"]


FUTURE = ("--start-date", "2027-03-01", "--days", "2")
FUTURE_BATCH = "01155"
LATER = ("--start-date", "2027-03-05", "--days", "1")
DRILL = ("--add-column", "products.brand", "--add-column", "orders_header.device_type")


@pytest.fixture(scope="module")
def raw_future(raw, tmp_path_factory) -> Path:
    """The base plus an increment beyond the base's rate calendar carrying two new columns,
    then one more increment a few days later."""
    out = tmp_path_factory.mktemp("raw_future") / "data_raw"
    shutil.copytree(raw, out)
    run_generator("--seed", SEED, "--scale", SCALE, "--out", str(out), *FUTURE, *DRILL)
    run_generator("--seed", SEED, "--scale", SCALE, "--out", str(out), *LATER)
    return out


def test_rate_calendar_extends_to_increments_beyond_it(raw, raw_future, tmp_path):
    """Rates arrive with the increments that need them: every day from the base calendar's
    end to the latest increment (and the day after, for late US evenings in UTC), no gap,
    no day twice, every currency; the base file is untouched."""
    assert (raw_future / "exchange_rates.xlsx").read_bytes() == (raw / "exchange_rates.xlsx").read_bytes()
    files = sorted(raw_future.glob("exchange_rates_changes/*/*.xlsx"))
    assert [f.parent.name for f in files] == ["change_dt=2027-03-01", "change_dt=2027-03-05"]
    base = read_xlsx(raw / "exchange_rates.xlsx", tmp_path)
    added = pl.concat([read_xlsx(f, tmp_path) for f in files])
    days = pl.concat([base, added])["date"]
    assert days.n_unique() * base["currency"].n_unique() == days.len()  # no day twice
    assert (days.max() - days.min()).days + 1 == days.n_unique()  # no gap
    assert days.max() == date(2027, 3, 6)
    assert added.group_by("date").len()["len"].unique().to_list() == [base["currency"].n_unique()]
    orders = read_many(raw_future, f"orders_header/*/part-{FUTURE_BATCH}.csv")
    assert set(orders["currency"]) <= set(added["currency"])


def test_new_column_drill_touches_only_that_increments_files(raw, raw_future):
    """--add-column adds the column, last, to the increment's files of that table only."""
    products = pl.read_csv(next(raw_future.glob(f"products_changes/*/part-{FUTURE_BATCH}.csv")), infer_schema=False)
    assert products.columns[-1] == "brand" and products.columns[:-1] == schemas.PRODUCTS.names
    assert (products["brand"] == products["name"].str.split(" ").list.first()).all()
    for path in raw_future.glob(f"orders_header/*/part-{FUTURE_BATCH}.csv"):
        header = pl.read_csv(path, infer_schema=False)
        assert header.columns == [*schemas.ORDERS_HEADER.names, "device_type"]
        assert set(header.filter(pl.col("channel") == "pos")["device_type"]) <= {"in_store"}
    untouched = [
        *[("customers", p) for p in raw_future.glob(f"customers_changes/*/part-{FUTURE_BATCH}.csv")],
        *[("orders_lines", p) for p in raw_future.glob(f"orders_lines/*/part-{FUTURE_BATCH}.csv")],
        *[("orders_header", p) for p in raw_future.glob("orders_header/*/part-01159.csv")],  # the later increment
        ("products", raw_future / "products.csv"),
    ]
    assert len(untouched) >= 4
    for source, path in untouched:
        assert pl.read_csv(path, infer_schema=False, n_rows=0).columns == schemas.RAW_SCHEMAS[source].names, path
    manifest = json.loads((raw_future / "_manifest.json").read_text())
    assert manifest["batches"][1]["args"]["new_columns"] == ["orders_header.device_type", "products.brand"]
