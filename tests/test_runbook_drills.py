"""The drills of docs/operations_runbook.md at scale 0.003: each creates its failure on a copy of
the session's data, runs the commands the runbook gives (the same CLIs), and checks that nothing
was lost."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest
from bronze_checks import manifest, raw_records, warehouse
from conftest import ROOT, SCALE, SEED, copy_bronze, run_bronze, run_generator
from dbt_runs import pipeline_env, query, transform

# Each runs bronze and/or an every-node dbt build of its own: `make test-drills` (CI runs both tiers).
pytestmark = pytest.mark.drill

# Gold figures that must survive every drill: rows and sums of the facts.
GOLD_FIGURES = """
    SELECT (SELECT count(*) FROM gold.fct_sales), (SELECT sum(net_amount_aud) FROM gold.fct_sales),
           (SELECT count(*) FROM gold.fct_returns), (SELECT count(*) FROM gold.fct_shipments),
           (SELECT count(*) FROM gold.fct_sensor_readings), (SELECT count(*) FROM silver.silver_orders)
"""


def failed_files(target: Path) -> dict[str, str]:
    """The runbook's first look: files whose latest attempt failed or was rejected, with the reason."""
    m = manifest(target).filter(pl.col("status").is_in(["failed", "rejected", "conflict"]))
    return dict(zip(m["path"], m["reason"], strict=True))


@pytest.fixture(scope="module")
def delivery(raw, bronze, tmp_path_factory):
    """A day's delivery on a copy of the session bronze, with one corrupted shipments file and one
    products change file that lost its `category` column; the first bronze run over it."""
    data = tmp_path_factory.mktemp("drill_raw") / "raw"
    shutil.copytree(raw, data)
    target = copy_bronze(bronze, tmp_path_factory.mktemp("drill_bronze") / "t")
    run_generator("--seed", SEED, "--scale", SCALE, "--out", str(data), "--start-date", "2026-01-01", "--days", "1")
    shipments = next((data / "shipments").glob("part-00731-*.parquet"))
    products = next((data / "products_changes").rglob("part-00731.csv"))
    good = {shipments: shipments.read_bytes(), products: products.read_bytes()}
    shipments.write_bytes(good[shipments][: len(good[shipments]) // 2])  # cut off in transfer
    pl.read_csv(products, infer_schema=False).drop("category").write_csv(products)
    first = run_bronze(data, target, check=False)
    return data, target, first, good, shipments.relative_to(data), products.relative_to(data)


def test_drill_corrupted_bronze_file_is_redelivered_and_loaded(delivery):
    data, target, first, good, shipments, _ = delivery
    assert first.returncode == 4, first.stderr[-2000:]
    assert failed_files(target)[str(shipments)].startswith("unreadable Parquet")
    # the runbook: re-deliver the file under its path (a failed file is read again), run bronze
    (data / shipments).write_bytes(good[data / shipments])
    run_bronze(data, target)
    entry = manifest(target).filter(pl.col("path") == str(shipments)).to_dicts()[0]
    assert entry["status"] == "loaded" and entry["rows_read"] == raw_records(data / shipments)
    assert entry["rows_read"] == entry["rows_loaded"] + entry["rows_rejected"]


def test_drill_breaking_schema_change_is_accepted_deliberately(delivery):
    data, target, first, good, _, products = delivery
    reason = failed_files(target).get(str(products), "")
    assert reason.startswith("header_mismatch: missing ['category']"), reason
    # the runbook: the source re-delivers the file with the column (a merged table re-applies a
    # changed file under the same path); bronze loads it, by key, nothing duplicated
    (data / products).write_bytes(good[data / products])
    run_bronze(data, target)
    assert str(products) not in failed_files(target)
    delivered = pl.read_csv(data / products, infer_schema=False)
    with warehouse(target) as con:
        loaded = con.sql(
            "SELECT product_id::VARCHAR, category FROM bronze.products WHERE src_filename = ?", params=[str(products)]
        ).fetchall()
    assert sorted(loaded) == sorted(delivered.select("product_id", "category").iter_rows())


def test_drill_reprocess_one_file_on_purpose(delivery):
    data, target, *_ = delivery
    rates = "exchange_rates.xlsx"
    with warehouse(target) as con:
        before = con.sql("SELECT count(*), sum(rate_to_aud) FROM bronze.exchange_rates").fetchone()
    # an append-only file is refused: its rows would load twice
    orders = next(p for p in manifest(target)["path"] if p.startswith("orders_header/"))
    refused = run_bronze(data, target, "--reprocess", orders, check=False)
    assert refused.returncode == 2 and "append-only" in refused.stderr.strip().splitlines()[-1], refused.stderr
    # the runbook: a dry run shows it, then bronze reads it again and merges it by key
    dry = run_bronze(data, target, "--dry-run", "--reprocess", rates)
    assert re.search(r"exchange_rates +1 files \(reprocess\)", dry.stdout), dry.stdout
    run_bronze(data, target, "--reprocess", rates)
    with warehouse(target) as con:
        attempts = con.sql(
            "SELECT count(*) FROM bronze.file_manifest WHERE path = ? AND status = 'loaded'", params=[rates]
        ).fetchone()[0]
        after = con.sql("SELECT count(*), sum(rate_to_aud) FROM bronze.exchange_rates").fetchone()
    assert attempts == 2 and after == before  # read twice, merged by key: nothing doubled, nothing lost


def test_drill_dropped_table_is_rebuilt_with_its_dependants(built, workspace):
    expected = query(built, GOLD_FIGURES)
    warehouse = workspace.checkout(built)
    with duckdb_connect(warehouse) as con:
        con.sql("DROP TABLE gold.fct_sales")
    proc = workspace.transform("--select", "fct_sales+")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert query(warehouse, GOLD_FIGURES) == expected


def test_drill_dbt_failing_mid_run_is_completed_by_the_next_run(built, workspace):
    expected = query(built, GOLD_FIGURES)
    warehouse = workspace.checkout(built)
    env = pipeline_env()
    child = subprocess.Popen(
        [
            sys.executable,
            "pipelines/transform_pipeline.py",
            "--warehouse",
            str(warehouse),
            "--pipelines-dir",
            str(warehouse.parent / "pipelines"),
            "--full-refresh",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    # stop it mid-write: once DuckDB has a write-ahead log (dbt has begun writing), a few seconds on
    wal = warehouse.with_suffix(".duckdb.wal")
    while child.poll() is None and not wal.exists():
        time.sleep(0.2)
    time.sleep(3)
    os.killpg(child.pid, signal.SIGKILL)
    assert child.wait() == -signal.SIGKILL, "the build ended before it could be stopped"
    proc = workspace.transform()  # the runbook: run the transform again
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert query(warehouse, GOLD_FIGURES) == expected


def test_drill_full_rebuild_from_raw(raw, built, workspace, tmp_path):
    """Warehouse, lake and dlt state removed; bronze and the transform from the raw folder give the
    same gold as the session's build of the same raw files."""
    target = tmp_path / "rebuilt"
    run_bronze(raw, target)
    with workspace.hosting(target / "warehouse.duckdb") as warehouse:
        proc = transform(warehouse, pipelines_dir=target / "pipelines")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert query(target / "warehouse.duckdb", GOLD_FIGURES) == query(built, GOLD_FIGURES)


def duckdb_connect(path: Path):
    import duckdb

    return duckdb.connect(str(path))
