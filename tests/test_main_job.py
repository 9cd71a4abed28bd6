"""The main job (`make run`): generate -> bronze -> silver + gold and its closing summary."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from conftest import ROOT

import duckdb


def main_job(tmp_path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "pipelines/main_job.py",
            "--raw",
            str(tmp_path / "raw"),
            "--warehouse",
            str(tmp_path / "warehouse.duckdb"),
            "--lake",
            str(tmp_path / "lake"),
            "--pipelines-dir",
            str(tmp_path / "pipelines"),
            *args,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


def number(pattern: str, text: str) -> float:
    match = re.search(pattern, text, re.M)
    assert match, pattern
    return float(match.group(1).replace(",", ""))


def test_main_job_runs_every_layer_and_its_summary_matches_the_warehouse(tmp_path):
    proc = main_job(tmp_path, "--seed", "3", "--scale", "0.002")
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
