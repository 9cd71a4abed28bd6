"""The main job (`make run`): generate -> bronze -> silver + gold and its closing summary."""

from __future__ import annotations

import fcntl
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT
from dbt_runs import pipeline_env

import duckdb

ENV = pipeline_env()


def main_job(tmp_path, *args: str, warehouse: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "pipelines/main_job.py",
            "--raw",
            str(tmp_path / "raw"),
            "--warehouse",
            str(warehouse or tmp_path / "warehouse.duckdb"),
            "--lake",
            str(tmp_path / "lake"),
            "--pipelines-dir",
            str(tmp_path / "pipelines"),
            *args,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=ENV,
    )


def number(pattern: str, text: str) -> float:
    match = re.search(pattern, text, re.M)
    assert match, pattern
    return float(match.group(1).replace(",", ""))


@pytest.mark.drill
def test_main_job_runs_every_layer_and_its_summary_matches_the_warehouse(tmp_path, workspace):
    with workspace.hosting(tmp_path / "warehouse.duckdb") as warehouse:
        proc = main_job(tmp_path, "--seed", "3", "--scale", "0.002", warehouse=warehouse)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    out = proc.stdout
    sources = json.loads((tmp_path / "raw" / "_manifest.json").read_text())["sources"]
    assert number(r"^raw\s+([\d,]+)", out) == sum(s["rows"] for s in sources.values())
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        for schema in ("bronze", "silver", "gold"):
            tables = [
                t
                for (t,) in con.sql(
                    "SELECT table_name FROM information_schema.tables "
                    "WHERE table_schema = ? AND table_type = 'BASE TABLE' "
                    "AND NOT starts_with(table_name, '_dlt')",
                    params=[schema],
                ).fetchall()
            ]
            rows = sum(con.sql(f'SELECT count(*) FROM {schema}."{t}"').fetchone()[0] for t in tables)
            assert number(rf"^{schema}\s+\d+\s+\d+\s+([\d,]+)", out) == rows, schema
        ((net,),) = con.sql("SELECT round(sum(net_amount_aud), 2) FROM gold.fct_sales").fetchall()
        ((rejects,),) = con.sql("SELECT count(*) FROM bronze.rejects").fetchall()
        ((lines, quarantined),) = con.sql(
            "SELECT (SELECT count(*) FROM bronze.orders_lines), "
            "(SELECT count(*) FROM silver.silver_quarantined_order_lines)"
        ).fetchall()
    assert number(r"total net sales: ([\d,.]+) AUD", out) == float(net) > 0
    assert number(r"rejects: ([\d,]+) rows in bronze.rejects", out) == rejects > 0
    assert number(r"order lines: ([\d,]+) in bronze", out) == lines
    assert number(r"\+ ([\d,]+) quarantined", out) == quarantined > 0
    for step in ("generate", "bronze", "silver\\+gold"):
        assert number(rf"time:.*{step} ([\d.]+) s", out) > 0
    assert number(r"dbt node time: silver ([\d.]+) s", out) > 0 and number(r"gold ([\d.]+) s\)", out) > 0


def test_main_job_stops_at_a_failing_step_with_a_clear_message(tmp_path):
    proc = main_job(tmp_path, "--scale", "-1")
    assert proc.returncode != 0
    assert "step generate failed" in proc.stderr and "Traceback" not in proc.stderr
    assert "== bronze" not in proc.stdout and not (tmp_path / "warehouse.duckdb").exists()


# -- exit codes of the transform and the main job (README, "Exit codes") ----------------------


def one_error_line(proc: subprocess.CompletedProcess) -> str:
    lines = proc.stderr.strip().splitlines()
    assert "Traceback" not in proc.stderr and lines and lines[-1].startswith("error: "), proc.stderr[-2000:]
    return lines[-1]


def transform(warehouse: Path, *extra: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "pipelines/transform_pipeline.py", "--warehouse", str(warehouse), *extra],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env or ENV,
    )


def test_second_transform_or_main_job_is_refused_at_once(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    warehouse.write_bytes(b"")
    with open(tmp_path / "warehouse.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        lock.write("bronze, pid 1")
        lock.flush()
        busy = transform(warehouse)
        job = main_job(tmp_path, "--scale", "0.002")
    for proc in (busy, job):
        assert proc.returncode == 3
        assert "is in use by another run (bronze, pid 1)" in one_error_line(proc)
    assert "== generate" not in job.stdout  # refused before any step


def test_bad_warehouse_is_one_line_naming_the_file(tmp_path):
    missing = transform(tmp_path / "nowhere" / "warehouse.duckdb")
    assert missing.returncode == 5 and "does not exist; run the bronze pipeline first" in one_error_line(missing)
    assert not (tmp_path / "nowhere").exists()
    garbage = tmp_path / "warehouse.duckdb"
    garbage.write_bytes(bytes(range(256)) * 64)
    proc = transform(garbage)
    assert proc.returncode == 5 and str(garbage) in one_error_line(proc)
    assert "dbt" not in proc.stdout + proc.stderr.replace(str(garbage), "")  # dbt never started


def test_dbt_failure_names_only_this_runs_nodes(bronze, tmp_path):
    """A build dbt cannot even start: exit 6, and a stale run_results.json is not read as this run's."""
    shutil.copy(bronze / "warehouse.duckdb", tmp_path / "warehouse.duckdb")
    stale_target = tmp_path / "target"  # the target folder holds an earlier invocation's results
    stale_target.mkdir()
    (stale_target / "run_results.json").write_text(
        json.dumps(
            {
                "metadata": {"generated_at": "2000-01-01T00:00:00.000000Z"},
                "results": [
                    {"unique_id": "model.retail_lakehouse.stale_model", "status": "error", "message": "old failure"}
                ],
            }
        )
    )
    # dbt cannot start without the folder of the log it writes
    env = dict(ENV, DBT_TARGET_PATH=str(stale_target), DBT_LOG_PATH="/dev/null/logs", DBT_LOG_LEVEL_FILE="info")
    proc = transform(tmp_path / "warehouse.duckdb", env=env)
    assert proc.returncode == 6
    assert one_error_line(proc).startswith("error: dbt could not start the build")
    assert "stale_model" not in proc.stderr and "old failure" not in proc.stderr
