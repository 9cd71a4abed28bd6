"""Returns as a real Delta table whose history shows an append, a merge (upsert) that
evolves the schema with return_reason_code, and a delete."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
from deltalake import DeltaTable, write_deltalake

import schemas
from generators.config import GeneratorConfig
from generators.reference import RETURN_REASONS

REASON_CODES = dict(RETURN_REASONS)


def write(cfg: GeneratorConfig, candidates: pl.DataFrame, out: Path) -> dict:
    """Build the returns history from the collected candidates; returns its summary for the manifest."""
    rng = cfg.rng("returns", "history")
    target = cfg.target("returns")
    frame = candidates.sort("return_ts", "order_id", "product_id", maintain_order=True)
    if frame.height > target:  # keep the target count, spread over the whole window
        keep = np.sort(rng.choice(frame.height, target, replace=False))
        frame = frame[keep]
    frame = frame.with_columns(return_id=pl.int_range(1, frame.height + 1, dtype=pl.Int64))
    # A correction changes a return's reason to another one that fits the same line.
    corrections = frame["_correction"].to_numpy()
    table = frame.select(schemas.RETURNS_V0.names).to_arrow().cast(schemas.RETURNS_V0)
    n = table.num_rows
    first, second = int(n * 0.6), int(n * 0.9)

    path = out / "returns"
    if path.exists():
        shutil.rmtree(path)
    # v0: the table is created with the base schema; v1: a plain append.
    write_deltalake(path, table.slice(0, first), mode="error")
    write_deltalake(path, table.slice(first, second - first), mode="append")

    # v2: an upsert of corrections to earlier returns plus the newest returns, all carrying
    # the new return_reason_code column (schema evolution through merge).
    n_updates = max(1, round(0.03 * second))
    updated_ids = np.sort(rng.choice(second, n_updates, replace=False)) + 1
    updates = table.take(pa.array(updated_ids - 1))
    new_qty = pa.array(np.maximum(1, np.asarray(updates["qty"]) - 1).astype(np.int32))
    reason = corrections[updated_ids - 1]
    updates = updates.set_column(updates.schema.get_field_index("qty"), "qty", new_qty)
    updates = updates.set_column(updates.schema.get_field_index("reason"), "reason", pa.array(reason, pa.string()))
    # Returns of a reason the merge would not otherwise carry get their code backfilled (the
    # same row, now with return_reason_code): every reason text then maps to its code.
    carried = set(reason) | set(table.slice(second)["reason"].to_pylist())
    all_reasons = np.array(table["reason"].to_pylist(), dtype=object)
    backfill = np.array(
        [np.flatnonzero(all_reasons[:second] == r)[0] + 1 for r in sorted(set(all_reasons[:second]) - carried)],
        dtype=np.int64,
    )
    backfill = np.setdiff1d(backfill, updated_ids)
    source = pa.concat_tables([updates, table.take(pa.array(backfill - 1)), table.slice(second)])
    codes = pa.array([REASON_CODES[r] for r in source["reason"].to_pylist()], pa.string())
    source = source.append_column(schemas.RETURNS.field("return_reason_code"), codes).cast(schemas.RETURNS)
    (
        DeltaTable(path)
        .merge(source, predicate="t.return_id = s.return_id", source_alias="s", target_alias="t", merge_schema=True)
        .when_matched_update_all()
        .when_not_matched_insert_all()
        .execute()
    )
    updated_ids = np.union1d(updated_ids, backfill)
    n_updates = updated_ids.size

    # v3: cancelled returns are deleted.
    # One coded return per reason stays, so the reason's code is still known afterwards.
    source_reasons = np.array(source["reason"].to_pylist(), dtype=object)
    keepers = np.array(
        [source["return_id"][int(np.flatnonzero(source_reasons == r)[0])].as_py() for r in sorted(set(source_reasons))]
    )
    n_deletes = max(1, round(0.005 * n))
    deleted_ids = np.sort(rng.choice(np.setdiff1d(np.arange(1, n + 1), keepers), n_deletes, replace=False))
    DeltaTable(path).delete(f"return_id IN ({', '.join(map(str, deleted_ids.tolist()))})")

    return {
        "rows": n - n_deletes,
        "versions": [
            {"version": 0, "operation": "create", "rows": first},
            {"version": 1, "operation": "append", "rows": second - first},
            {
                "version": 2,
                "operation": "merge",
                "updated": n_updates,
                "inserted": n - second,
                "adds_column": "return_reason_code",
            },
            {"version": 3, "operation": "delete", "deleted": n_deletes},
        ],
        "updated_return_ids": updated_ids.tolist(),
        "deleted_return_ids": deleted_ids.tolist(),
    }
