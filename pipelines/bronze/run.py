"""A bronze run: complete what an interrupted run left behind, plan, load the new raw files into
the DuckDB warehouse (pipeline `retail_bronze`, dataset `bronze`), copy each load to the lake,
and report. Under the warehouse lock, on one warehouse connection held for the whole run, so
another process (a `dbt source freshness`, a notebook) cannot take the file away mid-load."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import dlt
from dlt.sources import DltSource

import duckdb
from pipelines.bronze import retail_bronze
from pipelines.bronze.crash_points import crash_point
from pipelines.bronze.lake_export import LakeExport, LakeSettings, finish_pending
from pipelines.bronze.load_loop import prompt_load_loop
from pipelines.bronze.manifest import manifest_in
from pipelines.bronze.planning import ManifestRow, Plan, plan_run, vanished_files
from pipelines.bronze.report import Profile, failed_files, peak_rss_mib, table_summary
from pipelines.bronze.returns_cdc import applied_version, newest_version
from pipelines.bronze.tables import ANOMALY_LOG_FILE, DATASET, PIPELINE_NAME, TABLES
from pipelines.bronze_nothing_new import forget_record, write_record
from pipelines.dlt_run_context import configured_path, dlt_pipelines_dir
from pipelines.exit_codes import ExitCode, RunFailed
from pipelines.folders import usable_folder
from pipelines.warehouse import configured_warehouse, open_warehouse
from pipelines.warehouse_lock import warehouse_lock


@dataclass
class BronzeOptions:
    """Overrides of the dlt config (None: use `.dlt/config.toml` / `secrets.toml` / environment)."""

    raw_dir: Path | None = None
    tables: list[str] | None = None
    warehouse: Path | None = None
    lake: Path | None = None
    pipelines_dir: Path | None = None
    dry_run: bool = False
    wait: bool = False
    reprocess: list[str] = field(default_factory=list)  # raw paths to read again (merged tables only)
    command_line: list[str] | None = None  # the arguments it was parsed from (a run that ends settled records them)


@dataclass
class _Run:
    raw_root: Path
    tables: list[str]
    reprocess: frozenset[str] = frozenset()
    profile: Profile = field(default_factory=Profile)
    load_ids: list[str] = field(default_factory=list)


def run_bronze(options: BronzeOptions) -> ExitCode:
    started = time.perf_counter()
    raw_root = options.raw_dir or configured_path(dlt.config["sources.retail_bronze.raw_dir"])
    tables = options.tables or dlt.config.get("sources.retail_bronze.tables") or list(TABLES)
    _check_raw(raw_root, tables)
    warehouse = options.warehouse or configured_warehouse()
    run = _Run(raw_root, tables, frozenset(options.reprocess))
    if options.dry_run:
        _dry_run(run, warehouse)
        return ExitCode.OK
    pipelines_dir = Path(dlt_pipelines_dir(options.pipelines_dir))
    lake = _lake_settings(options.lake)
    with warehouse_lock(warehouse, "bronze", wait=options.wait):
        forget_record(pipelines_dir)
        con = open_warehouse(warehouse, wait=options.wait)
        # Bronze rows have no order. Keeping the insertion order makes DuckDB's parallel inserts
        # write row groups out of order, which the checkpoint then rewrites: the load written twice.
        con.execute("SET preserve_insertion_order = false")
        try:
            with prompt_load_loop():
                _load(run, options, lake, con)
            with run.profile.step("checkpoint"):  # DuckDB writes its log into the file (else at close)
                con.execute("CHECKPOINT")
            code = _report(run, con, time.perf_counter() - started)
            messages = _settled(run, con) if options.command_line is not None and not run.reprocess else None
        finally:
            con.close()
        if messages is not None:
            write_record(options.command_line or [], pipelines_dir, run.raw_root, _globs(run), warehouse, messages)
        return code


def _lake_settings(lake_root: Path | None) -> LakeSettings:
    """Where the lake is, its local folders checked before any work (`--lake` or the dlt config)."""
    if lake_root is not None:
        usable_folder(lake_root.resolve(), "--lake")
    settings = LakeSettings.from_config(lake_root)
    what = "the lake's folder" if lake_root is not None else "the lake folder ([bronze_lake], [destination.filesystem])"
    for folder in (settings.parquet_dir, settings.rejects_dir, settings.delta_dir):
        if folder is not None:
            usable_folder(folder, what)
    return settings


def _load(run: _Run, options: BronzeOptions, lake_settings: LakeSettings, con: duckdb.DuckDBPyConnection) -> None:
    pipeline = dlt.pipeline(
        PIPELINE_NAME,
        destination=dlt.destinations.duckdb(con),
        dataset_name=DATASET,
        pipelines_dir=dlt_pipelines_dir(options.pipelines_dir),
    )
    lake = LakeExport(pipeline, con, lake_settings, options.pipelines_dir, run.profile)
    if finish_pending(pipeline):
        print("completed the bronze load left by an interrupted run", file=sys.stderr)
    lake.export_pending()
    with run.profile.step("plan"):
        seen = manifest_in(con, DATASET)  # the destination's connection (dlt's client would open another)
        plan = plan_run(run.raw_root, run.tables, seen, run.reprocess)
        versions = _returns_versions_to_apply(run, seen)
    _print_plan(plan, versions)
    warning = _vanished_warning(run, seen)
    if warning:
        print(warning, file=sys.stderr)
    if plan.n_files or plan.conflicts:
        source = retail_bronze(
            raw_dir=str(run.raw_root), tables=run.tables, loaded_files=seen, reprocess=sorted(run.reprocess)
        )
        _load_once(run, pipeline, lake, source)
    # Each raw returns version is its own bronze load, copied to the lake before the next
    # one, so the lake's Delta history shows the same sequence (and the column appearing).
    for version in versions:
        _load_once(run, pipeline, lake, retail_bronze(raw_dir=str(run.raw_root), returns_version=version))


def _load_once(run: _Run, pipeline: dlt.Pipeline, lake: LakeExport, source: DltSource) -> None:
    """Extract, normalize and load one bronze load, then copy it to the lake."""
    with run.profile.step("extract"):
        extracted = pipeline.extract(source)
    crash_point("extracted")
    with run.profile.step("normalize"):
        pipeline.normalize()
    with run.profile.step("load"):
        pipeline.load()
    crash_point("loaded")
    for load_id in extracted.loads_ids:
        run.load_ids.append(load_id)
        lake.export(load_id)


def _vanished_warning(run: _Run, seen: dict[str, ManifestRow]) -> str | None:
    gone = vanished_files(run.raw_root, run.tables, seen)
    if not gone:
        return None
    return (
        f"warning: {len(gone)} files loaded earlier are no longer in {run.raw_root} (e.g. {gone[0]}); bronze "
        "keeps their rows. If the raw folder was regenerated, start afresh with `make clean`."
    )


def _settled(run: _Run, con: duckdb.DuckDBPyConnection) -> list[str] | None:
    """What a run of the same command would print if nothing changed, or None when it would have
    work (failed files to retry, returns versions to apply): planned again from the manifest."""
    seen = manifest_in(con, DATASET)
    plan = plan_run(run.raw_root, run.tables, seen)
    versions = _returns_versions_to_apply(run, seen)
    if plan.n_files or plan.conflicts or versions:
        return None
    warning = _vanished_warning(run, seen)
    return [_plan_line(plan, versions)] + ([warning] if warning else [])


def _globs(run: _Run) -> list[str]:
    """The raw files a plan looks at, as patterns in the raw folder."""
    files = [g for name in run.tables if TABLES[name].format != "delta" for g in TABLES[name].globs]
    return files + [ANOMALY_LOG_FILE] + (["returns/_delta_log/*.json"] if "returns" in run.tables else [])


def _returns_versions_to_apply(run: _Run, seen: dict[str, ManifestRow]) -> list[int]:
    newest = newest_version(run.raw_root) if "returns" in run.tables else None
    return [] if newest is None else list(range(applied_version(seen) + 1, newest + 1))


def _check_raw(raw_root: Path, tables: list[str]) -> None:
    unknown = sorted(set(tables) - set(TABLES))
    if unknown:
        raise RunFailed(ExitCode.USAGE, f"unknown tables {unknown}; choose from {', '.join(TABLES)}")
    if not raw_root.is_dir():
        raise RunFailed(
            ExitCode.USAGE,
            f"raw folder {raw_root} does not exist; generate it first (python -m generators --out {raw_root})",
        )
    if not _any_raw_file(raw_root, tables):
        raise RunFailed(
            ExitCode.USAGE,
            f"raw folder {raw_root} holds no raw files of {', '.join(tables)}; is it the generator's output folder? "
            f"(python -m generators --out {raw_root})",
        )


def _any_raw_file(raw_root: Path, tables: list[str]) -> bool:
    patterns = [pattern for name in tables for pattern in TABLES[name].globs]
    return any(next(raw_root.glob(pattern), None) is not None for pattern in patterns)


def _print_plan(plan: Plan, versions: list[int]) -> None:
    print(_plan_line(plan, versions), file=sys.stderr)


def _plan_line(plan: Plan, versions: list[int]) -> str:
    return (
        f"bronze plan: {plan.n_files} files to read, {len(plan.conflicts)} changed files in conflict, "
        f"{plan.skipped} unchanged files skipped, returns versions to apply: {versions or 'none'}"
    )


def _dry_run(run: _Run, warehouse: Path) -> None:
    """The plan, from a read-only look at the warehouse: no lock, nothing created or changed."""
    seen: dict[str, ManifestRow] = {}
    if warehouse.exists():
        con = open_warehouse(warehouse, read_only=True)
        try:
            seen = manifest_in(con, DATASET)
        finally:
            con.close()
    plan = plan_run(run.raw_root, run.tables, seen, run.reprocess)
    _print_plan(plan, _returns_versions_to_apply(run, seen))
    for table, files in sorted(plan.files.items()):
        print(f"  {table:<15} {len(files):>6} files ({', '.join(sorted({f.decision for f in files}))})")
    for f, why in plan.conflicts:
        print(f"  conflict: {f.path}: {why}")


def _report(run: _Run, con: duckdb.DuckDBPyConnection, total_s: float) -> ExitCode:
    lines = table_summary(con, DATASET, run.load_ids)
    print("\n".join(lines) if lines else "nothing new: every raw file is already in bronze")
    print(
        f"time: {run.profile.describe()}; total {total_s:.1f} s; peak RSS {peak_rss_mib():,.0f} MiB",
        file=sys.stderr,
    )
    failed = failed_files(con, DATASET, run.load_ids)
    for status, path, reason in failed:
        print(f"  {status.upper():<8} {path}: {reason}", file=sys.stderr)
    if failed:
        raise RunFailed(
            ExitCode.FILES_FAILED,
            f"{len(failed)} files failed, were rejected whole or are in conflict (listed above); every other file "
            "is loaded. Fix or re-deliver them and run again: failed files are read again, the others need a new file.",
        )
    return ExitCode.OK
