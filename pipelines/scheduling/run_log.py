"""The scheduled run's log: one file per day in the log folder, a UTC timestamp on every line,
days older than the retention removed."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import IO

PREFIX = "scheduled_run-"
DAY_FILE = re.compile(rf"{PREFIX}(\d{{4}}-\d{{2}}-\d{{2}})\.log")
COLOUR = re.compile(r"\x1b\[[0-9;]*m")  # dbt colours its terminal output


class RunLog:
    """Lines of the run, each stamped and appended to `<folder>/scheduled_run-<UTC day>.log`,
    and echoed to the terminal unless quiet. Use as a context manager."""

    def __init__(self, folder: Path, retention_days: int, quiet: bool = False) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / f"{PREFIX}{datetime.now(UTC):%Y-%m-%d}.log"
        self.quiet = quiet
        self.removed = remove_old_days(folder, retention_days)
        self._file: IO[str] = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - closed in __exit__

    def __enter__(self) -> RunLog:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._file.close()

    def line(self, text: str, step: str = "scheduled_run") -> None:
        stamped = f"{datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ} [{step}] {COLOUR.sub('', text).rstrip()}"
        self._file.write(stamped + "\n")
        self._file.flush()
        if not self.quiet:
            print(stamped, flush=True)


def remove_old_days(folder: Path, retention_days: int, today: date | None = None) -> list[Path]:
    """Delete the day files older than `retention_days` days (today's counts as day 1)."""
    today = today or datetime.now(UTC).date()
    oldest_kept = today - timedelta(days=retention_days - 1)
    removed = []
    for path in sorted(folder.glob(f"{PREFIX}*.log")):
        match = DAY_FILE.fullmatch(path.name)
        if match and date.fromisoformat(match.group(1)) < oldest_kept:
            path.unlink()
            removed.append(path)
    return removed
