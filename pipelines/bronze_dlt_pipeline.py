"""Bronze: load the raw sources into DuckDB `bronze.<table>` and the lake (Parquet + Delta).

    python pipelines/bronze_dlt_pipeline.py [--raw DIR] [--lake DIR] [--warehouse FILE]
                                            [--tables T ...] [--dry-run]

Idempotent and resumable: files already loaded are skipped (manifest in
`bronze.file_manifest`), a load package left by a killed run is completed first, and a
second run started while one is running exits at once (exit code 3).
"""

from __future__ import annotations

import argparse
import fcntl
import os
import resource
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # runnable as a script from anywhere
    sys.path.insert(0, str(ROOT))
os.chdir(ROOT)  # dlt reads .dlt/config.toml from the working directory

import dlt  # noqa: E402

import duckdb  # noqa: E402
from pipelines.bronze import retail_bronze  # noqa: E402
from pipelines.bronze.helpers import (  # noqa: E402
    BatchReader,
    applied_returns_version,
    latest_manifest,
    plan_run,
    returns_versions,
)
from pipelines.bronze.lake import bronze_lake, export_parquet, exported_loads, pending_lake_loads  # noqa: E402
from pipelines.bronze.settings import TABLES  # noqa: E402
from pipelines.bronze.validation import Validator  # noqa: E402

PIPELINE = "retail_bronze"
DATASET = "bronze"
EXIT_BUSY = 3


class Busy(Exception):
    pass


