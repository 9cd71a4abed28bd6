"""Folders a command writes, checked before it starts: a path that is a file, lies under a file
or cannot be written is one `error:` line (exit 2), not a traceback halfway through the work."""

from __future__ import annotations

import os
from pathlib import Path

from pipelines.exit_codes import ExitCode, RunFailed


def usable_folder(folder: Path, what: str) -> Path:
    """`folder`, when it is a writable folder or can be created as one (it is not created here:
    dlt and DuckDB create theirs). `what` names the option or setting that gave it.

    Raises:
        RunFailed(USAGE): it cannot be a folder this command writes to.
    """
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise RunFailed(ExitCode.USAGE, f"{what} {folder}: {existing} is a file, not a folder; give a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise RunFailed(ExitCode.USAGE, f"{what} {folder}: {existing} cannot be written; give a folder that can be")
    return folder
