"""Lake maintenance benchmark: files, bytes and a month-filtered query before and after
`python -m pipelines.lake optimize`, with partition-pruning evidence (files scanned with and
without the month filter, from DuckDB's EXPLAIN ANALYZE) and the row groups a one-day filter
must read (from the Parquet statistics). Writes its section of docs/operations.md.

    python -m benchmarks.lake [--lake lake] [--warehouse duckdb/warehouse.duckdb]

Measures the lake as it is: build it first (make run SCALE=1.0, then daily increments).
"""

from __future__ import annotations

import argparse
import re
import resource
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb_extensions
import pyarrow.parquet as pq
from deltalake import DeltaTable

import duckdb
from benchmarks.report import ROOT, machine, publish, run_child

REPORT = ROOT / "docs" / "operations.md"
TABLE, DATED_TABLE, DATE_COLUMN = "orders_lines", "orders_header", "order_ts"
RUNS = 7


def footprint(lake: Path) -> dict[str, tuple[int, int]]:
    """(files, bytes) of the Delta lake's current versions, of its folders on disk, and of the Parquet lake."""
    delta = lake / "bronze" / "delta"
    active = [0, 0]
    for table in sorted(p for p in delta.iterdir() if (p / "_delta_log").is_dir()):
        sizes = DeltaTable(table).get_add_actions(flatten=True).column("size_bytes").to_pylist()
        active = [active[0] + len(sizes), active[1] + sum(sizes)]
    on_disk = list(delta.rglob("*.parquet"))
    parquet = list((lake / "bronze" / "parquet").rglob("*.parquet")) + list((lake / "_rejects").rglob("*.parquet"))
    return {
        "Delta, current version": (active[0], active[1]),
        "Delta, files on disk": (len(on_disk), sum(f.stat().st_size for f in on_disk)),
        "Parquet lake": (len(parquet), sum(f.stat().st_size for f in parquet)),
    }


def connect() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(config={"extension_directory": str(ROOT / "duckdb" / "extensions")})
    duckdb_extensions.import_extension("delta", con=con)
    con.sql("LOAD delta")
    return con


def sources(lake: Path, table: str) -> dict[str, str]:
    return {
        "Parquet": f"read_parquet('{lake}/bronze/parquet/{table}/*/*.parquet', hive_partitioning = true)",
        "Delta": f"delta_scan('{lake}/bronze/delta/{table}')",
    }


def scanned_files(con: duckdb.DuckDBPyConnection, query: str) -> str:
    """'read/total' files of the scan, as DuckDB's profile reports them."""
    plan = "\n".join(row[1] for row in con.sql(f"EXPLAIN ANALYZE {query}").fetchall())
    match = re.search(r"Scanning Files: (\d+)/(\d+)", plan)
    return f"{match[1]}/{match[2]}" if match else "n/a"


def query_ms(con: duckdb.DuckDBPyConnection, query: str) -> float:
    con.sql(query).fetchall()  # warm-up: file metadata in the OS cache
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        con.sql(query).fetchall()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def month_queries(lake: Path, month: str) -> dict[str, tuple[float, str, str]]:
    """Per lake: (median ms of the month-filtered query, files scanned with the filter, without it)."""
    out = {}
    with connect() as con:
        for name, source in sources(lake, TABLE).items():
            filtered = f"SELECT count(*), sum(qty * unit_price) FROM {source} WHERE src_partition_month = '{month}'"
            unfiltered = f"SELECT count(*), sum(qty * unit_price) FROM {source}"
            out[name] = (query_ms(con, filtered), scanned_files(con, filtered), scanned_files(con, unfiltered))
    return out


def day_row_groups(lake: Path, month: str, day: date) -> dict[str, str]:
    """Row groups of the month's files whose date range overlaps one day: what statistics cannot skip."""
    out = {}
    for name, folder in (
        ("Parquet", lake / "bronze" / "parquet" / DATED_TABLE),
        ("Delta", lake / "bronze" / "delta" / DATED_TABLE),
    ):
        if name == "Delta":
            files = [Path(u.removeprefix("file://")) for u in DeltaTable(folder).file_uris()]
            files = [f for f in files if f.parent.name == f"src_partition_month={month}"]
        else:
            files = list((folder / f"src_partition_month={month}").glob("*.parquet"))
        overlapping = total = 0
        for f in files:
            meta = pq.ParquetFile(f).metadata
            column = meta.schema.to_arrow_schema().get_field_index(DATE_COLUMN)
            for i in range(meta.num_row_groups):
                stats = meta.row_group(i).column(column).statistics
                total += 1
                overlapping += stats.min.date() <= day and stats.max.date() >= day
        out[name] = f"{overlapping}/{total}"
    return out


def newest_month(lake: Path) -> str:
    months = sorted(p.name.split("=")[1] for p in (lake / "bronze" / "parquet" / TABLE).glob("src_partition_month=*"))
    return months[-1]


def measure(lake: Path, month: str, day: date) -> dict:
    return {
        "footprint": footprint(lake),
        "queries": month_queries(lake, month),
        "row_groups": day_row_groups(lake, month, day),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lake", type=Path, default=ROOT / "lake")
    parser.add_argument("--warehouse", type=Path, default=ROOT / "duckdb" / "warehouse.duckdb")
    args = parser.parse_args()
    month = newest_month(args.lake)
    day = date.fromisoformat(f"{month}-01") + timedelta(days=1)
    before = measure(args.lake, month, day)
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    command = [sys.executable, "-m", "pipelines.lake", "optimize", "--lake", str(args.lake)]
    wall, rss = run_child([*command, "--warehouse", str(args.warehouse)])
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    after = measure(args.lake, month, day)

    def mb(n: int) -> str:
        return f"{n / 1e6:,.1f} MB"

    lines = [
        "## OPTIMIZE and VACUUM: before and after",
        "",
        f"`python -m benchmarks.lake` — {machine()}.",
        "",
        f"`make optimize` took {wall:.1f} s wall, {cpu:.1f} s CPU (user + sys), peak RSS {rss:,.0f} MiB.",
        "",
        "| files and bytes | before | after |",
        "|---|---|---|",
        *[
            f"| {name} | {before['footprint'][name][0]:,} files, {mb(before['footprint'][name][1])} | "
            f"{after['footprint'][name][0]:,} files, {mb(after['footprint'][name][1])} |"
            for name in before["footprint"]
        ],
        "",
        f"Month-filtered query on `{TABLE}` (`WHERE src_partition_month = '{month}'`, count and sum of qty x "
        f"unit_price; median of {RUNS} warm runs, DuckDB). Files scanned, from DuckDB's EXPLAIN ANALYZE "
        "(`Scanning Files: read/total`):",
        "",
        "| lake | query before | query after | files scanned, filtered (before -> after) | "
        "files scanned, no filter (before -> after) |",
        "|---|---|---|---|---|",
        *[
            f"| {name} | {before['queries'][name][0]:.1f} ms | {after['queries'][name][0]:.1f} ms | "
            f"{before['queries'][name][1]} -> {after['queries'][name][1]} | "
            f"{before['queries'][name][2]} -> {after['queries'][name][2]} |"
            for name in before["queries"]
        ],
        "",
        f"One day inside that month (`{DATED_TABLE}.{DATE_COLUMN}` on {day}): row groups of the month's files "
        "whose min/max statistics overlap the day, i.e. what a reader cannot skip:",
        "",
        "| lake | before | after |",
        "|---|---|---|",
        *[f"| {name} | {before['row_groups'][name]} | {after['row_groups'][name]} |" for name in before["row_groups"]],
    ]
    publish("lake-optimize", lines, REPORT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
