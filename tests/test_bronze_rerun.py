"""A re-run with nothing new is told before dlt is imported, and only when nothing changed:
a new raw file or a warehouse written since sends the run the full way, which loads what is new."""

from __future__ import annotations

import subprocess
import sys

from bronze_checks import manifest, warehouse
from conftest import ROOT, bronze_args

import duckdb


def run(data, target) -> subprocess.CompletedProcess:
    """The bronze CLI, listing what it imports (`-X importtime`) on stderr."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "pipelines/bronze_dlt_pipeline.py", *bronze_args(data, target)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def imported_dlt(proc: subprocess.CompletedProcess) -> bool:
    return any(line.split("|")[-1].strip() == "dlt" for line in proc.stderr.splitlines() if "import time:" in line)


def test_nothing_new_is_told_without_dlt(loaded_copy):
    data, target = loaded_copy
    first = run(data, target)  # a copy: no record for these paths yet, so the full way
    assert imported_dlt(first) and "nothing new" in first.stdout
    again = run(data, target)
    assert not imported_dlt(again) and "nothing new" in again.stdout
    assert again.stderr.count("bronze plan: 0 files to read") == 1  # the same plan line as the full way


def test_a_new_raw_file_goes_the_full_way(loaded_copy):
    data, target = loaded_copy
    run(data, target)
    day = sorted((data / "orders_header").iterdir())[-1]
    new_day = day.with_name("order_dt=2030-01-01")
    new_day.mkdir()
    (new_day / "part-00000.csv").write_bytes(next(day.glob("*.csv")).read_bytes())
    proc = run(data, target)
    assert imported_dlt(proc) and "nothing new" not in proc.stdout
    assert "orders_header/order_dt=2030-01-01/part-00000.csv" in set(manifest(target)["path"])


def test_a_warehouse_written_since_goes_the_full_way(loaded_copy):
    """A file recorded as failed after the last run (here written by hand) is read again."""
    data, target = loaded_copy
    run(data, target)
    with duckdb.connect(str(target / "warehouse.duckdb")) as con:
        path = con.sql("SELECT path FROM bronze.file_manifest WHERE table_name = 'stores' LIMIT 1").fetchone()[0]
        con.execute(
            "INSERT INTO bronze.file_manifest SELECT * REPLACE ('failed' AS status, now() AS finished_at) "
            "FROM bronze.file_manifest WHERE path = ?",
            [path],
        )
    proc = run(data, target)
    assert imported_dlt(proc) and "nothing new" not in proc.stdout
    with warehouse(target) as con:
        latest = con.sql(
            "SELECT status FROM bronze.file_manifest WHERE path = ? ORDER BY finished_at DESC LIMIT 1", params=[path]
        ).fetchone()[0]
    assert latest == "loaded"
