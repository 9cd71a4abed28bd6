"""The `retail_bronze` dlt source: one resource per raw source.

Every resource yields validated Arrow tables (the `schemas/` contract plus audit
columns), its rejects (table `rejects`, with a reason code and the raw text) and one
`file_manifest` row per raw file it read, so data, rejects and the record of what was
processed land in the same load package: a package that completes records exactly the
files whose rows it holds.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import dlt
import pyarrow as pa

from pipelines.bronze.helpers import (
    MANIFEST_TABLE,
    REJECTS_TABLE,
    Batch,
    BatchReader,
    FileOutcome,
    Plan,
    Progress,
    anomaly_rows,
    manifest_rows,
    returns_changeset,
)
from pipelines.bronze.settings import ANOMALY_TABLE, RETURNS_DELETED, TABLES, TableSpec
from pipelines.bronze.validation import Validator

# Tables keep their contract: a batch whose columns or types drift fails the load
# instead of changing bronze silently. Only returns may grow (return_reason_code).
FROZEN = {"tables": "evolve", "columns": "freeze", "data_type": "freeze"}
EVOLVING = {"tables": "evolve", "columns": "evolve", "data_type": "freeze"}


@dlt.source(name="retail_bronze", max_table_nesting=0, schema_contract=FROZEN)
def retail_bronze(
    plan: Plan, reader: BatchReader, returns_version: int | None = None, validator: Validator | None = None
) -> list:
    """Raw files of the retailer's sources, validated against their contracts.

    Args:
        plan: the raw files to read per table and the changed files in conflict
            (see `helpers.plan_run`).
        reader: reads and validates files in bounded batches.
        returns_version: when set, only the `returns` resource runs, applying that one
            version of the raw returns Delta table (upserts and deletes).
        validator: the validator used for the returns changeset.

    Returns:
        The resources of the tables that have work in this run.
    """
    if returns_version is not None:
        return [returns(plan, returns_version, validator)]
    tables = sorted(set(plan.files) | {f.table for f, _ in plan.conflicts})
    resources = [raw_table(TABLES[name], plan, reader) for name in tables]
    return resources + ([anomaly_log(plan)] if plan.anomaly_log else [])


def raw_table(spec: TableSpec, plan: Plan, reader: BatchReader):
    """One raw source: its files read, validated and loaded.

    Args:
        spec: how the table is read and written (settings.TABLES).
        plan: which of its files to read, and which changed files to record as conflicts.
        reader: the batch reader.

    Returns:
        A resource named after the table (merge by primary key for dimensions and
        rates, append for facts).
    """
    hints = {"src_filename": {"dedup_sort": "desc"}} if spec.primary_key else None

    def rows() -> Iterator:
        load_id = dlt.current.load_package_state()["load_id"]
        conflicts = [
            FileOutcome(f, _now(), status="conflict", reason=why) for f, why in plan.conflicts if f.table == spec.name
        ]
        if conflicts:
            yield _to(MANIFEST_TABLE, manifest_rows(conflicts, load_id))
        files = plan.files.get(spec.name, [])
        progress = Progress(spec.name, len(files))
        for batch in reader.batches(spec, files):
            if spec.history_table and batch.rows.num_rows:
                yield _to(spec.history_table, batch.rows)  # every version, appended in the same package
            yield from _emit(batch, load_id)
            progress.update(batch)
        progress.done()

    return dlt.resource(
        rows,
        name=spec.name,
        write_disposition=spec.write_disposition,
        primary_key=list(spec.primary_key) or None,
        columns=hints,
    )


def anomaly_log(plan: Plan):
    """The generator's anomaly log, the ground truth Silver reconciles detections against.

    Args:
        plan: gives the raw root and the log file's fingerprint.

    Returns:
        A resource replacing `anomaly_log` (one row per injected anomaly: source, class,
        the row's identity `row_key`, all key columns as JSON).
    """

    def rows() -> Iterator:
        load_id = dlt.current.load_package_state()["load_id"]
        outcome = FileOutcome(plan.anomaly_log, _now())
        table = anomaly_rows(plan.raw_root)
        outcome.rows_read = outcome.rows_loaded = table.num_rows
        yield table
        yield _to(MANIFEST_TABLE, manifest_rows([outcome], load_id))

    return dlt.resource(rows, name=ANOMALY_TABLE, write_disposition="replace")


def returns(plan: Plan, version: int, validator: Validator):
    """One version of the raw returns Delta table applied to bronze.

    Args:
        plan: gives the raw root.
        version: the raw Delta version to apply (its change relative to version - 1).
        validator: validates the changed rows against the returns contract.

    Returns:
        A merge resource on return_id whose `is_deleted` rows are hard deletes; the same
        rows are appended to `returns_changes`, the change log the lake export replays.
    """

    def rows() -> Iterator:
        load_id = dlt.current.load_package_state()["load_id"]
        batch, _ = returns_changeset(plan.raw_root, version, validator)
        if batch.rows.num_rows:
            yield _to("returns_changes", batch.rows, write_disposition="append")
        yield from _emit(batch, load_id)

    return dlt.resource(
        rows,
        name="returns",
        write_disposition="merge",
        primary_key="return_id",
        columns={RETURNS_DELETED: {"hard_delete": True}},
        schema_contract=EVOLVING,
    )


def _emit(batch: Batch, load_id: str) -> Iterator:
    if batch.rows.num_rows:
        yield batch.rows
    if batch.rejects.num_rows:
        yield _to(REJECTS_TABLE, batch.rejects)
    yield _to(MANIFEST_TABLE, manifest_rows(batch.outcomes, load_id))


def _to(table: str, data: pa.Table, write_disposition: str = "append"):
    # A variant of the resource's table: its own disposition, none of the resource's keys.
    hints = dlt.mark.make_hints(
        table_name=table, write_disposition=write_disposition, primary_key=[], merge_key=[], columns=[]
    )
    return dlt.mark.with_hints(data, hints, create_table_variant=True)


def _now() -> datetime:
    return datetime.now(UTC)
