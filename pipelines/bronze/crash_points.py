"""Deterministic interruption points for the drills: `RETAIL_BRONZE_CRASH_AT=<point>` makes a
bronze run kill itself (SIGKILL, as `kill -9` would) when it reaches that point, and
`RETAIL_BRONZE_STOP_AT=<point>` makes it stop there (SIGSTOP) until it is continued
(SIGCONT), the first time it gets there, so a test can act exactly between two steps instead of after a guessed number
of seconds.

Points, in the order a run reaches them:
- `extracting`: after the first batch of the first table was handed to dlt (a half-extracted package);
- `extracted`: the bronze load package is extracted, not yet normalized or loaded;
- `loaded`: the load is in DuckDB, not yet in the lake;
- `parquet`: one table of the load is in the Parquet lake, the others are not;
- `delta_commit`: one appended table's files are committed to the local Delta lake, the others are not;
- `delta`: the Delta lake's load package is ready, not yet loaded.
"""

from __future__ import annotations

import os
import signal

CRASH_AT = "RETAIL_BRONZE_CRASH_AT"
STOP_AT = "RETAIL_BRONZE_STOP_AT"
POINTS = ("extracting", "extracted", "loaded", "parquet", "delta_commit", "delta")
_passed: set[str] = set()


def crash_point(name: str) -> None:
    if name in _passed:
        return
    _passed.add(name)
    if os.environ.get(CRASH_AT) == name:
        os.kill(os.getpid(), signal.SIGKILL)
    if os.environ.get(STOP_AT) == name:
        os.kill(os.getpid(), signal.SIGSTOP)
