"""Progress per source (rows, files, bytes, seconds) on stderr, and the final summary."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field


@dataclass
class SourceStats:
    rows: int = 0
    files: int = 0
    bytes: int = 0
    seconds: float = 0.0


@dataclass
class Progress:
    quiet: bool = False
    every_s: float = 2.0
    stats: dict[str, SourceStats] = field(default_factory=dict)
    started: float = field(default_factory=time.perf_counter)
    _last: float = 0.0

    def add(self, source: str, rows: int, files: int, size: int, seconds: float = 0.0) -> None:
        s = self.stats.setdefault(source, SourceStats())
        s.rows += rows
        s.files += files
        s.bytes += size
        s.seconds += seconds

    def tick(self, stage: str, done: int, total: int) -> None:
        """A status line at most every `every_s` seconds (and at the end of a stage)."""
        now = time.perf_counter()
        if self.quiet or (now - self._last < self.every_s and done < total):
            return
        self._last = now
        rows = sum(s.rows for s in self.stats.values())
        mb = sum(s.bytes for s in self.stats.values()) / 1e6
        print(
            f"[{now - self.started:7.1f}s] {stage:<10} {done:>5}/{total:<5} | {rows:>12,} rows {mb:>9.1f} MB written",
            file=sys.stderr,
            flush=True,
        )

    def summary(self) -> str:
        lines = [f"{'source':<16}{'rows':>13}{'files':>8}{'MB':>10}{'seconds':>9}"]
        for name, s in self.stats.items():
            lines.append(f"{name:<16}{s.rows:>13,}{s.files:>8,}{s.bytes / 1e6:>10.1f}{s.seconds:>9.1f}")
        total_rows = sum(s.rows for s in self.stats.values())
        total_files = sum(s.files for s in self.stats.values())
        total_mb = sum(s.bytes for s in self.stats.values()) / 1e6
        elapsed = time.perf_counter() - self.started
        lines.append(f"{'total':<16}{total_rows:>13,}{total_files:>8,}{total_mb:>10.1f}{elapsed:>9.1f}")
        return "\n".join(lines)
