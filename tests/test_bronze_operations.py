"""Bronze over time: increments and late files, changed files, interruptions, concurrency."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time

import polars as pl
import pytest
from bronze_checks import TABLES, manifest, raw_records, three_destinations, warehouse
from conftest import INCREMENT, ROOT, SCALE, SEED, bronze_args, run_bronze, run_generator


def counts(target) -> dict[str, int]:
    with warehouse(target) as con:
        return {t: con.sql(f"SELECT count(*) FROM bronze.{t}").fetchone()[0] for t in TABLES}


def expected_counts(raw) -> dict[str, int]:
    """What bronze must hold, from the raw files alone: records minus the logged rejects."""
    import json

    from raw_readers import load_log

    log = load_log(raw)["sources"]
    out = {}
    for table, pattern in (
        ("orders_header", "orders_header/*/*.csv"),
        ("orders_lines", "orders_lines/*/*.csv"),
        ("sensors", "sensors/*/*/*.csv"),
        ("events", "events/*/*.jsonl"),
        ("shipments", "shipments/*.parquet"),
    ):
        out[table] = sum(raw_records(p) for p in raw.glob(pattern))
    out["events"] -= log["events"]["malformed_json"]["count"] + log["events"]["missing_envelope_field"]["count"]
    manifest_rows = json.loads((raw / "_manifest.json").read_text())["sources"]
    out["returns"] = manifest_rows["returns"]["rows"]
    return out


def test_increment_and_late_file_are_loaded_exactly_once(loaded_copy):
    data, target = loaded_copy
    before = counts(target)
    customers_before = pl.read_csv(data / "customers.csv", infer_schema=False).height
    run_generator("--seed", SEED, "--scale", SCALE, "--out", str(data), *INCREMENT)
    run_bronze(data, target)
    after = counts(target)
    expected = expected_counts(data)
    for table in ("orders_header", "orders_lines", "sensors", "events", "shipments"):
        assert after[table] == expected[table], table
        assert after[table] > before[table], table
    m = manifest(target)
    late = m.filter(pl.col("path").str.contains("order_dt=2025-12-29/part-00731"))
    assert late.height == 2 and (late["status"] == "loaded").all()  # header and lines of the late day
    # Change files are applied by key: no duplicates, the new values win.
    assert after["customers"] == before["customers"] == customers_before
    changes = pl.read_csv(next((data / "customers_changes").rglob("*.csv")), infer_schema=False)
    stores = pl.read_csv(next((data / "stores_changes").rglob("*.csv")), infer_schema=False)
    with warehouse(target) as con:
        for cid, line1 in changes.select("customer_id", "address_line1").iter_rows():
            assert (
                con.sql(
                    "SELECT address_line1 FROM bronze.customers WHERE customer_id = ?", params=[int(cid)]
                ).fetchone()[0]
                == line1
            )
        closed = con.sql(
            "SELECT close_dt::VARCHAR FROM bronze.stores WHERE store_id = ?", params=[int(stores["store_id"][0])]
        ).fetchone()[0]
    assert closed == "2026-01-01"
    for table in TABLES:
        prints = three_destinations(target, table)
        assert prints["duckdb"] == prints["delta"] == prints["parquet"], table
    # Once more: nothing new.
    assert "nothing new" in run_bronze(data, target).stdout
    assert counts(target) == after


def test_changed_file_policy(loaded_copy):
    data, target = loaded_copy
    before = counts(target)
    orders = sorted(data.glob("orders_header/*/*.csv"))[10]
    text = orders.read_text().splitlines()
    orders.write_text("\n".join(text + [text[-1]]) + "\n")  # a re-delivered file with one more row
    products = data / "products.csv"
    rows = products.read_text().splitlines()
    fields = rows[1].split(",")
    fields[2] = "Renamed Product"
    products.write_text("\n".join([rows[0], ",".join(fields)] + rows[2:]) + "\n")
    proc = run_bronze(data, target)
    m = manifest(target)
    conflict = m.filter(pl.col("path") == str(orders.relative_to(data)))
    assert conflict["status"].to_list() == ["conflict"] and "keeps the first version" in conflict["reason"][0]
    assert counts(target)["orders_header"] == before["orders_header"]  # never loaded twice
    with warehouse(target) as con:
        assert (
            con.sql("SELECT name FROM bronze.products WHERE product_id = ?", params=[int(fields[0])]).fetchone()[0]
            == "Renamed Product"
        )
    assert counts(target)["products"] == before["products"]  # re-applied by key
    assert "conflict" in proc.stdout or "1" in proc.stdout
    # The conflict is recorded once, not at every run.
    run_bronze(data, target)
    with warehouse(target) as con:
        assert con.sql("SELECT count(*) FROM bronze.file_manifest WHERE status = 'conflict'").fetchone()[0] == 1
    # A loaded file that vanished from the raw folder (regenerated?) is reported, its rows kept.
    gone = sorted(data.glob("events/*/*.jsonl"))[3]
    gone.unlink()
    proc = run_bronze(data, target)
    assert f"warning: 1 files loaded earlier are no longer in {data} (e.g. {gone.relative_to(data)})" in proc.stderr
    assert "make clean" in proc.stderr and counts(target) == before


@pytest.mark.parametrize("kill_after", [1.5, 3.5, 6.0])
def test_killed_run_is_completed_by_the_next(raw, tmp_path, kill_after):
    target = tmp_path / "t"
    proc = subprocess.Popen(
        [sys.executable, "pipelines/bronze_dlt_pipeline.py", *bronze_args(raw, target)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(kill_after)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    run_bronze(raw, target)
    expected = expected_counts(raw)
    got = counts(target)
    for table in ("orders_header", "orders_lines", "sensors", "events", "shipments", "returns"):
        assert got[table] == expected[table], (table, kill_after)
    m = manifest(target)
    assert (m["status"] == "loaded").all()
    with warehouse(target) as con:
        dup = con.sql(
            "SELECT count(*) FROM (SELECT path FROM bronze.file_manifest WHERE status = 'loaded' "
            "GROUP BY path HAVING count(*) > 1)"
        ).fetchone()[0]
    assert dup == 0
    for table in TABLES:
        prints = three_destinations(target, table)
        assert prints["duckdb"] == prints["delta"] == prints["parquet"], (table, kill_after)


def test_concurrent_run_is_refused(raw, bronze):
    lock_path = (bronze / "warehouse.duckdb").with_suffix(".bronze.lock")
    with open(lock_path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        handle.write("pid 1 (test)")
        handle.flush()
        started = time.perf_counter()
        proc = run_bronze(raw, bronze, check=False)
        elapsed = time.perf_counter() - started
    assert proc.returncode == 3
    assert "another bronze run is in progress" in proc.stderr and "Traceback" not in proc.stderr
    assert elapsed < 10


def test_dry_run_changes_nothing(raw, tmp_path):
    target = tmp_path / "t"
    proc = run_bronze(raw, target, "--dry-run")
    assert "orders_header" in proc.stdout and "files" in proc.stdout
    assert not (target / "warehouse.duckdb").exists()


def test_missing_raw_folder_is_a_clear_error(tmp_path):
    proc = run_bronze(tmp_path / "nowhere", tmp_path / "t", check=False)
    assert proc.returncode == 2 and "generate it first" in proc.stderr and "Traceback" not in proc.stderr


def test_dlt_cli_sees_the_pipeline(bronze):
    env = dict(os.environ, DLT_DATA_DIR=str(bronze))  # the pipelines folder is <DLT_DATA_DIR>/pipelines
    dlt_cli = os.path.join(os.path.dirname(sys.executable), "dlt")
    for command in ("info", "trace"):
        proc = subprocess.run(
            [dlt_cli, "pipeline", "retail_bronze", command], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert proc.returncode == 0, proc.stderr
        assert "retail_bronze" in proc.stdout
