"""The scheduled run (`make daily`, what cron runs): the next day through every layer under one
lock, from cron's minimal environment, with a log, data-quality metrics, and an alert (record +
webhook) when it fails.

Two real runs share one site (a copy of the session's built warehouse, its bronze lake and raw
folder): the first from cron's environment with a late file and a new column, the second over
planted bad rows, which must end in a data-quality ALERT."""

from __future__ import annotations

import http.server
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import polars as pl
import pytest
from conftest import ROOT
from dbt_runs import TEST_PSEUDONYM_KEY, copy_warehouse

import duckdb

STAMPED = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z \[[\w+]+\] ")
CRON_ENV = ["env", "-i", "PATH=/usr/bin:/bin"]


def site_args(site: Path, warehouse: Path | None = None) -> list[str]:
    return [
        "--raw",
        str(site / "raw"),
        "--warehouse",
        str(warehouse or site / "warehouse.duckdb"),
        "--lake",
        str(site / "lake"),
        "--pipelines-dir",
        str(site / "pipelines"),
        "--log-dir",
        str(site / "logs"),
    ]


def scheduled_run(
    site: Path, *args: str, env: dict[str, str] | None = None, warehouse: Path | None = None
) -> subprocess.CompletedProcess:
    env = {**(env or {}), "TRANSFORM__PSEUDONYM_KEY": TEST_PSEUDONYM_KEY}
    return subprocess.run(
        [sys.executable, "pipelines/scheduled_run.py", *site_args(site, warehouse), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
    )


def query(site: Path, sql: str, *params):
    with duckdb.connect(str(site / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


class Webhook:
    """A small HTTP server on 127.0.0.1 (a free port) that keeps every JSON body posted to it."""

    def __init__(self) -> None:
        received = self.received = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server interface
                received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/alerts"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture(scope="module")
def site(raw, bronze, built, tmp_path_factory) -> Path:
    """The session's base dataset, bronze lake and built warehouse, copied to change."""
    site = tmp_path_factory.mktemp("scheduled")
    shutil.copytree(raw, site / "raw")
    shutil.copytree(bronze / "lake", site / "lake")
    copy_warehouse(built, site)
    return site


@pytest.fixture(scope="module")
def cron_run(site, workspace, tmp_path_factory):
    """Run 1: the crontab line's command, under `env -i HOME=... PATH=/usr/bin:/bin`, with a late
    file and a new column. An old day's log is waiting to be removed."""
    (site / "logs").mkdir()
    (site / "logs" / "scheduled_run-2020-01-01.log").write_text("an old day\n")
    line = subprocess.run(
        [sys.executable, "pipelines/scheduled_run.py", "--crontab"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    command = line.split(" ", 5)[5].split(" # ")[0]  # after the 5 schedule fields, before the marker
    home = tmp_path_factory.mktemp("home")
    # besides cron's own: the test key, and the suite's dbt folders (never the developer's dbt/target)
    test_env = [f"HOME={home}", f"TRANSFORM__PSEUDONYM_KEY={TEST_PSEUDONYM_KEY}"]
    test_env += [f"{name}={os.environ[name]}" for name in ("DBT_TARGET_PATH", "DBT_LOG_PATH", "DBT_LOG_LEVEL_FILE")]
    with workspace.hosting(site / "warehouse.duckdb") as warehouse:
        extra = [*site_args(site, warehouse), "--late-file", "--add-column", "products.brand"]
        proc = subprocess.run(
            [*CRON_ENV, *test_env, "sh", "-c", f"{command} {' '.join(shlex.quote(a) for a in extra)}"],
            capture_output=True,
            text=True,
        )
    return line, proc


@pytest.fixture(scope="module")
def alert_run(site, cron_run, workspace):
    """Run 2: the next day, plus a planted orders file whose 1,000+ rows all fail to cast (two
    columns, so bronze loads the file with its rejects): the rejection rate must end in an ALERT
    (a rate is judged from 1,000 rows read: dbt/seeds/dq_thresholds.csv)."""
    day = site / "raw" / "orders_header" / "order_dt=2026-01-01"
    good = pl.read_csv(next(day.glob("part-*.csv")), infer_schema=False)
    bad = pl.concat([good] * (1000 // good.height + 1)).with_row_index("i")
    bad = bad.with_columns(
        order_ts=pl.when(pl.col("i") % 2 == 0).then(pl.lit("never")).otherwise(pl.col("order_ts")),
        customer_id=pl.when(pl.col("i") % 2 == 1).then(pl.lit("nobody")).otherwise(pl.col("customer_id")),
    ).drop("i")
    bad.write_csv(day / "part-99990.csv")
    hook = Webhook()
    try:
        with workspace.hosting(site / "warehouse.duckdb") as warehouse:
            env = {"SCHEDULED_RUN__ALERT_WEBHOOK": hook.url}
            proc = scheduled_run(site, "--no-late-file", env=env, warehouse=warehouse)
    finally:
        hook.close()
    return proc, hook.received


@pytest.mark.drill
def test_the_crontab_line_runs_from_crons_minimal_environment(site, cron_run):
    line, proc = cron_run
    assert re.match(r"^[\d*/,-]+ [\d*/,-]+ [\d*/,-]+ [\d*/,-]+ [\d*/,-]+ cd /", line), line
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert proc.stdout == ""  # --quiet: cron mails nothing when all is well; the log has it all


@pytest.mark.drill
def test_the_run_adds_the_next_day_and_a_late_file_through_every_layer(site, cron_run):
    manifest = json.loads((site / "raw" / "_manifest.json").read_text())
    batch = manifest["batches"][-1]["args"]
    assert (batch["start_date"], batch["days"], batch["late_days"]) == ("2026-01-01", 1, 1)
    files = dict(
        query(
            site,
            "SELECT path, status FROM bronze.file_manifest WHERE path LIKE 'orders_header/%part-00731.csv'",
        )
    )
    assert files == {
        "orders_header/order_dt=2025-12-31/part-00731.csv": "loaded",  # the late file: a day behind
        "orders_header/order_dt=2026-01-01/part-00731.csv": "loaded",
    }
    ((gold,),) = query(site, "SELECT count(*) FROM gold.fct_sales WHERE order_number >= 731000000000")
    ((bronze,),) = query(site, "SELECT count(*) FROM bronze.orders_lines WHERE order_id >= 731000000000")
    ((quarantined,),) = query(
        site, "SELECT count(*) FROM silver.silver_quarantined_order_lines WHERE order_id >= 731000000000"
    )
    assert bronze > 0 and gold + quarantined == bronze


@pytest.mark.drill
def test_a_new_column_reaches_bronze_and_silver_ignores_it(site, cron_run):
    ((brands,),) = query(site, "SELECT count(brand) FROM bronze.products")
    assert brands > 0
    silver = [
        c
        for (c,) in query(
            site,
            "SELECT column_name FROM information_schema.columns WHERE table_schema = "
            "'silver' AND table_name = 'silver_products'",
        )
    ]
    assert silver and "brand" not in silver
    drift = query(site, "SELECT change_type FROM gold.vw_schema_drift WHERE column_name = 'brand'")
    assert drift, "gold.vw_schema_drift shows the new column"


@pytest.mark.drill
def test_every_log_line_is_stamped_and_old_days_are_removed(site, cron_run):
    logs = sorted((site / "logs").glob("scheduled_run-*.log"))
    assert [p.name for p in logs if "2020" in p.name] == []
    lines = logs[-1].read_text().splitlines()
    assert lines and all(STAMPED.match(line) for line in lines), [x for x in lines if not STAMPED.match(x)][:3]
    assert any("[silver+gold]" in line for line in lines) and any("succeeded" in line for line in lines)


@pytest.mark.drill
def test_dq_metrics_gain_one_row_per_check_per_run_and_keep_history(site, cron_run):
    runs = query(site, "SELECT run_id, count(*) FROM gold.dq_metrics GROUP BY 1 ORDER BY min(run_at)")
    assert len(runs) == 2  # the session build's, then the scheduled run's
    checks = {c for (c,) in query(site, "SELECT DISTINCT check_name FROM gold.dq_metrics")}
    assert checks >= {
        "rejection_rate",
        "fk_violation_rate",
        "completeness",
        "freshness_hours",
        "duplicate_rate",
        "anomaly_recall",
        "row_count",
        "row_count_drift",
    }
    # the drift is measured against the previous run's row counts
    (latest,) = runs[-1][:1]
    drift = dict(
        query(
            site,
            "SELECT table_name, measured_value FROM gold.dq_metrics WHERE run_id = ? "
            "AND check_name = 'row_count_drift'",
            latest,
        )
    )
    counts = dict(
        query(site, "SELECT table_name || run_id, measured_value FROM gold.dq_metrics WHERE check_name = 'row_count'")
    )
    before, after = counts["fct_sales" + runs[0][0]], counts["fct_sales" + latest]
    assert drift["fct_sales"] == pytest.approx((after - before) / before, abs=1e-6) and after > before


@pytest.mark.drill
def test_an_alert_fails_the_run_records_it_and_posts_the_webhook(site, alert_run):
    proc, posted = alert_run
    assert proc.returncode == 8, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr and proc.stderr.strip().splitlines()[-1].startswith("error: ")
    ((rate, status),) = query(
        site,
        "SELECT measured_value, status FROM gold.dq_metrics WHERE check_name = 'rejection_rate' "
        "AND table_name = 'orders_header' ORDER BY run_at DESC LIMIT 1",
    )
    assert status == "ALERT" and rate > 0.05
    records = [json.loads(line) for line in (site / "logs" / "alerts.jsonl").read_text().splitlines()]
    assert records[-1]["exit_code"] == 8 and records[-1]["step"] == "dq"
    assert posted == [records[-1]]


@pytest.mark.drill
def test_an_overlapping_run_is_refused_by_the_lock_and_alerts(site, alert_run):
    from pipelines.warehouse_lock import warehouse_lock

    with warehouse_lock(site / "warehouse.duckdb", "a run in progress"):
        proc = scheduled_run(site)
    assert proc.returncode == 3, proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith("error: the warehouse")
    assert "in use by another run (a run in progress" in proc.stderr
    record = json.loads((site / "logs" / "alerts.jsonl").read_text().splitlines()[-1])
    assert (record["exit_code"], record["step"]) == (3, "lock")


def test_a_raw_folder_without_a_first_run_is_a_clear_error(tmp_path):
    (tmp_path / "raw").mkdir()
    proc = scheduled_run(tmp_path)
    assert proc.returncode == 2 and "run the first job (make run) first" in proc.stderr, proc.stderr


def test_a_log_folder_that_is_a_file_is_a_clear_error(tmp_path):
    (tmp_path / "logs").write_text("a file")
    proc = scheduled_run(tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert f"{tmp_path / 'logs'} is a file, not a folder" in proc.stderr.strip().splitlines()[-1], proc.stderr
