"""Appended tables' Delta commits made of files already written: one bronze load's Parquet files
(the Parquet lake's, hard-linked into the Delta table's folder) committed as one Delta
transaction, with no rewrite.

The files keep their partition column (the Parquet lake's readers need it in the file); Delta
readers take a partition column from the commit's partition values and ignore the copy in the
file. Each commit records the bronze load as a Delta application transaction (`txn`: app id
`retail_bronze`, version = the load id as a number), so a repeated export after a crash sees
the load is in and commits nothing twice; the load id is in the commit's metadata too.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from deltalake import DeltaTable, Schema
from deltalake.transaction import AddAction, CommitProperties, RemoveAction, Transaction, create_table_with_add_actions

APP_ID = "retail_bronze"
LOAD_ID_KEY = "bronze_load_id"


def load_version(load_id: str) -> int:
    """A bronze load id (`1795840414.2975478`, seconds since the epoch) as the increasing integer
    Delta records per application (microseconds)."""
    return int(Decimal(load_id).scaleb(6))


def is_committed(table: Path, load_id: str) -> bool:
    """The load (or a later one) is in the table: loads are committed oldest first."""
    if not DeltaTable.is_deltatable(str(table)):
        return False
    version = DeltaTable(str(table)).transaction_version(APP_ID)
    return version is not None and version >= load_version(load_id)


def link_into(files: list[Path], source_root: Path, table: Path) -> list[Path]:
    """Hard links (copies across file systems) of `files` (under `source_root`) at the same
    relative paths under the table's folder; returns those relative paths."""
    relative = []
    for f in files:
        rel = f.relative_to(source_root)
        target = table / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.unlink(missing_ok=True)
        try:
            os.link(f, target)
        except OSError:
            shutil.copyfile(f, target)
        relative.append(rel)
    return relative


def commit_load(table: Path, files: list[Path], load_id: str, partition_columns: tuple[str, ...]) -> None:
    """Commit `files` (relative to the table's folder, all of one load) as one append.

    A new table takes the files' schema; an existing one keeps its own, plus the files' new
    columns (schema evolution: a delivery added an optional column)."""
    schema = pq.read_schema(table / files[0])
    adds = [_add_action(table, f, partition_columns) for f in files]
    properties = CommitProperties(
        app_transactions=[Transaction(APP_ID, load_version(load_id))], custom_metadata={LOAD_ID_KEY: load_id}
    )
    if not DeltaTable.is_deltatable(str(table)):
        create_table_with_add_actions(
            str(table),
            Schema.from_arrow(_nullable(schema)),
            adds,
            mode="append",
            partition_by=list(partition_columns) or None,
            commit_properties=properties,
        )
        return
    dt = DeltaTable(str(table))
    current = pa.schema(dt.schema().to_arrow())
    added = [pa.field(f.name, f.type) for f in schema if f.name not in current.names]
    actions: list[AddAction | RemoveAction] = list(adds)
    dt.create_write_transaction(
        actions,
        mode="append",
        schema=Schema.from_arrow(pa.schema(list(current) + added)),
        partition_by=list(partition_columns) or None,
        commit_properties=properties,
    )


def _nullable(schema: pa.Schema) -> pa.Schema:
    return pa.schema([pa.field(f.name, f.type) for f in schema])


def _add_action(table: Path, relative: Path, partition_columns: tuple[str, ...]) -> AddAction:
    path = table / relative
    values = dict(part.split("=", 1) for part in relative.parts[:-1] if "=" in part)
    return AddAction(
        relative.as_posix(),
        path.stat().st_size,
        {c: values.get(c) for c in partition_columns},
        int(time.time() * 1000),
        True,
        json.dumps(file_stats(path, set(partition_columns))),
    )


def file_stats(path: Path, skip: set[str]) -> dict[str, Any]:
    """Delta's per-file statistics from the Parquet footer: rows, nulls per column, and min/max of
    the columns whose bounds are exact in JSON (integers, dates, timestamps). Partition columns
    have none (their value is the commit's)."""
    meta = pq.ParquetFile(path).metadata
    nulls: dict[str, int] = {}
    lows: dict[str, Any] = {}
    highs: dict[str, Any] = {}
    for g in range(meta.num_row_groups):
        group = meta.row_group(g)
        for c in range(group.num_columns):
            column = group.column(c)
            name = column.path_in_schema
            stats = column.statistics
            if name in skip or stats is None:
                continue
            if stats.has_null_count:
                nulls[name] = nulls.get(name, 0) + stats.null_count
            if stats.has_min_max and _exact_in_json(stats.min):
                lows[name] = stats.min if name not in lows else min(lows[name], stats.min)
                highs[name] = stats.max if name not in highs else max(highs[name], stats.max)
    return {
        "numRecords": meta.num_rows,
        "minValues": {k: _json_bound(v, up=False) for k, v in lows.items()},
        "maxValues": {k: _json_bound(v, up=True) for k, v in highs.items()},
        "nullCount": nulls,
    }


def _exact_in_json(value: Any) -> bool:
    return isinstance(value, (int, date)) and not isinstance(value, bool)


def _json_bound(value: Any, up: bool) -> Any:
    """A min (`up` false) or max bound as Delta writes it: timestamps in milliseconds, rounded
    outward so the bound still holds."""
    if isinstance(value, datetime):
        ms = value.replace(microsecond=value.microsecond // 1000 * 1000, tzinfo=None)
        if up and ms.microsecond != value.microsecond:
            ms += timedelta(milliseconds=1)
        return ms.isoformat(timespec="milliseconds") + "Z"
    if isinstance(value, date):
        return value.isoformat()
    return value
