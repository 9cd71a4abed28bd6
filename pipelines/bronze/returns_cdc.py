"""Returns change capture: each version of the raw returns Delta table becomes the set of rows it
upserted and deleted relative to the version before, applied to bronze as its own load."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from deltalake import DeltaTable
from deltalake.exceptions import TableNotFoundError

from pipelines.bronze.batches import Batch
from pipelines.bronze.manifest import FileOutcome
from pipelines.bronze.planning import ManifestRow, RawFile
from pipelines.bronze.readers import joined_text
from pipelines.bronze.tables import RAW_TEXT, RETURNS_DELETED, SRC_FILENAME, SRC_LINE, TABLES
from pipelines.bronze.validation import Validator

RAW_RETURNS = "returns"  # the Delta table's folder in the raw root
_VERSION_PATH = re.compile(r"returns/_delta_log/(\d+)\.json")


def version_path(version: int) -> str:
    """The manifest path of a raw returns version: its Delta commit file."""
    return f"{RAW_RETURNS}/_delta_log/{version:020d}.json"


def newest_version(raw_root: Path) -> int | None:
    """The newest version of the raw returns Delta table (None when there is none)."""
    try:
        return DeltaTable(raw_root / RAW_RETURNS).version()
    except (TableNotFoundError, OSError):
        return None


def applied_version(seen: Mapping[str, ManifestRow]) -> int:
    """The newest raw returns version already in bronze (-1 before the first), from the manifest."""
    versions = [
        int(m.group(1))
        for path, row in seen.items()
        if row["status"] == "loaded"
        for m in [_VERSION_PATH.fullmatch(path)]
        if m
    ]
    return max(versions, default=-1)


def commit_bytes(commit: Path) -> int:
    """Bytes of one Delta version: its commit file plus the data files it added."""
    actions = [json.loads(line) for line in commit.read_text().splitlines() if line.strip()]
    return commit.stat().st_size + sum(a["add"].get("size", 0) for a in actions if "add" in a)


def changeset(raw_root: Path, version: int, validator: Validator) -> Batch:
    """What raw returns version `version` changed relative to the version before:
    upserted rows (new or different) and deleted rows (is_deleted = true), validated."""
    spec = TABLES["returns"]
    path = version_path(version)
    outcome = FileOutcome(RawFile("returns", path, commit_bytes(raw_root / path), None), datetime.now(UTC))
    current = DeltaTable(raw_root / RAW_RETURNS, version=version).to_pyarrow_table()
    names = current.column_names
    con = validator.con
    con.register("cur", current)
    try:
        if version > 0:
            previous = DeltaTable(raw_root / RAW_RETURNS, version=version - 1).to_pyarrow_table()
            aligned = ", ".join(n if n in previous.column_names else f"NULL AS {n}" for n in names)
            con.register("prev", previous)
            diff = con.sql(f"""
                SELECT *, FALSE AS {RETURNS_DELETED} FROM (SELECT * FROM cur EXCEPT SELECT {aligned} FROM prev)
                UNION ALL
                SELECT {aligned}, TRUE FROM prev WHERE return_id NOT IN (SELECT return_id FROM cur)
                ORDER BY {RETURNS_DELETED}, return_id
            """).fetch_arrow_table()
        else:
            diff = con.sql(f"SELECT *, FALSE AS {RETURNS_DELETED} FROM cur ORDER BY return_id").fetch_arrow_table()
    finally:
        con.unregister("cur")
        if version > 0:
            con.unregister("prev")
    text = pa.table({n: diff[n].cast(pa.string()) for n in names})
    n = text.num_rows
    batch = text.append_column(SRC_FILENAME, pa.array([path] * n, pa.string()))
    batch = batch.append_column(SRC_LINE, pa.array(np.arange(1, n + 1), pa.int64()))
    batch = batch.append_column(RAW_TEXT, joined_text(text))
    version_spec = dataclasses.replace(spec, present=tuple(names))
    loaded, rejects = validator.validate(version_spec, batch)
    deleted = diff[RETURNS_DELETED].take(pc.subtract(loaded[SRC_LINE], 1))
    loaded = loaded.add_column(
        len(version_spec.contract), pa.field(RETURNS_DELETED, pa.bool_(), nullable=False), deleted
    )
    outcome.rows_read, outcome.rows_loaded, outcome.rows_rejected = n, loaded.num_rows, rejects.num_rows
    outcome.reason = f"{int(pc.sum(diff[RETURNS_DELETED]).as_py() or 0)} deleted" if n else "no change"
    return Batch(loaded, rejects, [outcome])
