"""The warehouse lock, taken by every lake command that writes or opens the warehouse.

Today this is bronze's lock (an flock on `<warehouse>.bronze.lock`, released by the OS if
the holder dies), so a restore or an OPTIMIZE never runs beside a bronze load. This one
function is the only place that knows which lock it is.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pipelines.lake.tables import EXIT_BUSY, LakeError


@contextmanager
def warehouse_lock(warehouse: Path) -> Iterator[None]:
    from pipelines.bronze_dlt_pipeline import Busy, acquire_lock

    try:
        handle = acquire_lock(warehouse)
    except Busy as exc:
        raise LakeError(str(exc), EXIT_BUSY) from None
    try:
        yield
    finally:
        handle.close()
