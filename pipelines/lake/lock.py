"""The warehouse lock for the lake commands that write the lake or open the warehouse: the
project's one lock (pipelines/warehouse_lock.py), so a restore or an OPTIMIZE never runs beside
bronze, the transform or the main job."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pipelines.exit_codes import ExitCode, RunFailed
from pipelines.lake.tables import EXIT_BUSY, EXIT_FAILED, EXIT_USAGE, LakeError
from pipelines.warehouse_lock import warehouse_lock as project_lock

# The project's codes as the lake commands' own (their --help): busy and bad input mean the same.
LAKE_CODES = {ExitCode.BUSY: EXIT_BUSY, ExitCode.USAGE: EXIT_USAGE}


@contextmanager
def warehouse_lock(warehouse: Path, holder: str = "lake maintenance") -> Iterator[None]:
    try:
        with project_lock(warehouse, holder):
            yield
    except RunFailed as failure:
        raise LakeError(str(failure), LAKE_CODES.get(failure.code, EXIT_FAILED)) from None
