"""Silver + Gold benchmark on the scale-1.0 bronze warehouse left by `benchmarks.bronze`:
a full `dbt build` (seeds, models, tests), the five benchmark queries of SPEC over Gold
(median of 5 runs each, EXPLAIN ANALYZE saved under docs/explain/), then an incremental
build after a 2-day increment (with a file one day late) has gone through bronze, as a share
of the full build (target: at most 20 %).

    python -m benchmarks.transform
"""

from __future__ import annotations

import json
import os
import re
import statistics
import sys
import time
from datetime import date, timedelta

import duckdb
from benchmarks.report import ROOT, ChildRun, checks_table, machine, measure_child, publish, run_child, site_args
from pipelines.dbt_results import TARGET, describe_layer_seconds, run_results

WORK = ROOT / ".bench"
QUERIES = ROOT / "benchmarks" / "queries"
EXPLAIN = ROOT / "docs" / "explain"
RUNS = 5
TARGETS = {"full_s": 180.0, "query_s": 0.5, "incremental_share": 0.20}


def time_queries(warehouse) -> list[tuple[str, float, float, int]]:
    """(name, first run s, median of RUNS s, result rows) per query; EXPLAIN ANALYZE to docs/explain/."""
    EXPLAIN.mkdir(parents=True, exist_ok=True)
    results = []
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for path in sorted(QUERIES.glob("*.sql")):
            sql = path.read_text()
            times, rows = [], 0
            for _ in range(RUNS):
                started = time.perf_counter()
                rows = len(con.sql(sql).fetchall())
                times.append(time.perf_counter() - started)
            plan = con.sql("EXPLAIN ANALYZE " + sql).fetchall()
            (EXPLAIN / f"{path.stem}.txt").write_text(
                f"-- {path.name}: median {statistics.median(times) * 1000:.0f} ms over {RUNS} runs, {rows} rows\n"
                + sql
                + "\n"
                + "\n".join(text for _, text in plan)
                + "\n"
            )
            results.append((path.stem, times[0], statistics.median(times), rows))
    return results


