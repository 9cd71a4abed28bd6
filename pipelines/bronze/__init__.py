"""The dlt sources of the Bronze layer.

`retail_bronze` loads the retailer's raw files. Every resource yields validated Arrow tables
(the `schemas/` contract plus audit columns), its rejects (table `rejects`, with a reason
code and the raw text) and one `file_manifest` row per raw file it read, so data, rejects
and the record of what was processed land in the same load package: a package that
completes records exactly the files whose rows it holds, and the next run skips them.

`retail_bronze_lake` copies one completed bronze load to the Delta lake (its merged tables; its
appended tables too when the lake is on object storage) and records the load as exported.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dlt
import pyarrow as pa
import pyarrow.parquet as pq
from dlt.extract.resource import DltResource

from pipelines.bronze.anomaly_log import anomaly_rows
from pipelines.bronze.batches import ReadSettings
from pipelines.bronze.crash_points import crash_point
from pipelines.bronze.items import batch_items, to_table
from pipelines.bronze.manifest import FileOutcome, latest_manifest, manifest_rows
from pipelines.bronze.planning import ManifestRow, Plan, RawFile, plan_run
from pipelines.bronze.progress import Progress
from pipelines.bronze.returns_cdc import changeset
from pipelines.bronze.tables import (
    ANOMALY_TABLE,
    MANIFEST_TABLE,
    RETURNS_CHANGES_TABLE,
    RETURNS_DELETED,
    SRC_FILENAME,
    TABLES,
    TableSpec,
)
from pipelines.bronze.validation import Validator
from pipelines.dlt_run_context import configured_path

# Tables keep their contract's types: a batch whose types drift fails the load instead of
# changing bronze silently. Columns may be added: the reader only lets through a delivery
# that has every contract column, plus new optional ones (text, recorded in the manifest
# and as a new dlt schema version; docs/decisions.md §25).
SCHEMA_CONTRACT: Any = {"tables": "evolve", "columns": "evolve", "data_type": "freeze"}


@dlt.source(name="retail_bronze", section="retail_bronze", max_table_nesting=0, schema_contract=SCHEMA_CONTRACT)
def retail_bronze(
    raw_dir: str = dlt.config.value,
    tables: list[str] | None = None,
    batch_rows: int = 100_000,
    extension_dir: str = "duckdb/extensions",
    loaded_files: Mapping[str, ManifestRow] | None = None,
    returns_version: int | None = None,
    reprocess: list[str] | None = None,
    resource_mb: float = 100,
) -> list[DltResource]:
    """Raw files of the retailer's sources, validated against their contracts.

    Settings come from `[sources.retail_bronze]` in `.dlt/config.toml` (or the environment,
    for example `SOURCES__RETAIL_BRONZE__RAW_DIR`).

    Args:
        raw_dir: the folder the generator wrote; a relative path starts at the project root.
        tables: the raw sources to load (default: all of `tables.TABLES`).
        batch_rows: rows read and validated at a time (bounds memory).
        extension_dir: where DuckDB's excel extension is installed (read XLSX offline).
        loaded_files: the newest manifest row per raw path already in bronze; by default read
            from the destination of the active pipeline, so a plain `pipeline.run(retail_bronze())`
            never loads a file twice.
        returns_version: when set, only the `returns` resource runs, applying that one
            version of the raw returns Delta table (upserts and deletes).
        reprocess: raw paths of merged tables to read again even though they are loaded.
        resource_mb: raw megabytes one resource reads at most: an append-only table with more
            is read by several resources at once, so the largest table does not end the
            extract alone on one worker.

    Returns:
        The resources of the tables that have work in this run.
    """
    reading = ReadSettings(configured_path(raw_dir), batch_rows, configured_path(extension_dir), datetime.now(UTC))
    if returns_version is not None:
        return [returns(reading, returns_version)]
    if loaded_files is None:
        loaded_files = latest_manifest(dlt.current.pipeline())
    plan = plan_run(reading.raw_root, tables or list(TABLES), loaded_files, frozenset(reprocess or ()))
    resources = []
    for name in plan.tables_with_work:
        spec, files = TABLES[name], plan.files.get(name, [])
        conflicts = [(f, why) for f, why in plan.conflicts if f.table == name]
        parts = [files] if spec.write_disposition == "merge" else split_by_size(files, int(resource_mb * 1_000_000))
        for i, part in enumerate(parts):
            label = spec.name if len(parts) == 1 else f"{spec.name}_{i + 1}_of_{len(parts)}"
            resources.append(raw_table(spec, part, conflicts if i == 0 else [], reading, label))
    return resources + ([anomaly_log(plan)] if plan.anomaly_log else [])


def raw_table(
    spec: TableSpec, files: list[RawFile], conflicts: list[tuple[RawFile, str]], reading: ReadSettings, name: str
) -> DltResource:
    """One raw source, or a part of its files: read, validated and loaded.

    Args:
        spec: how the table is read and written (`tables.TABLES`).
        files: the files to read.
        conflicts: changed files of an append-only table, recorded as conflicts.
        reading: where and how to read.
        name: the resource's name (the table's, or the table's and the part's).

    Returns:
        A resource writing the table (merge by primary key for dimensions and rates, append
        for facts), extracted in parallel with the other tables and parts.
    """
    hints: Any = {SRC_FILENAME: {"dedup_sort": "desc"}} if spec.primary_key else None

    def rows() -> Iterator[Any]:
        load_id = dlt.current.load_package_state()["load_id"]
        settled = [FileOutcome(f, _now(), status="conflict", reason=why) for f, why in conflicts]
        if settled:
            yield to_table(MANIFEST_TABLE, manifest_rows(settled, load_id))
        progress = Progress(name, len(files))
        with reading.reader() as reader:
            for batch in reader.batches(spec, files):
                progress.update(batch)
                items = deque(batch_items(batch, load_id, spec.history_table))
                del batch  # what dlt has written is freed while this resource waits its turn
                while items:
                    yield items.popleft()
                crash_point("extracting")
        progress.done()

    return dlt.resource(
        rows,
        name=name,
        table_name=spec.name,
        write_disposition=spec.write_disposition,
        primary_key=list(spec.primary_key),
        columns=hints,
        parallelized=True,
    )


def split_by_size(files: list[RawFile], max_bytes: int) -> list[list[RawFile]]:
    """The files in order, cut into as few runs as keep each under `max_bytes` (about equal)."""
    total = sum(f.size or 0 for f in files)
    parts = max(1, -(-total // max_bytes))
    out: list[list[RawFile]] = [[] for _ in range(parts)]
    seen = 0
    for f in files:
        out[min(parts - 1, seen * parts // max(total, 1))].append(f)
        seen += f.size or 0
    return [part for part in out if part] or [files]


def anomaly_log(plan: Plan) -> DltResource:
    """The generator's anomaly log, the ground truth Silver reconciles detections against.

    Args:
        plan: gives the raw root and the log file's fingerprint.

    Returns:
        A resource replacing `anomaly_log` (one row per injected anomaly: source, class,
        the row's identity `row_key`, all key columns as JSON).
    """
    log = plan.anomaly_log
    assert log is not None

    def rows() -> Iterator[Any]:
        load_id = dlt.current.load_package_state()["load_id"]
        outcome = FileOutcome(log, _now())
        table = anomaly_rows(plan.raw_root)
        outcome.rows_read = outcome.rows_loaded = table.num_rows
        yield table
        yield to_table(MANIFEST_TABLE, manifest_rows([outcome], load_id))

    return dlt.resource(rows, name=ANOMALY_TABLE, write_disposition="replace")


def returns(reading: ReadSettings, version: int) -> DltResource:
    """One version of the raw returns Delta table applied to bronze.

    Args:
        reading: gives the raw root and the run's ingestion time.
        version: the raw Delta version to apply (its change relative to version - 1).

    Returns:
        A merge resource on return_id whose `is_deleted` rows are hard deletes; the same
        rows are appended to `returns_changes`, the change log the lake replays.
    """

    def rows() -> Iterator[Any]:
        load_id = dlt.current.load_package_state()["load_id"]
        validator = Validator(reading.ingestion_ts)
        try:
            batch = changeset(reading.raw_root, version, validator)
        finally:
            validator.close()
        if batch.rows.num_rows:
            yield to_table(RETURNS_CHANGES_TABLE, batch.rows)
        yield from batch_items(batch, load_id)

    return dlt.resource(
        rows,
        name="returns",
        write_disposition="merge",
        primary_key="return_id",
        columns={RETURNS_DELETED: {"hard_delete": True}},
        schema_contract=SCHEMA_CONTRACT,
    )


@dlt.source(name="retail_bronze_lake", section="retail_bronze_lake", max_table_nesting=0)
def retail_bronze_lake(
    load_id: str, appended: Mapping[str, list[Path]], merged: Mapping[str, pa.Table]
) -> list[DltResource]:
    """One completed bronze load, for the Delta lake.

    One lake load per bronze load keeps Delta's history in the same order as bronze: each
    returns version becomes its own merge, each dimension change its own upsert. Rows keep
    bronze's `_dlt_load_id`, so the lake and the warehouse hold the same rows.

    Args:
        load_id: the bronze load.
        appended: per appended table, the Parquet files of the load (imported as they are);
            empty for a local Delta lake, which commits the Parquet lake's files itself
            (`delta_commit.py`).
        merged: per merged table, the rows its merge left in the warehouse (returns: its
            change rows, deletes included).

    Returns:
        A resource per source table the load touched, and one that records the load id in
        the source state `exported_loads` (committed with the lake's load package).
    """
    resources = [delta_table(name, appended.get(name, []), merged.get(name)) for name in TABLES]
    return [r for r in resources if r is not None] + [_mark_exported(load_id)]


def delta_table(table: str, files: list[Path], rows: pa.Table | None) -> DltResource | None:
    """One bronze table's rows of one load.

    Args:
        table: the bronze table.
        files: Parquet files holding the load's rows of an appended table.
        rows: the load's rows of a merged table.

    Returns:
        A Delta resource (append for facts, upsert by primary key for dimensions, upsert with
        hard deletes for returns), or None when the load did not touch the table.
    """
    if not files and rows is None:
        return None
    spec = TABLES[table]

    def items() -> Iterator[Any]:
        for path in files:
            meta = pq.ParquetFile(path).metadata
            yield dlt.mark.with_file_import(
                str(path), "parquet", meta.num_rows, hints=meta.schema.to_arrow_schema().empty_table()
            )
        if rows is not None:
            yield rows

    columns: Any = {c: {"partition": True} for c in spec.partition_columns}
    if table == "returns":
        columns[RETURNS_DELETED] = {"hard_delete": True}
    disposition: Any = {"disposition": "merge", "strategy": "upsert"} if spec.write_disposition == "merge" else "append"
    return dlt.resource(
        items,
        name=table,
        table_format="delta",
        write_disposition=disposition,
        primary_key=list(spec.primary_key),
        columns=columns,
    )


def _mark_exported(load_id: str) -> DltResource:
    def mark() -> Iterator[Any]:
        dlt.current.source_state().setdefault("exported_loads", []).append(load_id)
        yield from ()

    return dlt.resource(mark, name="mark_exported")


def _now() -> datetime:
    return datetime.now(UTC)
