"""The dbt project on Apache Spark (docs/scale_out.md): the session's bronze (its warehouse and
its Parquet lake) built once on DuckDB (the `built` fixture) and once on Spark in local mode
by the real CLI (python -m pipelines.spark_build, whose `dbt build` runs every data test);
both engines' gold facts must hold the same rows and money, and the anomaly reconciliation
the same recall. Run by `make test-spark` (Java 17, the `spark` extra)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT
from dbt_runs import pipeline_env

import duckdb

pytestmark = pytest.mark.skipif(
    os.environ.get("RETAIL_SCALE_OUT") != "1", reason="a scale-out proof: run by `make test-spark`"
)

# Per gold fact: its money columns (in the order's currency and in AUD); every fact's row count is compared.
FACT_MONEY = {
    "fct_sales": ["net_amount", "net_amount_aud", "gross_amount_aud"],
    "fct_returns": ["refund_amount", "refund_amount_aud"],
    "fct_shipments": ["shipping_cost", "shipping_cost_aud"],
    "fct_sensor_readings": [],
    "fct_ingestion_audit": [],
}
RECONCILIATION = "select source_table, anomaly_class, injected, detected, missed, false_positives, recall from {}"


@pytest.fixture(scope="module")
def spark_built(bronze, tmp_path_factory) -> Path:
    """The Spark warehouse (one Parquet folder per table) built from the session's bronze."""
    if shutil.which("java") is None:
        pytest.skip("no Java runtime, and it could not be installed here: apt-get install openjdk-17-jre-headless")
    out = tmp_path_factory.mktemp("spark")
    started = time.perf_counter()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipelines.spark_build",
            "--lake",
            str(bronze / "lake"),
            "--warehouse",
            str(bronze / "warehouse.duckdb"),
            "--out",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=pipeline_env(),
    )
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-3000:]
    print(f"\n{proc.stdout.strip()}\nspark build test step: {time.perf_counter() - started:.1f} s wall")
    return out / "warehouse"


def spark_table(warehouse: Path, schema: str, table: str) -> str:
    """A table Spark built, as a DuckDB relation over its Parquet files."""
    folder = warehouse / f"{schema}.db" / table
    assert folder.is_dir(), f"Spark did not build {schema}.{table}"
    return f"read_parquet('{folder}/*.parquet')"


def fact_totals(con: duckdb.DuckDBPyConnection, relation: str, money: list[str]) -> tuple:
    sums = "".join(f", round(sum({column}), 4)" for column in money)
    return con.sql(f"select count(*){sums} from {relation}").fetchone()


@pytest.mark.parametrize("fact", list(FACT_MONEY))
def test_gold_facts_are_equal_on_both_engines(fact, built, spark_built):
    with duckdb.connect(str(built), read_only=True) as con:
        on_duckdb = fact_totals(con, f"gold.{fact}", FACT_MONEY[fact])
        on_spark = fact_totals(con, spark_table(spark_built, "gold", fact), FACT_MONEY[fact])
    assert on_duckdb[0] > 0, f"gold.{fact} is empty on DuckDB"
    assert on_spark == on_duckdb, f"{fact} (rows, money sums): Spark {on_spark} != DuckDB {on_duckdb}"


def test_reconciliation_shows_the_same_recall(built, spark_built):
    with duckdb.connect(str(built), read_only=True) as con:
        on_duckdb = sorted(con.sql(RECONCILIATION.format("silver.dq_anomaly_reconciliation")).fetchall())
        spark_relation = spark_table(spark_built, "silver", "dq_anomaly_reconciliation")
        on_spark = sorted(con.sql(RECONCILIATION.format(spark_relation)).fetchall())
    assert on_duckdb, "no reconciliation rows on DuckDB"
    assert on_spark == on_duckdb
