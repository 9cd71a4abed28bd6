"""What a resource yields for one batch: its rows to its own table, and its rejects and manifest
rows to theirs, all in the same load package."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import dlt
import pyarrow as pa

from pipelines.bronze.batches import Batch
from pipelines.bronze.manifest import manifest_rows
from pipelines.bronze.tables import MANIFEST_TABLE, REJECTS_TABLE


def batch_items(batch: Batch, load_id: str, history_table: str | None = None) -> Iterator[Any]:
    if batch.rows.num_rows:
        if history_table:
            yield to_table(history_table, batch.rows)  # every delivered version, appended in the same package
        yield batch.rows
    if batch.rejects.num_rows:
        yield to_table(REJECTS_TABLE, batch.rejects)
    yield to_table(MANIFEST_TABLE, manifest_rows(batch.outcomes, load_id))


def to_table(table: str, data: pa.Table) -> Any:
    """`data` appended to another table than the resource's: a table variant with its own
    disposition and none of the resource's keys."""
    hints = dlt.mark.make_hints(table_name=table, write_disposition="append", primary_key=[], merge_key=[], columns=[])
    return dlt.mark.with_hints(data, hints, create_table_variant=True)
