"""Which days the scheduled run generates next: the days after the latest one in the raw manifest."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from generators.config import BASE_DAYS, DEFAULT_START
from pipelines.exit_codes import ExitCode, RunFailed

MANIFEST = "_manifest.json"
LATE_DAYS = 1  # the late file of a run holds the day before the batch: it arrives 24 h late


@dataclass(frozen=True)
class NextBatch:
    seed: int
    scale: float
    start: date
    days: int
    late: bool  # one partition of the day before `start` arrives with this batch
    new_columns: tuple[str, ...] = ()

    def generator_args(self, raw: Path) -> list[str]:
        args = ["--seed", str(self.seed), "--scale", str(self.scale), "--out", str(raw)]
        args += ["--start-date", self.start.isoformat(), "--days", str(self.days), "--quiet"]
        args += ["--late-days", str(LATE_DAYS)] if self.late else []
        for column in self.new_columns:
            args += ["--add-column", column]
        return args

    def describe(self) -> str:
        last = self.start + timedelta(days=self.days - 1)
        extras = [f"a file of {self.start - timedelta(days=LATE_DAYS)} arriving 24 h late"] if self.late else []
        extras += [f"new column {c}" for c in self.new_columns]
        days = f"{self.days} day{'s' if self.days > 1 else ''}"
        return f"{self.start} .. {last} ({', '.join([days, *extras])})"


def latest_day(manifest: dict) -> date:
    """The last day of data the raw folder holds: the base window's, or its latest increment's."""
    last = DEFAULT_START + timedelta(days=BASE_DAYS - 1)
    for batch in manifest["batches"]:
        args = batch["args"]
        if args.get("start_date"):
            last = max(last, date.fromisoformat(args["start_date"]) + timedelta(days=args["days"] - 1))
    return last


def read_manifest(raw: Path) -> dict:
    path = raw / MANIFEST
    if not path.exists():
        raise RunFailed(
            ExitCode.USAGE,
            f"{path} does not exist: the scheduled run continues a raw folder, so run the first job (make run) first",
        )
    return json.loads(path.read_text())


def late_file_due(seed: int, start: date, share: float) -> bool:
    """Whether the run starting at `start` carries a late file: a draw from (seed, start), so the
    same run decides the same way when repeated, and about `share` of the runs do."""
    return random.Random(f"{seed}:{start.isoformat()}").random() < share


def next_batch(
    raw: Path, days: int, late_share: float, late: bool | None = None, new_columns: tuple[str, ...] = ()
) -> NextBatch:
    """The batch after the latest day in `raw`'s manifest, with the base's seed and scale.

    Args:
        raw: the raw folder (the generator's output).
        days: days per run.
        late_share: the share of runs that carry a late file (0..1).
        late: force (True) or forbid (False) the late file; None draws it from `late_share`.
        new_columns: TABLE.COLUMN the batch's files add (the generator's --add-column).
    """
    manifest = read_manifest(raw)
    seed, scale = manifest["seed"], manifest["scale"]
    start = latest_day(manifest) + timedelta(days=1)
    if late is None:
        late = late_file_due(seed, start, late_share)
    return NextBatch(seed, scale, start, days, late, new_columns)
