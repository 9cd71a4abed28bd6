"""Per-table progress of a bronze load on stderr."""

from __future__ import annotations

import sys
import time

from pipelines.bronze.batches import Batch


class Progress:
    """Files, rows, rejects and MB/s of one table (at most every 2 s, and at the end)."""

    def __init__(self, table: str, n_files: int, every_s: float = 2.0) -> None:
        self.table, self.n_files, self.every_s = table, n_files, every_s
        self.files = self.rows = self.rejects = self.bytes = 0
        self.started = self.last = time.perf_counter()
        self._shown = -1  # files counted at the last line shown

    def update(self, batch: Batch) -> None:
        self.files += len(batch.outcomes)
        self.rows += batch.rows.num_rows
        self.rejects += batch.rejects.num_rows
        self.bytes += sum(o.file.size or 0 for o in batch.outcomes)
        if time.perf_counter() - self.last >= self.every_s:
            self._print()

    def done(self) -> None:
        if self.n_files and self._shown != self.files:
            self._print()

    def _print(self) -> None:
        self.last = time.perf_counter()
        self._shown = self.files
        seconds = max(self.last - self.started, 1e-9)
        print(
            f"  {self.table:<15} files {self.files:>6,}/{self.n_files:<6,} rows {self.rows:>12,} "
            f"rejects {self.rejects:>8,} {self.bytes / 1e6 / seconds:>7.1f} MB/s",
            file=sys.stderr,
            flush=True,
        )
