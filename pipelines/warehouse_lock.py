"""One lock for every run that writes the warehouse: bronze, the transform, the main job and
the lake's maintenance commands all take it, so two of them never run at once.

The lock is an `flock` on `<warehouse>.lock` (`duckdb/warehouse.lock`), released by the OS
when its holder exits or dies. A job that runs the others as child processes (the main job)
hands its lock down: the children inherit the locked file (`WAREHOUSE_LOCK_FD`) and re-lock
that same open file, which succeeds, while any other process is refused.
"""

from __future__ import annotations

import fcntl
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from pipelines.exit_codes import ExitCode, RunFailed
from pipelines.folders import usable_folder

INHERITED_FD = "WAREHOUSE_LOCK_FD"


def lock_path(warehouse: Path) -> Path:
    return warehouse.with_suffix(".lock")


@contextmanager
def warehouse_lock(warehouse: Path, holder: str, wait: bool = False) -> Iterator[IO[str]]:
    """Hold the warehouse lock for the block; yields the locked file (pass it to child processes
    with `child_env` and `pass_fds`).

    Raises:
        RunFailed(BUSY): another run holds it and `wait` is false.
        RunFailed(USAGE): the warehouse's folder cannot be created or written.
    """
    inherited = _inherited(warehouse)
    if inherited is not None:
        yield inherited
        return
    path = lock_path(warehouse)
    usable_folder(path.parent, "the warehouse's folder")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+")  # noqa: SIM115 - held for the block, closed in finally
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            busy = f"the warehouse {warehouse} is in use by another run ({_holder(handle)})"
            if not wait:
                raise RunFailed(
                    ExitCode.BUSY, f"{busy}; nothing was changed. Run again when it has finished, or pass --wait"
                ) from None
            print(f"{busy}; waiting for it to finish", file=sys.stderr, flush=True)
            fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        handle.truncate()
        handle.write(f"{holder}, pid {os.getpid()}, since {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC")
        handle.flush()
        yield handle
    finally:
        handle.close()


def child_env(handle: IO[str]) -> dict[str, str]:
    """Environment for a child process that runs under this process's lock (with pass_fds=[fileno])."""
    return {**os.environ, INHERITED_FD: str(handle.fileno())}


def _inherited(warehouse: Path) -> IO[str] | None:
    """The lock file a parent process handed down, if it is this warehouse's and still locked by us."""
    fd = os.environ.get(INHERITED_FD)
    if not fd:
        return None
    try:
        handle = os.fdopen(int(fd), "a+", closefd=False)
        if os.fstat(handle.fileno()).st_ino != os.stat(lock_path(warehouse)).st_ino:
            return None  # a lock on another warehouse
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)  # the same open file: succeeds
    except (OSError, ValueError):
        return None
    return handle


def _holder(handle: IO[str]) -> str:
    handle.seek(0)
    return handle.read().strip() or "holder unknown"