def acquire_lock(warehouse: Path):
    """An exclusive, non-blocking lock beside the warehouse (released by the OS if the run dies)."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    handle = open(warehouse.with_suffix(".bronze.lock"), "a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        handle.close()
        raise Busy(
            f"another bronze run is in progress ({holder}); nothing was changed. Wait for it to finish, then run again."
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"pid {os.getpid()} since {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC")
    handle.flush()
    return handle


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    cfg = dlt.config
    p = argparse.ArgumentParser(prog="python pipelines/bronze_dlt_pipeline.py", description=__doc__.splitlines()[0])
    p.add_argument(
        "--raw",
        type=Path,
        default=Path(cfg["sources.retail_bronze.raw_dir"]),
        help="raw root written by the generator (default from .dlt/config.toml: data_raw)",
    )
    p.add_argument("--lake", type=Path, default=Path(cfg["bronze.lake_dir"]), help="lake root (default lake)")
    p.add_argument(
        "--warehouse",
        type=Path,
        default=Path(cfg["bronze.warehouse"]),
        help="DuckDB file (default duckdb/warehouse.duckdb)",
    )
    p.add_argument("--tables", nargs="+", choices=list(TABLES), metavar="T", help="load only these tables")
    p.add_argument(
        "--pipelines-dir",
        type=Path,
        default=Path(cfg["bronze.pipelines_dir"]),
        help="dlt working folder (state, pending packages); one per warehouse (default .dlt/pipelines)",
    )
    p.add_argument("--dry-run", action="store_true", help="show what would be loaded, change nothing")
    return p.parse_args(argv)


def bronze_pipeline(warehouse: Path, pipelines_dir: Path) -> dlt.Pipeline:
    return dlt.pipeline(
        PIPELINE,
        destination=dlt.destinations.duckdb(str(warehouse.resolve())),
        dataset_name=DATASET,
        pipelines_dir=str(pipelines_dir.resolve()),
    )


def lake_pipeline(lake: Path, pipelines_dir: Path) -> dlt.Pipeline:
    return dlt.pipeline(
        f"{PIPELINE}_lake",
        destination=dlt.destinations.filesystem(bucket_url=str((lake / "bronze").resolve())),
        dataset_name="delta",
        pipelines_dir=str(pipelines_dir.resolve()),
    )


def finish_pending(pipeline: dlt.Pipeline) -> bool:
    """Complete a load package left by an interrupted run (no data is re-extracted)."""
    if not pipeline.has_pending_data:
        return False
    print(f"completing the load left by an interrupted run of {pipeline.pipeline_name}", file=sys.stderr)
    pipeline.normalize()
    pipeline.load()
    return True


def run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    raw, warehouse, lake = args.raw, args.warehouse, args.lake
    if not raw.is_dir():
        print(
            f"error: raw folder {raw} does not exist; generate it first (python -m generators --out {raw})",
            file=sys.stderr,
        )
        return 2
    tables = args.tables or list(TABLES)
    pipeline = bronze_pipeline(warehouse, args.pipelines_dir)
    if not args.dry_run:
        finish_pending(pipeline)
    seen = {}
    if warehouse.exists():
        with duckdb.connect(str(warehouse), read_only=True) as con:
            seen = latest_manifest(con, DATASET)
    plan = plan_run(raw, tables, seen)
    applied = applied_returns_version(seen)
    newest = returns_versions(raw) if "returns" in tables else None
    todo_versions = [] if newest is None else list(range(applied + 1, newest + 1))
    print(
        f"bronze plan: {plan.n_files} files to read, {len(plan.conflicts)} changed files in conflict, "
        f"{plan.skipped} unchanged files skipped, returns versions to apply: {todo_versions or 'none'}",
        file=sys.stderr,
    )
    gone = sorted(
        path
        for path, row in seen.items()
        if row["status"] == "loaded" and row["table_name"] in tables and not (raw / path).exists()
    )
    if gone:
        print(
            f"warning: {len(gone)} files loaded earlier are no longer in {raw} (e.g. {gone[0]}); bronze keeps "
            "their rows. If the raw folder was regenerated, start afresh with `make clean`.",
            file=sys.stderr,
        )
    if args.dry_run:
        for table, files in sorted(plan.files.items()):
            print(f"  {table:<15} {len(files):>6} files ({', '.join(sorted({f.decision for f in files}))})")
        for f, why in plan.conflicts:
            print(f"  conflict: {f.path}: {why}")
        return 0

    ingestion_ts = datetime.now(UTC)
    lake = Lake(args.lake, warehouse, args.pipelines_dir)
    lake.export()  # whatever an interrupted run left behind
    validator = Validator(ingestion_ts)
    reader = BatchReader(
        raw, validator, ROOT / dlt.config["bronze.extension_dir"], dlt.config["sources.retail_bronze.batch_rows"]
    )
    try:
        if plan.n_files or plan.conflicts:
            pipeline.run(retail_bronze(plan, reader))
            print(f"bronze load: {_step_times(pipeline)}; peak RSS {_peak_mib():,.0f} MiB", file=sys.stderr)
            lake.export()
        # Each raw returns version is its own bronze load, copied to the lake before the next
        # one, so the lake's Delta history shows the same sequence (and the column appearing).
        for version in todo_versions:
            pipeline.run(retail_bronze(plan, reader, returns_version=version, validator=validator))
            lake.export()
    finally:
        reader.close()
        validator.close()
    print_summary(warehouse, ingestion_ts, time.perf_counter() - started, lake.seconds, lake.exported)
    return 0


class Lake:
    """Copies bronze loads to the Parquet and Delta lake as soon as they land."""

    def __init__(self, root: Path, warehouse: Path, pipelines_dir: Path) -> None:
        self.root, self.warehouse = root, warehouse
        self.pipeline = lake_pipeline(root, pipelines_dir)
        self.exported: list = []
        self.seconds = 0.0

    def export(self) -> None:
        if not self.warehouse.exists():
            return
        started = time.perf_counter()
        with duckdb.connect(str(self.warehouse), config={"memory_limit": "1GB"}) as con:
            self.exported += export_parquet(con, DATASET, self.root)
        finish_pending(self.pipeline)
        warehouse = str(self.warehouse.resolve())
        for load_id in pending_lake_loads(warehouse, exported_loads(self.pipeline), DATASET):
            self.pipeline.run(bronze_lake(warehouse, load_id, DATASET))
            print(
                f"delta lake load {load_id}: {_step_times(self.pipeline)}; peak RSS {_peak_mib():,.0f} MiB",
                file=sys.stderr,
            )
        self.seconds += time.perf_counter() - started


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _step_times(pipeline: dlt.Pipeline) -> str:
    trace = pipeline.last_trace
    return (
        ", ".join(
            f"{s.step} {(s.finished_at - s.started_at).total_seconds():.1f} s" for s in trace.steps if s.finished_at
        )
        if trace
        else "n/a"
    )


def print_summary(warehouse: Path, since: datetime, total_s: float, lake_s: float, exported) -> None:
    bronze_s = total_s - lake_s
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = (
            con.sql(
                f"""
            SELECT table_name, count(*) AS files, sum(rows_read), sum(rows_loaded), sum(rows_rejected),
                   count(*) FILTER (WHERE status = 'failed'), count(*) FILTER (WHERE status = 'conflict'),
                   sum(size_bytes), epoch(max(finished_at) - min(started_at))
            FROM {DATASET}.file_manifest WHERE finished_at >= ? GROUP BY 1 ORDER BY 1
        """,
                params=[since],
            ).fetchall()
            if _has_manifest(con)
            else []
        )
    print(f"{'table':<16}{'files':>7}{'read':>12}{'loaded':>12}{'rejected':>10}{'failed':>8}{'conflict':>9}{'MB/s':>8}")
    total_mb = 0.0
    for table, files, read, loaded, rejected, failed, conflict, size, seconds in rows:
        mb = (size or 0) / 1e6
        total_mb += mb
        print(
            f"{table:<16}{files:>7,}{read:>12,}{loaded:>12,}{rejected:>10,}{failed:>8}{conflict:>9}"
            f"{mb / max(seconds or 0, 1e-3):>8.1f}"
        )
    if not rows:
        print("nothing new: every raw file is already in bronze")
    print(
        f"bronze {bronze_s:.1f} s ({total_mb:.0f} MB read), lake export {lake_s:.1f} s "
        f"({len(exported)} table loads to Parquet); peak RSS {_peak_mib():,.0f} MiB"
    )


def _has_manifest(con) -> bool:
    return (
        con.sql(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = 'file_manifest'",
            params=[DATASET],
        ).fetchone()[0]
        > 0
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        lock = acquire_lock(args.warehouse)
    except Busy as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BUSY
    try:
        return run(args)
    finally:
        lock.close()


if __name__ == "__main__":
    sys.exit(main())
