"""Exit codes of the pipeline commands (bronze, transform, main job): the README's table.

A failure the user can act on is a `RunFailed` carrying its code and a one-line message;
the entry scripts print `error: <message>` and exit with the code, never a traceback.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    UNEXPECTED = 1  # a bug: the traceback is shown
    USAGE = 2  # a bad argument or setting, or a missing input (raw folder, warehouse not built yet)
    BUSY = 3  # another run holds the warehouse (nothing was changed; run again, or pass --wait)
    FILES_FAILED = 4  # bronze loaded the good files; some failed or were rejected whole (listed)
    BAD_WAREHOUSE = 5  # the warehouse file is not a usable DuckDB database
    DBT_FAILED = 6  # the dbt build failed (this run's failing nodes are listed)
    PUBLISH_FAILED = 7  # gold was built but could not be published as Parquet for readers (the BI app)
    DQ_ALERT = 8  # the scheduled run built everything, but a data-quality check is at ALERT (gold.dq_metrics)


class RunFailed(Exception):
    """A failure with a one-line explanation and the exit code that says what kind it is."""

    def __init__(self, code: ExitCode, message: str) -> None:
        super().__init__(message)
        self.code = code
