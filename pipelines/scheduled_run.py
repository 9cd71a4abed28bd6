"""The scheduled (daily) run: the next batch of days after the latest one in the raw folder,
through bronze, silver and gold, with data-quality metrics; what cron runs.

    python pipelines/scheduled_run.py [--days N] [--late-share X | --late-file | --no-late-file]
                                      [--add-column TABLE.COLUMN] [--raw DIR] [--warehouse FILE]
                                      [--lake DIR] [--pipelines-dir DIR] [--log-dir DIR] [--wait] [--quiet]
    python pipelines/scheduled_run.py --crontab [--install]

Settings come from `[scheduled_run]` in .dlt/config.toml (the webhook from .dlt/secrets.toml, or
SCHEDULED_RUN__ALERT_WEBHOOK); the options override them. The run holds the warehouse lock for all
its steps, writes `<log_dir>/scheduled_run-<day>.log` and, when it fails, an alert record (and a
POST to the webhook). Exit 0 only when every step succeeded and no data-quality check is at ALERT
(README, "Exit codes").
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import dlt

from generators.new_columns import NEW_COLUMNS
from pipelines.cli import help_description, run_command
from pipelines.dlt_run_context import configured_path
from pipelines.folders import usable_folder
from pipelines.scheduling.crontab import crontab_line, install
from pipelines.scheduling.daily import scheduled_run

SECTION = "scheduled_run"


def setting(key: str, default: Any) -> Any:
    value: Any = dlt.config.get(f"{SECTION}.{key}")
    return default if value is None else value


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python pipelines/scheduled_run.py",
        description=help_description(__doc__),
        epilog="Exit codes: 0 done, 2 usage, 3 busy (another run holds the warehouse), 4 files failed, "
        "5 bad warehouse, 6 dbt failed, 8 a data-quality check at ALERT.",
    )
    p.add_argument("--days", type=int, default=setting("days", 1), help="days per run ([scheduled_run] days)")
    late = p.add_mutually_exclusive_group()
    late.add_argument(
        "--late-share",
        type=float,
        default=float(setting("late_share", 0.25)),
        help="share of runs with a file arriving 24 h late, drawn from seed and day ([scheduled_run] late_share)",
    )
    late.add_argument("--late-file", dest="late_file", action="store_const", const=True, help="this run has one")
    late.add_argument("--no-late-file", dest="late_file", action="store_const", const=False, help="this run has none")
    p.add_argument(
        "--add-column",
        action="append",
        default=[],
        choices=sorted(NEW_COLUMNS),
        metavar="TABLE.COLUMN",
        help="schema-evolution drill: the batch's files of TABLE carry this new optional column",
    )
    p.add_argument("--raw", type=Path, help="raw folder (default: sources.retail_bronze.raw_dir)")
    p.add_argument("--warehouse", type=Path, help="DuckDB file (default: [destination.duckdb] credentials)")
    p.add_argument("--lake", type=Path, help="a local lake folder (default: the bronze step's dlt config)")
    p.add_argument("--pipelines-dir", type=Path, help="dlt's working folder (default: .dlt/pipelines)")
    p.add_argument("--log-dir", type=Path, help="where the day's log and the alerts go ([scheduled_run] log_dir)")
    p.add_argument("--wait", action="store_true", help="wait for a run holding the warehouse instead of exiting (3)")
    p.add_argument("--quiet", action="store_true", help="write the log file only (cron)")
    p.add_argument("--crontab", action="store_true", help="print the crontab line ([scheduled_run] cron) and exit")
    p.add_argument("--install", action="store_true", help="with --crontab: install it into the user's crontab")
    args = p.parse_args(argv)
    if args.days < 1:
        p.error("--days must be at least 1")
    if not 0 <= args.late_share <= 1:
        p.error("--late-share must be between 0 and 1")
    if args.install and not args.crontab:
        p.error("--install goes with --crontab")
    args.log_dir = args.log_dir.resolve() if args.log_dir else configured_path(setting("log_dir", "logs"))
    args.log_retention_days = int(setting("log_retention_days", 14))
    args.alert_file = args.log_dir / "alerts.jsonl"
    args.alert_webhook = dlt.secrets.get(f"{SECTION}.alert_webhook") or None
    args.schedule = setting("cron", "30 2 * * *")
    return args


def run(args: argparse.Namespace) -> int:
    if args.crontab:
        line = crontab_line(args.schedule)
        print(line)
        if args.install:
            print(install(line))
        return 0
    usable_folder(args.log_dir, "the log folder (--log-dir, [scheduled_run] log_dir)")  # else nothing could alert
    return scheduled_run(args)


def main(argv: list[str] | None = None) -> int:
    return run_command(lambda: run(parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
