"""The warehouse lock for the lake commands that write the lake or open the warehouse: the
project's one lock (pipelines/warehouse_lock.py), so a restore or an OPTIMIZE never runs beside
bronze, the transform or the main job."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pipelines.exit_codes import RunFailed
from pipelines.lake.tables import EXIT_BUSY, LakeError
from pipelines.warehouse_lock import warehouse_lock as project_lock


@contextmanager
def warehouse_lock(warehouse: Path, holder: str = "lake maintenance") -> Iterator[None]:
    try:
        with project_lock(warehouse, holder):
            yield
    except RunFailed as busy:
        raise LakeError(str(busy), EXIT_BUSY) from None
