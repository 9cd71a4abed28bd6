"""What a bronze run tells its user: files, rows and rejects per table, the files that failed
(with their reasons), and where the time went."""

from __future__ import annotations

import resource
from dataclasses import dataclass

import duckdb
from pipelines.bronze.tables import FAILED_STATUSES, MANIFEST_TABLE


@dataclass
class StepTimes:
    """Wall seconds of a run's steps (the profile `benchmarks/bronze.py` records)."""

    extract: float = 0.0
    normalize: float = 0.0
    load: float = 0.0
    parquet: float = 0.0
    delta: float = 0.0

    def describe(self) -> str:
        return (
            f"extract {self.extract:.1f} s, normalize {self.normalize:.1f} s, load {self.load:.1f} s, "
            f"parquet lake {self.parquet:.1f} s, delta lake {self.delta:.1f} s"
        )


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
