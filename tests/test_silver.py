"""Silver in dbt, run through dlt's dbt runner on a real bronze warehouse."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys

import polars as pl
import pytest
from conftest import INCREMENT, ROOT, SCALE, SEED, run_bronze, run_generator

import duckdb
from generators.reference import CARRIER_SLA_DAYS


def transform(warehouse, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "pipelines/transform_pipeline.py",
            "--warehouse",
            str(warehouse),
            "--pipelines-dir",
            str(warehouse.parent / "pipelines"),
            *extra,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


@pytest.fixture()
def warehouse(bronze, tmp_path):
    """A private copy of the bronze warehouse (and its dlt folder) for dbt to build on."""
    shutil.copy(bronze / "warehouse.duckdb", tmp_path / "warehouse.duckdb")
    shutil.copytree(bronze / "pipelines", tmp_path / "pipelines")
    return tmp_path / "warehouse.duckdb"


def test_dbt_build_is_green_on_generated_data(warehouse):
    proc = transform(warehouse)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "silver + gold: dbt build of" in proc.stdout
    with duckdb.connect(str(warehouse), read_only=True) as con:
        schemas = {r[0] for r in con.sql("SELECT schema_name FROM information_schema.schemata").fetchall()}
        assert "silver" in schemas and not any(s.startswith("main_") for s in schemas)
        for table in ("customers", "orders_lines", "events", "sensors", "returns"):
            bronze_rows = con.sql(f"SELECT count(*) FROM bronze.{table}").fetchone()[0]
            assert con.sql(f"SELECT count(*) FROM silver.stg_{table}").fetchone()[0] == bronze_rows
        flagged = con.sql(
            "SELECT count(*) FILTER (WHERE NOT is_email_valid), "
            "count(*) FILTER (WHERE is_contact_incomplete) FROM silver.stg_customers"
        ).fetchone()
        assert all(n > 0 for n in flagged)
        sums = con.sql(
            "SELECT sum(net_amount) = sum(line_total) - sum(discount_amount) FROM silver.stg_orders_lines"
        ).fetchone()
        assert sums[0]


def test_reconciliation_finds_every_injected_anomaly(warehouse, raw):
    assert transform(warehouse).returncode == 0
    log = json.loads((raw / "_anomalies.json").read_text())["sources"]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.sql(
            "SELECT source, anomaly_class, injected, detected, false_positives, recall "
            "FROM silver.dq_anomaly_reconciliation"
        ).fetchall()
    found = {(s, c): (i, d, fp, r) for s, c, i, d, fp, r in rows}
    expected = {(s, c): entry["count"] for s, classes in log.items() for c, entry in classes.items()}
    assert set(found) == set(expected)
    for key, (injected, detected, false_positives, recall) in found.items():
        assert injected == expected[key] and detected == injected, key
        assert recall == 1 and false_positives == 0, key


def test_deduplication_and_quarantine(warehouse, raw):
    assert transform(warehouse).returncode == 0
    with duckdb.connect(str(warehouse), read_only=True) as con:
        one = lambda sql: con.sql(sql).fetchone()[0]  # noqa: E731
        assert one("SELECT count(*) FROM silver.silver_orders") == one(
            "SELECT count(DISTINCT order_id) FROM bronze.orders_header"
        )
        assert one("SELECT count(*) FROM silver.silver_customers") == one(
            "SELECT count(DISTINCT natural_key) FROM bronze.customers"
        )
        # nothing disappears: valid + quarantined lines = all lines
        assert one("SELECT count(*) FROM silver.silver_order_lines") + one(
            "SELECT count(*) FROM silver.quarantine_order_lines"
        ) == one("SELECT count(*) FROM bronze.orders_lines")
        # the surviving copy of a duplicated order is the one in its own date's file
        assert (
            one("""SELECT count(*) FROM silver.silver_orders
                      WHERE src_filename NOT LIKE
                           'orders_header/order_dt=' || strftime(order_dt_local, '%Y-%m-%d') || '/%'""")
            == 0
        )


@pytest.mark.parametrize(
    "breakage, failing_test",
    [
        (
            "UPDATE bronze.orders_lines SET product_id = 900000000 + line_number WHERE order_id % 20 = 0",
            "foreign_key_rate_stg_orders_lines_product_id",
        ),
        (
            "UPDATE bronze.customers SET email = replace(email, '@', '') WHERE customer_id % 20 = 0",
            "email_format_stg_customers_email",
        ),
        (
            "UPDATE bronze.orders_lines SET line_discount_pct = 1.5 WHERE order_id % 50 = 0",
            "in_range_stg_orders_lines_line_discount_pct",
        ),
    ],
)
def test_tests_fail_on_data_that_breaks_the_rule(warehouse, breakage, failing_test):
    with duckdb.connect(str(warehouse)) as con:
        con.sql(breakage)
    proc = transform(warehouse)
    assert proc.returncode == 6  # a dbt failure (README, "Exit codes")
    assert failing_test in proc.stderr and "dbt build failed" in proc.stderr and "Traceback" not in proc.stderr


def test_plain_dbt_works_for_dbt_users(warehouse):
    env = dict(os.environ, RETAIL_WAREHOUSE=str(warehouse))
    dbt = os.path.join(os.path.dirname(sys.executable), "dbt")
    proc = subprocess.run(
        [dbt, "build", "--profiles-dir", "."], cwd=ROOT / "dbt", env=env, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout[-2000:]


def test_carrier_sla_seed_matches_the_generator():
    with open(ROOT / "dbt" / "seeds" / "carrier_sla.csv") as handle:
        seed = {row["carrier"]: int(row["sla_days"]) for row in csv.DictReader(handle)}
    assert seed == CARRIER_SLA_DAYS


def test_missing_warehouse_is_a_clear_error(tmp_path):
    proc = transform(tmp_path / "none.duckdb")
    assert proc.returncode == 2 and "run the bronze pipeline first" in proc.stderr


INCREMENTAL_MODELS = (
    "silver.silver_orders",
    "silver.silver_order_lines",
    "silver.quarantine_order_lines",
    "silver.silver_events",
    "silver.silver_sensor_readings",
    "silver.silver_shipments",
    "silver.silver_returns",
    "gold.fct_sensor_readings",
)


def fingerprints(warehouse) -> dict:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        out = {}
        for model in INCREMENTAL_MODELS:
            cols = ", ".join(f'"{r[0]}"' for r in con.sql(f"DESCRIBE {model}").fetchall())
            out[model] = con.sql(f"SELECT count(*), sum(hash({cols})::HUGEINT) FROM {model}").fetchone()
        return out


def test_incremental_run_after_an_increment_equals_a_full_refresh(loaded_copy, tmp_path):
    data, target = loaded_copy
    warehouse = target / "warehouse.duckdb"
    assert transform(warehouse).returncode == 0
    before = fingerprints(warehouse)
    run_generator("--seed", SEED, "--scale", SCALE, "--out", str(data), *INCREMENT)
    run_bronze(data, target)
    proc = transform(warehouse)
    assert proc.returncode == 0, proc.stderr[-2000:]
    incremental = fingerprints(warehouse)
    for model in (
        "silver.silver_orders",
        "silver.silver_order_lines",
        "silver.silver_events",
        "silver.silver_sensor_readings",
        "gold.fct_sensor_readings",
    ):
        assert incremental[model][0] > before[model][0], model  # the new and late rows landed
    full = tmp_path / "full"
    full.mkdir()
    shutil.copy(warehouse, full / "warehouse.duckdb")
    shutil.copytree(target / "pipelines", full / "pipelines")
    assert transform(full / "warehouse.duckdb", "--full-refresh").returncode == 0
    assert fingerprints(full / "warehouse.duckdb") == incremental
    # Snapshots captured the increment's changes as new versions.
    customers = next((data / "customers_changes").rglob("*.csv"))
    moved = [int(line.split(",")[0]) for line in customers.read_text().splitlines()[1:]]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        versions = dict(
            con.sql(
                "SELECT customer_id, count(*) FROM snapshots.customers_snapshot GROUP BY 1 HAVING count(*) > 1"
            ).fetchall()
        )
        assert set(versions) == set(moved) and set(versions.values()) == {2}
        repriced = con.sql("""SELECT count(*) FROM (SELECT product_id FROM snapshots.products_snapshot
                              GROUP BY 1 HAVING count(DISTINCT current_price) > 1)""").fetchone()[0]
        stopped = con.sql("""SELECT count(*) FROM snapshots.products_snapshot
                             WHERE is_discontinued AND discontinued_dt = DATE '2026-01-01'
                                AND dbt_valid_to IS NULL""").fetchone()[0]
        # history is dated by the business change (the change file's date), not by the build
        dates = con.sql("""SELECT DISTINCT dbt_valid_from::DATE::VARCHAR FROM snapshots.customers_snapshot
                           WHERE customer_id IN (SELECT customer_id FROM snapshots.customers_snapshot
                                                 WHERE dbt_valid_to IS NOT NULL) AND dbt_valid_to IS NULL""").fetchall()
        assert dates == [("2026-01-01",)]
        current = con.sql("SELECT count(*) FROM snapshots.customers_snapshot WHERE dbt_valid_to IS NULL").fetchone()[0]
        customers_now = con.sql("SELECT count(*) FROM silver.stg_customers").fetchone()[0]
    assert repriced > 0 and stopped > 0 and current == customers_now


def test_source_freshness(warehouse):
    env = dict(os.environ, RETAIL_WAREHOUSE=str(warehouse))
    dbt = os.path.join(os.path.dirname(sys.executable), "dbt")
    proc = subprocess.run(
        [dbt, "source", "freshness", "--profiles-dir", "."], cwd=ROOT / "dbt", env=env, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert "PASS" in proc.stdout


def test_dbt_docs_generate(warehouse):
    assert transform(warehouse).returncode == 0
    env = dict(os.environ, RETAIL_WAREHOUSE=str(warehouse))
    dbt = os.path.join(os.path.dirname(sys.executable), "dbt")
    proc = subprocess.run(
        [dbt, "docs", "generate", "--profiles-dir", "."], cwd=ROOT / "dbt", env=env, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert (ROOT / "dbt" / "target" / "catalog.json").exists()


def test_reference_to_a_row_bronze_rejected_is_not_an_orphan(raw, tmp_path):
    data, target = tmp_path / "raw", tmp_path / "t"
    shutil.copytree(raw, data)
    sold = pl.concat([pl.read_csv(p, infer_schema=False) for p in data.glob("orders_lines/*/*.csv")])
    product_id = int(sold["product_id"].value_counts(sort=True)["product_id"][0])  # the best seller
    lines = (data / "products.csv").read_text().splitlines()
    row = next(i for i, line in enumerate(lines) if line.split(",")[0] == str(product_id))
    fields = lines[row].split(",")
    fields[5] = "N/A"  # current_price: the row no longer casts and Bronze rejects it
    lines[row] = ",".join(fields)
    (data / "products.csv").write_text("\n".join(lines) + "\n")
    run_bronze(data, target)
    warehouse = target / "warehouse.duckdb"
    proc = transform(warehouse)
    # The edit is not in the generator's log, so reconciliation reports it (as it should).
    assert proc.returncode == 6 and "assert_every_anomaly_class_fully_detected" in proc.stderr
    with duckdb.connect(str(warehouse), read_only=True) as con:
        flags = con.sql(
            "SELECT DISTINCT is_product_orphan, is_product_rejected_in_bronze FROM silver.silver_order_lines "
            "WHERE product_id = ?",
            params=[product_id],
        ).fetchall()
        extra = con.sql(
            "SELECT false_positives FROM silver.dq_anomaly_reconciliation WHERE anomaly_class = 'invalid_price'"
        ).fetchone()[0]
    assert flags == [(False, True)]
    assert extra == 1  # the new invalid price is detected, and it is the only surprise
