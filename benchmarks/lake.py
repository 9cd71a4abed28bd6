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
TABLE = "orders_lines"  # the month-filtered query
# One-day filters: within the month's partition, and on shipments (not partitioned).
DAY_SCANS = [("orders_header", "order_ts", True), ("sensors", "sensor_ts", True), ("shipments", "shipped_at", False)]
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


def vacuum_later(lake: Path) -> tuple[int, int]:
    """(files, bytes) VACUUM will delete once the retention has passed: a dry run at 0 h deletes nothing."""
    files, size = 0, 0
    for table in sorted(p for p in (lake / "bronze" / "delta").iterdir() if (p / "_delta_log").is_dir()):
        listed = DeltaTable(table).vacuum(retention_hours=0, dry_run=True, enforce_retention_duration=False)
        files += len(listed)
        size += sum((table / f).stat().st_size for f in listed)
    return files, size


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
    """Files the scan read, as DuckDB's profile reports them: 'read/total' when a filter pruned files."""
    plan = "\n".join(row[1] for row in con.sql(f"EXPLAIN ANALYZE {query}").fetchall())
    pruned = re.search(r"Scanning Files: (\d+)/(\d+)", plan)
    read = re.search(r"Total Files Read: (\d+)", plan)
    return f"{pruned[1]}/{pruned[2]}" if pruned else read[1] if read else "n/a"


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


def day_scan(lake: Path, table: str, column: str, month: str | None, day: date) -> dict[str, str]:
    """Row groups (and their rows) whose min/max of `column` overlap one day: what a reader cannot
    skip by statistics. `month`: only that partition's files; None: the whole (unpartitioned) table."""
    out = {}
    folder = f"src_partition_month={month}" if month else None
    for name in ("Parquet", "Delta"):
        if name == "Delta":
            files = [Path(u.removeprefix("file://")) for u in DeltaTable(lake / "bronze" / "delta" / table).file_uris()]
        else:
            files = list((lake / "bronze" / "parquet" / table).rglob("*.parquet"))
        files = [f for f in files if folder is None or f.parent.name == folder]
        groups = rows = kept_groups = kept_rows = 0
        for f in files:
            meta = pq.ParquetFile(f).metadata
            index = meta.schema.to_arrow_schema().get_field_index(column)
            for i in range(meta.num_row_groups):
                group = meta.row_group(i)
                stats = group.column(index).statistics
                groups, rows = groups + 1, rows + group.num_rows
                if stats.min.date() <= day <= stats.max.date():
                    kept_groups, kept_rows = kept_groups + 1, kept_rows + group.num_rows
        out[name] = f"{kept_groups}/{groups} ({kept_rows:,} of {rows:,} rows)"
    return out


def newest_month(lake: Path) -> str:
    months = sorted(p.name.split("=")[1] for p in (lake / "bronze" / "parquet" / TABLE).glob("src_partition_month=*"))
    return months[-1]


def measure(lake: Path, month: str, day: date) -> dict:
    return {
        "footprint": footprint(lake),
        "queries": month_queries(lake, month),
        "day": {
            f"`{table}.{column}`" + (f" in {month}" if partitioned else " (not partitioned)"): day_scan(
                lake, table, column, month if partitioned else None, day
            )
            for table, column, partitioned in DAY_SCANS
        },
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
    later_files, later_bytes = vacuum_later(args.lake)

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
        "VACUUM keeps the replaced files for 168 h (time travel to the versions before OPTIMIZE). Once that has "
        f"passed it deletes {later_files:,} files, {mb(later_bytes)} (its dry run at 0 h, which deletes nothing).",
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
        f"One day ({day}): row groups whose min/max statistics overlap the day, i.e. what a reader cannot "
        "skip, with their rows:",
        "",
        "| filter | lake | before | after |",
        "|---|---|---|---|",
        *[
            f"| {scan} | {name} | {before['day'][scan][name]} | {after['day'][scan][name]} |"
            for scan in before["day"]
            for name in before["day"][scan]
        ],
    ]
    publish("lake-optimize", lines, REPORT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
