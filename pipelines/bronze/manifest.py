"""The file manifest (`bronze.file_manifest`): one row per raw file and attempt, written in the
same load package as the file's rows, so a completed package records exactly the files
whose rows it holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import dlt
import pyarrow as pa
from dlt.destinations.exceptions import DatabaseUndefinedRelation

import duckdb
from pipelines.bronze.planning import ManifestRow, RawFile
from pipelines.bronze.tables import MANIFEST_SCHEMA, MANIFEST_TABLE

# The outcome that counts for a file: its newest attempt.
LATEST_PER_PATH = """
    SELECT * FROM {table}
    QUALIFY row_number() OVER (PARTITION BY path ORDER BY finished_at DESC, load_id DESC) = 1
"""


@dataclass
class FileOutcome:
    file: RawFile
    started_at: datetime
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    status: str = "loaded"  # tables.FILE_STATUSES
    reason: str | None = None


def manifest_rows(outcomes: list[FileOutcome], load_id: str) -> pa.Table:
    now = datetime.now(UTC)
    return pa.Table.from_pylist(
        [
            {
                "path": o.file.path,
                "table_name": o.file.table,
                "size_bytes": o.file.size,
                "mtime_ns": o.file.mtime_ns,
                "sha256": o.file.sha256,
                "rows_read": o.rows_read,
                "rows_loaded": o.rows_loaded,
                "rows_rejected": o.rows_rejected,
                "status": o.status,
                "reason": o.reason,
                "started_at": o.started_at,
                "finished_at": now,
                "load_id": load_id,
            }
            for o in outcomes
        ],
        schema=MANIFEST_SCHEMA,
    )


def manifest_in(con: duckdb.DuckDBPyConnection, dataset: str) -> dict[str, ManifestRow]:
    """The newest manifest row per raw path, read on a DuckDB connection (empty before the first load)."""
    try:
        relation = con.sql(LATEST_PER_PATH.format(table=f"{dataset}.{MANIFEST_TABLE}"))
    except duckdb.CatalogException:
        return {}
    return {row[0]: dict(zip(relation.columns, row, strict=True)) for row in relation.fetchall()}


def latest_manifest(pipeline: dlt.Pipeline) -> dict[str, ManifestRow]:
    """The newest manifest row per raw path in the pipeline's destination (empty before the first load)."""
    try:
        with pipeline.sql_client() as client:
            table = client.make_qualified_table_name(MANIFEST_TABLE)
            with client.execute_query(LATEST_PER_PATH.format(table=table)) as cursor:
                names = [column[0] for column in cursor.description]
                return {row[0]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}
    except DatabaseUndefinedRelation:
        return {}
