"""OPTIMIZE and VACUUM of the bronze Delta lake; coalescing of the Parquet lake's small files.

Every daily bronze load adds one small file per table and month it touches, in Delta and in
Parquet. OPTIMIZE rewrites only partitions holding more than one file, toward files of
TARGET_FILE_BYTES, sorted by the table's date column where one exists (a Z-order on one
column), with row groups small enough that a date filter skips most of a file.

Bronze's guarantees hold afterwards: rows are rewritten, never changed, so DuckDB, Parquet
and Delta still hold identical rows. The Delta lake's exported load ids live in dlt's state,
which OPTIMIZE does not touch. The Parquet lake's exports are exactly-once because a load's
files carry its id and are recorded in `ops.lake_exports`: only files of recorded loads are
coalesced, so a load an interrupted export left half-written is still rewritten in place by
the next bronze run. The caller holds the warehouse lock, so no export runs meanwhile.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq
from deltalake import DeltaTable, WriterProperties

import duckdb
from pipelines.lake.tables import EXIT_BUSY, LakeError, Paths, bronze_delta_tables, one_row, quoted

MB = 1_000_000
# SPEC asks for files of 100-250 MB: a Delta rewrite aims at the middle; Parquet files are
# packed up to the upper bound, and files already past the lower bound are left alone.
TARGET_FILE_BYTES = 128 * MB
MAX_FILE_BYTES = 250 * MB
LARGE_ENOUGH_BYTES = 100 * MB
# Rewritten files are sorted by date; row groups of this many rows let a date filter skip
# most of a file by its statistics (dlt/delta-rs writes one row group per file otherwise).
ROW_GROUP_ROWS = 131_072
# The date each table is queried by. Orders lines carry no date (their order_id follows it).
DATE_COLUMNS = {
    "orders_header": "order_ts",
    "events": "event_ts",
    "sensors": "sensor_ts",
    "shipments": "shipped_at",
    "returns": "return_ts",
}
LOAD_FILE = re.compile(r"load_(?P<load>\d+\.\d+)(?:_\d+)?\.parquet")
COALESCED_FILE = re.compile(r"loads_(?P<first>\d+\.\d+)_(?P<last>\d+\.\d+)\.parquet")
JOURNAL = "_coalesce.json"


@dataclass(frozen=True)
class Footprint:
    files: int
    bytes: int

    def __str__(self) -> str:
        return f"{self.files:,} file{'' if self.files == 1 else 's'}, {self.bytes / MB:,.1f} MB"


def optimize_lake(paths: Paths, retention_hours: int, dry_run: bool) -> int:
    started = time.perf_counter()
    exported = exported_parquet_loads(paths.warehouse)  # first: a busy warehouse stops the run before any change
    tables = bronze_delta_tables(paths)
    print(
        f"OPTIMIZE {paths.delta}: partitions with more than one file, toward {TARGET_FILE_BYTES // MB} MB files"
        f"{' (dry run)' if dry_run else ''}"
    )
    for name in tables:
        print(f"  {name:<15} {compact_delta(paths.delta / name, DATE_COLUMNS.get(name), dry_run)}")
    print(f"VACUUM {paths.delta}: files no longer referenced and older than {retention_hours} h")
    for name in tables:
        print(f"  {name:<15} {vacuum(paths.delta / name, retention_hours, dry_run)}")
    print(f"Parquet lake {paths.parquet} and {paths.rejects}: small files of exported loads coalesced")
    for root in (paths.parquet, paths.rejects):
        if not root.is_dir():
            continue
        for table_dir in sorted(p for p in root.iterdir() if p.is_dir()):
            result = coalesce_table(table_dir, exported, DATE_COLUMNS.get(table_dir.name), dry_run)
            if result:
                print(f"  {root.name}/{table_dir.name:<15} {result}")
    print(f"optimize {'dry run ' if dry_run else ''}done in {time.perf_counter() - started:.1f} s")
    return 0


def active_files(dt: DeltaTable) -> list[dict]:
    """The files of the current version with their size and partition values."""
    actions = dt.get_add_actions(flatten=True)
    columns = {name: actions.column(name).to_pylist() for name in actions.column_names}
    partition_names = [n for n in columns if n.startswith("partition.")]
    return [
        {
            "size": columns["size_bytes"][i],
            "partition": tuple((n.removeprefix("partition."), columns[n][i]) for n in partition_names),
        }
        for i in range(len(columns["path"]))
    ]


def compact_delta(path: Path, date_column: str | None, dry_run: bool) -> str:
    dt = DeltaTable(path)
    files = active_files(dt)
    before = Footprint(len(files), sum(f["size"] for f in files))
    per_partition: dict[tuple, int] = {}
    for f in files:
        per_partition[f["partition"]] = per_partition.get(f["partition"], 0) + 1
    crowded = sorted(p for p, n in per_partition.items() if n > 1)
    if not crowded:
        return f"{before}: nothing to compact"
    rewrite = sum(per_partition[p] for p in crowded)
    names = ", ".join("/".join(str(v) for _, v in p) for p in crowded)
    if dry_run:
        return f"{before}: would rewrite {rewrite} files of {len(crowded)} partitions ({names[:60]})"
    partition_columns = dt.metadata().partition_columns
    assert len(partition_columns) <= 1, f"{path}: more than one partition column"
    filters = None
    if partition_columns:
        column = partition_columns[0]
        filters = [(column, "in", [dict(p)[column] for p in crowded])]
    properties = WriterProperties(max_row_group_size=ROW_GROUP_ROWS, compression="SNAPPY")  # as dlt writes
    if date_column:
        dt.optimize.z_order(
            [date_column], partition_filters=filters, target_size=TARGET_FILE_BYTES, writer_properties=properties
        )
    else:
        dt.optimize.compact(partition_filters=filters, target_size=TARGET_FILE_BYTES, writer_properties=properties)
    after_files = active_files(DeltaTable(path))
    after = Footprint(len(after_files), sum(f["size"] for f in after_files))
    how = f"Z-ordered by {date_column}" if date_column else "compacted"
    return f"{before} -> {after}; {how}: {rewrite} files of {len(crowded)} partitions ({names[:60]})"


def vacuum(path: Path, retention_hours: int, dry_run: bool) -> str:
    """List what VACUUM would delete (the dry run), then delete it unless this is a dry run."""
    dt = DeltaTable(path)
    enforce = retention_hours >= 168
    listed = dt.vacuum(retention_hours=retention_hours, dry_run=True, enforce_retention_duration=enforce)
    size = sum((path / f).stat().st_size for f in listed if (path / f).exists())
    lines = [f"dry run: {len(listed)} files ({size / MB:,.1f} MB) to delete"]
    lines += [f"    {f}" for f in listed[:5]] + ([f"    ... and {len(listed) - 5} more"] if len(listed) > 5 else [])
    if listed and not dry_run:
        deleted = dt.vacuum(retention_hours=retention_hours, dry_run=False, enforce_retention_duration=enforce)
        lines.append(f"    deleted {len(deleted)} files")
    return "\n".join(lines)


def exported_parquet_loads(warehouse: Path) -> set[str]:
    """Bronze loads whose Parquet export completed (recorded in `ops.lake_exports`)."""
    if not warehouse.is_file():
        return set()
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.IOException as exc:
        raise LakeError(f"the warehouse {warehouse} is in use: {str(exc).splitlines()[0]}", EXIT_BUSY) from None
    with con:
        present = one_row(
            con,
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'ops' AND table_name = 'lake_exports'",
        )[0]
        if not present:
            return set()
        rows = con.sql("SELECT DISTINCT load_id FROM ops.lake_exports WHERE target = 'parquet'").fetchall()
        return {r[0] for r in rows}


def coalesce_table(table_dir: Path, exported: set[str], date_column: str | None, dry_run: bool) -> str | None:
    """Coalesce each folder of a table (the table itself or its partitions); None when nothing was to do."""
    folders = [table_dir] + sorted(p for p in table_dir.rglob("*") if p.is_dir())
    before = footprint(table_dir)
    rewritten = 0
    for folder in folders:
        if not dry_run:
            finish_interrupted(folder)
        for batch in batches(folder, exported):
            rewritten += len(batch)
            if not dry_run:
                coalesce(folder, batch, date_column)
    if not rewritten:
        return None
    if dry_run:
        return f"{before}: would coalesce {rewritten} files"
    return f"{before} -> {footprint(table_dir)}"


def footprint(folder: Path) -> Footprint:
    files = list(folder.rglob("*.parquet"))
    return Footprint(len(files), sum(f.stat().st_size for f in files))


def loads_in(name: str) -> tuple[str, str] | None:
    """The first and last bronze load id a lake file holds, from its name (None: a snapshot or other file)."""
    if match := LOAD_FILE.fullmatch(name):
        return match["load"], match["load"]
    if match := COALESCED_FILE.fullmatch(name):
        return match["first"], match["last"]
    return None


def batches(folder: Path, exported: set[str]) -> list[list[Path]]:
    """Runs of small files of exported loads, oldest first, each up to MAX_FILE_BYTES; single files stay."""
    small = []
    for f in folder.glob("*.parquet"):
        loads = loads_in(f.name)
        # A coalesced file only ever holds exported loads.
        if loads and (loads[0] in exported or loads[0] != loads[1]) and f.stat().st_size < LARGE_ENOUGH_BYTES:
            small.append(f)
    small.sort(key=lambda f: float(loads_in(f.name)[0]))  # type: ignore[index]
    out: list[list[Path]] = [[]]
    size = 0
    for f in small:
        if out[-1] and size + f.stat().st_size > MAX_FILE_BYTES:
            out.append([])
            size = 0
        out[-1].append(f)
        size += f.stat().st_size
    return [b for b in out if len(b) > 1]


def coalesce(folder: Path, files: list[Path], date_column: str | None) -> None:
    """Write the files' rows as one file, then remove them. A journal makes this safe to interrupt:
    the next run completes it (the new file is in place) or discards it (it is not)."""
    loads = [loads_in(f.name) for f in files]
    first = min((lo for lo, _ in loads), key=float)  # type: ignore[misc]
    last = max((hi for _, hi in loads), key=float)  # type: ignore[misc]
    target = folder / f"loads_{first}_{last}.parquet"
    pending = target.with_name(target.name + ".tmp")
    if target.exists():  # the inputs are deleted after the swap: never write over a file
        raise OSError(f"coalescing {folder}: {target.name} exists already; nothing was changed")
    expected = sum(pq.ParquetFile(f).metadata.num_rows for f in files)
    source = f"read_parquet({[str(f) for f in files]}, hive_partitioning = false, union_by_name = true)"
    with duckdb.connect(config={"memory_limit": "1GB"}) as con:
        columns = {r[0] for r in con.sql(f"DESCRIBE SELECT * FROM {source}").fetchall()}
        order = f"ORDER BY {quoted([date_column])}" if date_column in columns else ""
        options = f"FORMAT parquet, ROW_GROUP_SIZE {ROW_GROUP_ROWS}"
        con.sql(f"COPY (SELECT * FROM {source} {order}) TO '{pending}' ({options})")
    written = pq.ParquetFile(pending).metadata.num_rows
    if written != expected:
        pending.unlink()
        raise OSError(f"coalescing {folder} wrote {written} rows for {expected}; nothing was changed")
    (folder / JOURNAL).write_text(json.dumps({"target": target.name, "inputs": [f.name for f in files]}))
    pending.replace(target)
    finish_interrupted(folder)


def finish_interrupted(folder: Path) -> None:
    """Complete (new file in place: drop the inputs) or undo (drop the partial file) a coalescing."""
    journal = folder / JOURNAL
    if journal.exists():
        entry = json.loads(journal.read_text())
        if (folder / entry["target"]).exists():
            for name in entry["inputs"]:
                (folder / name).unlink(missing_ok=True)
        journal.unlink()
    for partial in folder.glob("loads_*.parquet.tmp"):
        partial.unlink()
