"""The operations done-when check (issue "Operations"): on fresh folders, the first run
(`make run`), three scheduled runs in a row (one with a file arriving 24 h late, one with new
columns), the first run again (it keeps the increments), then a full rebuild of the same raw
files into an empty warehouse; every Gold relation must equal the rebuild's.

    python -m benchmarks.operations --scale 0.01

Writes the "Scheduled runs: the done-when check" section of docs/operations.md with the
commands, the lines of their output that summarise them, wall and CPU time, and the Gold
comparison. Exits 1 when a relation differs.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from pathlib import Path

import duckdb
from benchmarks.report import ROOT, ChildRun, machine, measure_child, publish, site_args

WORK = ROOT / ".bench" / "operations"
REPORT = ROOT / "docs" / "operations.md"
# The output lines that summarise a run (the scheduled runs' full output is in their day log).
SUMMARY = (
    "next batch:",
    "silver + gold:",
    "gold published:",
    "data quality:",
    "order lines:",
    "total net sales:",
    "rejects:",
    "time:",
    "run ",
)
# Gold relations that record how the data arrived, not what it says: one row per run or per
# file load, so a sequence of five runs differs from one rebuild by design. They are compared
# on what they must still agree on (below), not row for row.
# A scheduled run's lines carry a time and a step: "2026-11-28T01:20:53Z [silver+gold] ...".
LOG_PREFIX = re.compile(r"^\S+Z \[[^\]]+\] ")
# Which bronze load brought a row, and when: a sequence of loads differs from one by design.
LOAD_COLUMNS = ("ingestion_ts", "bronze_load_id")
BY_ARRIVAL = {"dq_metrics", "fct_ingestion_audit", "vw_data_quality_dashboard", "vw_schema_drift"}
# fct_ingestion_audit: each raw file's last load must have read and kept the same rows.
LAST_LOAD_PER_FILE = """
    SELECT file_path, table_name, sha256, rows_processed, rows_loaded, rows_rejected
      FROM {db}.gold.fct_ingestion_audit
   QUALIFY row_number() OVER (PARTITION BY file_path ORDER BY finished_at DESC) = 1"""


def shown(command: list[str], run: ChildRun) -> list[str]:
    """The command as typed, its summary lines, and its measurements."""
    typed = " ".join(["$", ".venv/bin/python", *(a.replace(str(WORK), "$W") for a in command[1:])])
    summary = [
        line.replace(str(WORK), "$W")
        for line in run.stdout.splitlines()
        if LOG_PREFIX.sub("", line).startswith(SUMMARY)
    ]
    measured = f"[exit 0; wall {run.wall:.0f} s, CPU {run.cpu:.0f} s, peak RSS {run.rss_mib:,.0f} MiB]"
    return [typed, *summary, measured, ""]


def compare_gold(sequence: Path, rebuild: Path) -> list[tuple[str, int, int, int]]:
    """(relation, rows, rows only in the sequence, rows only in the rebuild) per Gold relation."""
    con = duckdb.connect()
    con.execute(f"ATTACH '{sequence}' AS seq (READ_ONLY)")
    con.execute(f"ATTACH '{rebuild}' AS rebuild (READ_ONLY)")
    relations = [
        r[0]
        for r in con.sql(
            "SELECT table_name FROM information_schema.tables WHERE table_catalog = 'seq' "
            "AND table_schema = 'gold' ORDER BY 1"
        ).fetchall()
    ]
    results = []
    for relation in relations:
        if relation in BY_ARRIVAL and relation != "fct_ingestion_audit":
            continue
        if relation == "fct_ingestion_audit":
            left, right, name = (
                LAST_LOAD_PER_FILE.format(db="seq"),
                LAST_LOAD_PER_FILE.format(db="rebuild"),
                ("fct_ingestion_audit (each file's last load)"),
            )
        else:
            described = con.sql(f"DESCRIBE seq.gold.{relation}").fetchall()
            columns = ", ".join(f'"{c[0]}"' for c in described if c[0] not in LOAD_COLUMNS)
            left = f"SELECT {columns} FROM seq.gold.{relation}"
            right, name = f"SELECT {columns} FROM rebuild.gold.{relation}", relation
        rows = con.sql(f"SELECT count(*) FROM ({left})").fetchone()[0]
        only_left = con.sql(f"SELECT count(*) FROM ({left} EXCEPT ALL {right})").fetchone()[0]
        only_right = con.sql(f"SELECT count(*) FROM ({right} EXCEPT ALL {left})").fetchone()[0]
        results.append((name, rows, only_left, only_right))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.01, help="the first run's scale (make run's default)")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    shutil.rmtree(WORK, ignore_errors=True)
    site, rebuild, raw = WORK / "site", WORK / "rebuild", WORK / "site" / "raw"
    first_run = [
        sys.executable,
        "pipelines/main_job.py",
        "--seed",
        str(args.seed),
        "--scale",
        f"{args.scale:g}",
        *site_args(raw, site),
    ]
    daily = [sys.executable, "pipelines/scheduled_run.py", *site_args(raw, site), "--log-dir", str(site / "logs")]
    sequence = [
        first_run,
        [*daily, "--late-file"],
        [*daily, "--no-late-file", "--add-column", "products.brand", "--add-column", "orders_header.device_type"],
        [*daily, "--no-late-file"],
        first_run,
        [sys.executable, "pipelines/bronze_dlt_pipeline.py", *site_args(raw, rebuild)],
        [
            sys.executable,
            "pipelines/transform_pipeline.py",
            "--warehouse",
            str(rebuild / "warehouse.duckdb"),
            "--pipelines-dir",
            str(rebuild / "pipelines"),
        ],
    ]
    transcript: list[str] = []
    for command in sequence:
        print(f"operations check: {' '.join(command[1:3])} ...", file=sys.stderr)
        transcript += shown(command, measure_child(command))
    compared = compare_gold(site / "warehouse.duckdb", rebuild / "warehouse.duckdb")
    differing = [c for c in compared if c[2] or c[3]]

    lines = [
        "## Scheduled runs: the done-when check",
        "",
        f"`python -m benchmarks.operations --scale {args.scale:g}` — {machine()}.",
        "",
        f"On fresh folders under `.bench/operations` (`$W`), at scale {args.scale:g}, seed {args.seed}: the first run",
        "(`make run`), three scheduled runs in a row (`make daily`; the first with a file arriving 24 h late,",
        "the second with two new columns), then the first run again, which keeps the increments. Then",
        "bronze and the transform from the same raw folder into an empty warehouse (`$W/rebuild`), the",
        "full rebuild that Gold is compared with. Each command with the lines of its output that",
        "summarise it (the scheduled runs' full output is in their day log), its wall and CPU time",
        "(user + system of every process it started) and peak RSS:",
        "",
        "```text",
        *transcript,
        "```",
        "",
        "Gold after the sequence against the full rebuild: rows of each relation that are in one and",
        "not the other (`EXCEPT ALL` both ways, every column but the bronze load a fact row came in).",
        "`dq_metrics`, `vw_data_quality_dashboard` and `vw_schema_drift` record how the data arrived (a",
        "row per run, per load, per schema change) and differ by design; `fct_ingestion_audit` is",
        "compared on each raw file's last load.",
        "",
        "| Gold relation | rows | only after the sequence | only in the rebuild |",
        "|---|---:|---:|---:|",
        *[f"| {name} | {rows:,} | {left:,} | {right:,} |" for name, rows, left, right in compared],
        "",
        f"Result: {len(compared) - len(differing)} of {len(compared)} relations equal the full rebuild"
        + (f"; differing: {', '.join(c[0] for c in differing)}." if differing else "."),
    ]
    publish("done-when", lines, REPORT)
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
