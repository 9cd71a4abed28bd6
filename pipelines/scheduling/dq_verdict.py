"""The data-quality verdict of a run: its rows of gold.dq_metrics (built by the transform)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipelines.warehouse import open_warehouse

SHOWN = 20  # checks listed per status at most (every one is in gold.dq_metrics)


@dataclass(frozen=True)
class Verdict:
    counts: dict[str, int]  # status -> checks
    flagged: list[tuple[str, str, str, str, float | None, str]]  # status, table, check, subject, value, limits

    @property
    def alerts(self) -> int:
        return self.counts.get("ALERT", 0)

    def lines(self) -> list[str]:
        total = sum(self.counts.values())
        head = ", ".join(f"{self.counts.get(s, 0)} {s}" for s in ("OK", "WARNING", "ALERT"))
        out = [f"data quality: {total} checks in gold.dq_metrics: {head}"]
        for status, table, check, subject, value, limits in self.flagged:
            shown = "NULL" if value is None else f"{value:g}"
            out.append(f"  {status:<7} {table}.{check}{f' ({subject})' if subject else ''} = {shown}; {limits}")
        return out


def run_verdict(warehouse: Path, run_id: str) -> Verdict:
    with open_warehouse(warehouse, read_only=True) as con:
        counts = dict(
            con.execute("SELECT status, count(*) FROM gold.dq_metrics WHERE run_id = ? GROUP BY 1", [run_id]).fetchall()
        )
        flagged = con.execute(
            """SELECT status, table_name, check_name, check_subject, measured_value,
                      concat_ws(', ', 'warning outside [' || coalesce(warn_min::varchar, '') || ', '
                                        || coalesce(warn_max::varchar, '') || ']',
                                'alert outside [' || coalesce(alert_min::varchar, '') || ', '
                                        || coalesce(alert_max::varchar, '') || ']')
               FROM (SELECT *, row_number() OVER (
                                 PARTITION BY status ORDER BY table_name, check_name, check_subject) AS n
                     FROM gold.dq_metrics WHERE run_id = ? AND status <> 'OK')
               WHERE n <= ? ORDER BY status = 'WARNING', table_name, check_name, check_subject""",
            [run_id, SHOWN],
        ).fetchall()
    return Verdict(counts, flagged)
