"""What a bronze run tells its user: files, rows and rejects per table, the files that failed
(with their reasons), and where the time went."""

from __future__ import annotations

import os
import resource
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import duckdb
from pipelines.bronze.tables import FAILED_STATUSES, MANIFEST_TABLE

PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
STEPS = ("plan", "extract", "normalize", "load", "parquet lake", "delta lake", "checkpoint")


@dataclass
class _Step:
    wall: float = 0.0
    cpu: float = 0.0
    peak_mib: float = 0.0


class Profile:
    """Wall and CPU seconds of a run's steps, and the highest RSS seen during each (the profile
    `benchmarks/bronze.py` records). CPU counts every thread of the process. The process's own
    peak (`ru_maxrss`) cannot say which step reached it, so a thread samples the RSS every
    `SAMPLE_S` while a step runs."""

    SAMPLE_S = 0.05

    def __init__(self) -> None:
        self.steps = {name: _Step() for name in STEPS}

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        started, cpu = time.perf_counter(), _cpu_seconds()
        peak = [_rss_mib()]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(self.SAMPLE_S):
                peak[0] = max(peak[0], _rss_mib())

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            yield
        finally:
            done.set()
            sampler.join()
            step = self.steps[name]
            step.wall += time.perf_counter() - started
            step.cpu += _cpu_seconds() - cpu
            step.peak_mib = max(step.peak_mib, peak[0], _rss_mib())

    def describe(self) -> str:
        return ", ".join(
            f"{name} {s.wall:.1f} s (CPU {s.cpu:.1f} s, peak {s.peak_mib:,.0f} MiB)" for name, s in self.steps.items()
        )


def _rss_mib() -> float:
    """The process's resident memory now (Linux), in MiB."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE_BYTES / 2**20


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def table_summary(con: duckdb.DuckDBPyConnection, dataset: str, load_ids: list[str]) -> list[str]:
    """One line per table the run's loads touched (empty when nothing was loaded)."""
    if not load_ids:
        return []
    rows = con.execute(
        f"""
        SELECT table_name, count(*) AS files, sum(rows_read), sum(rows_loaded), sum(rows_rejected),
               count(*) FILTER (WHERE status = 'failed'), count(*) FILTER (WHERE status = 'rejected'),
               count(*) FILTER (WHERE status = 'conflict'), sum(size_bytes)
        FROM {dataset}.{MANIFEST_TABLE} WHERE load_id IN (SELECT unnest(?)) GROUP BY 1 ORDER BY 1
        """,
        [load_ids],
    ).fetchall()
    lines = [
        f"{'table':<16}{'files':>7}{'read':>12}{'loaded':>12}{'rejected':>10}{'failed':>8}{'rej.file':>9}"
        f"{'conflict':>9}{'MB':>8}"
    ]
    for table, files, read, loaded, rejected, failed, rejected_files, conflict, size in rows:
        lines.append(
            f"{table:<16}{files:>7,}{read:>12,}{loaded:>12,}{rejected:>10,}{failed:>8}{rejected_files:>9}"
            f"{conflict:>9}{(size or 0) / 1e6:>8.1f}"
        )
    return lines


def failed_files(con: duckdb.DuckDBPyConnection, dataset: str, load_ids: list[str]) -> list[tuple[str, str, str]]:
    """(status, path, reason) of every file this run's loads recorded as failed, rejected whole or in conflict."""
    if not load_ids:
        return []
    return con.execute(
        f"""
        SELECT status, path, coalesce(reason, '') FROM {dataset}.{MANIFEST_TABLE}
        WHERE load_id IN (SELECT unnest(?)) AND status IN (SELECT unnest(?)) ORDER BY path
        """,
        [load_ids, list(FAILED_STATUSES)],
    ).fetchall()
