"""What every entry script does around its work: a failure the user can act on becomes one
`error:` line and its exit code (pipelines/exit_codes.py); anything else is a bug and keeps
its traceback."""

from __future__ import annotations

import sys
from collections.abc import Callable

from pipelines.exit_codes import ExitCode, RunFailed


def help_description(doc: str | None) -> str:
    """A module docstring's first paragraph as one line: the `--help` description."""
    return " ".join((doc or "").split("\n\n")[0].split())


def run_command(work: Callable[[], int]) -> int:
    try:
        return int(work())
    except RunFailed as failure:
        print(f"error: {failure}", file=sys.stderr)
        return int(failure.code)
    except KeyboardInterrupt:
        print("interrupted: the next run completes what this one started", file=sys.stderr)
        return 130


__all__ = ["ExitCode", "help_description", "run_command"]