def gold_rows(warehouse) -> list[str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = con.sql(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'gold' "
            "AND table_type = 'BASE TABLE' AND starts_with(table_name, 'fct_') ORDER BY 1"
        ).fetchall()
        return [f"{t} {con.sql(f'SELECT count(*) FROM gold.{t}').fetchone()[0]:,}" for (t,) in tables]


def time_split(run: ChildRun) -> str:
    """Where a transform's wall time went: dbt's own elapsed time (with its models' and tests'
    node time, summed over dbt's 2 threads, and the slowest nodes), the Parquet publish, and
    the rest (starting dbt through dlt's runner, parsing)."""
    document = json.loads((TARGET / "run_results.json").read_text())
    seconds: dict[str, float] = {}
    for result in run_results():
        kind = result["unique_id"].split(".")[0]
        seconds[kind] = seconds.get(kind, 0.0) + result["execution_time"]
    slowest = sorted(run_results(), key=lambda r: -r["execution_time"])[:3]
    published = re.search(r"gold published: .* in ([0-9.]+) s", run.stdout)
    publish_s = float(published.group(1)) if published else 0.0
    dbt_s = document["elapsed_time"]
    return (
        f"dbt {dbt_s:.0f} s (node time: models {seconds.get('model', 0):.0f} s, tests "
        f"{seconds.get('test', 0) + seconds.get('unit_test', 0):.0f} s; slowest "
        + ", ".join(f"{r['unique_id'].split('.')[2]} {r['execution_time']:.1f} s" for r in slowest)
        + f"), publish {publish_s:.0f} s, the rest {run.wall - dbt_s - publish_s:.0f} s"
    )


def next_increment(manifest: dict) -> date:
    """The day after the newest batch, so every run of this benchmark measures new data."""
    ends = [
        date.fromisoformat(b["args"]["start_date"]) + timedelta(days=b["args"]["days"])
        for b in manifest["batches"]
        if b["args"].get("start_date")
    ]
    return max(ends, default=date(2026, 1, 1))


def main() -> int:
    target = WORK / "bronze"
    warehouse = target / "warehouse.duckdb"
    if not warehouse.exists():
        sys.exit("run `python -m benchmarks.bronze` first: this benchmark builds on its warehouse")
    transform = [
        sys.executable,
        "pipelines/transform_pipeline.py",
        "--warehouse",
        str(warehouse),
        "--pipelines-dir",
        str(target / "pipelines"),
    ]
    print("silver + gold: full build", file=sys.stderr)
    full_load = os.getloadavg()[0]
    full = measure_child(transform + ["--full-refresh"])
    full_layers = describe_layer_seconds()
    full_split = time_split(full)
    facts = gold_rows(warehouse)
    print("benchmark queries", file=sys.stderr)
    queries = time_queries(warehouse)
    raw = WORK / "raw"
    manifest = json.loads((raw / "_manifest.json").read_text())
    scale, start = manifest["scale"], next_increment(manifest)
    print(f"increment: generate 2 days from {start} + a late file, load bronze", file=sys.stderr)
    run_child(
        [
            sys.executable,
            "-m",
            "generators",
            "--quiet",
            "--seed",
            "42",
            "--scale",
            str(scale),
            "--out",
            str(raw),
            "--start-date",
            start.isoformat(),
            "--days",
            "2",
            "--late-days",
            "1",
        ]
    )
    run_child(
        [
            sys.executable,
            "pipelines/bronze_dlt_pipeline.py",
            *site_args(raw, target),  # its warehouse is target / "warehouse.duckdb"
        ]
    )
    print("silver + gold: incremental build", file=sys.stderr)
    incr_load = os.getloadavg()[0]
    incr = measure_child(transform)
    incr_layers = describe_layer_seconds()
    incr_split = time_split(incr)
    share = incr.wall / full.wall
    checks = [
        (
            "full build (seeds, models, tests)",
            f"{full.wall:.1f} s, CPU {full.cpu:.1f} s ({full_layers})",
            f"<= {TARGETS['full_s']:.0f} s",
            full.wall <= TARGETS["full_s"],
        ),
        (
            "incremental build after a 2-day increment with a late file",
            f"{incr.wall:.1f} s, CPU {incr.cpu:.1f} s ({incr_layers})",
            "",
            True,
        ),
        (
            "incremental as a share of the full build (wall; CPU)",
            f"{share:.0%}; {incr.cpu / full.cpu:.0%}",
            f"<= {TARGETS['incremental_share']:.0%}",
            share <= TARGETS["incremental_share"],
        ),
        ("where the full build's time went", full_split, "", True),
        ("where the incremental build's time went", incr_split, "", True),
        ("peak RSS (full / incremental)", f"{full.rss_mib:,.0f} / {incr.rss_mib:,.0f} MiB", "", True),
    ]
    checks += [
        (
            f"query `{name}` (median of {RUNS}; first run {first * 1000:.0f} ms; {rows} rows)",
            f"{median * 1000:.0f} ms",
            f"<= {TARGETS['query_s'] * 1000:.0f} ms",
            median <= TARGETS["query_s"],
        )
        for name, first, median, rows in queries
    ]
    publish(
        "transform",
        [
            "## Silver + Gold",
            "",
            f"`python -m benchmarks.transform` on the scale-{scale} bronze warehouse — {machine()}; "
            f"1-minute load average {full_load:.1f} before the full build, {incr_load:.1f} before the incremental one "
            "(above 2, other work shared the machine and wall times are inflated; CPU is user + system of the build "
            "and every process it started).",
            "",
            *checks_table(checks),
            "",
            f"Gold facts after the full build: {', '.join(facts)}. Queries: `benchmarks/queries/`; their "
            "EXPLAIN ANALYZE output: `docs/explain/`. Layer times in brackets are dbt node time (the execution "
            "time of the layer's models, seeds and tests, summed over dbt's 2 threads). Build times include "
            "starting dbt through dlt's runner (a few seconds) and publishing Gold as Parquet for readers. The "
            "incremental build runs the row-level tests and the uniqueness tests of models with a bronze load id on "
            "the new bronze loads only (uniqueness: every row whose key a new row has), and every other test on "
            "whole tables (docs/decisions.md §29); it rebuilds the dimensions, the SCD2 history tables "
            "(`snapshots.*`, from bronze's history), returns, fct_returns and the data-quality models in full; the "
            "large silver facts, fct_sales, fct_shipments and fct_sensor_readings read only the new bronze loads "
            "and the old rows whose keys those loads change (docs/decisions.md §28). Publishing writes every Gold "
            "relation again.",
        ],
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
