"""Command line: python -m generators --seed S --scale X --out DIR [increment options]."""

from __future__ import annotations

import argparse
import sys
from datetime import date, timedelta
from pathlib import Path

# Plain-Python modules only: --help and usage errors must not wait for numpy, polars or pyarrow.
from generators.base_window import DEFAULT_START, LAST_DAY, MAX_INCREMENT_DAYS
from generators.new_columns import NEW_COLUMNS
from generators.progress import Progress
from schemas import SOURCES


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0 or value > 100:
        raise argparse.ArgumentTypeError(f"{text} must be greater than 0 and at most 100 (1.0 is full scale)")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} must be at least 1")
    return value


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} must not be negative")
    return value


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m generators",
        description="Generate the retailer's 11 raw sources with controlled anomalies and an exact anomaly log. "
        "Without --start-date/--days: the base dataset (2024-01-01 .. 2025-12-31), replacing what "
        "--out held. With them: an increment batch added beside the base.",
    )
    p.add_argument(
        "--seed", type=_non_negative_int, default=42, help="random seed; same seed => same bytes (default 42)"
    )
    p.add_argument(
        "--scale", type=_positive_float, default=0.01, help="size factor; 1.0 is about 16 million rows (default 0.01)"
    )
    p.add_argument("--out", type=Path, default=Path("data_raw"), help="output folder (default data_raw)")
    p.add_argument("--start-date", type=_date, help="first day of an increment batch (with --days)")
    p.add_argument("--days", type=_positive_int, help="number of days in the increment batch")
    p.add_argument(
        "--late-days",
        type=_positive_int,
        help="also write one partition dated this many days before --start-date (a late file)",
    )
    p.add_argument(
        "--only", nargs="+", choices=SOURCES, metavar="TABLE", help=f"generate only these sources: {', '.join(SOURCES)}"
    )
    p.add_argument(
        "--add-column",
        action="append",
        choices=sorted(NEW_COLUMNS),
        metavar="TABLE.COLUMN",
        help="schema-evolution drill, with an increment: its files of TABLE get this new optional column "
        f"(repeatable; one of {', '.join(sorted(NEW_COLUMNS))})",
    )
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    return p


def check_combinations(args: argparse.Namespace, p: argparse.ArgumentParser) -> None:
    """Usage errors between arguments (exit 2 with one line, as argparse does for single ones)."""
    if (args.start_date is None) != (args.days is None):
        p.error("--start-date and --days go together (an increment batch)")
    if args.late_days and args.days is None:
        p.error("--late-days belongs to an increment: give --start-date and --days too")
    if args.start_date is not None and args.start_date <= DEFAULT_START:
        p.error(f"--start-date must be after the base window's first day {DEFAULT_START}")
    if args.days is not None and args.days > MAX_INCREMENT_DAYS:
        p.error(f"--days is at most {MAX_INCREMENT_DAYS} (the base window's length); write more as several increments")
    if args.start_date is not None and args.days is not None and args.start_date > LAST_DAY - timedelta(args.days - 1):
        p.error(f"--start-date {args.start_date} and --days {args.days} run past {LAST_DAY}, the last day it writes")
    if args.late_days and args.start_date is not None and args.start_date - timedelta(args.late_days) < DEFAULT_START:
        p.error(f"--late-days {args.late_days} dates the late file before the base window's first day {DEFAULT_START}")
    if args.add_column and args.days is None:
        p.error("--add-column belongs to an increment (the base files follow schemas/): give --start-date and --days")


def main(argv: list[str] | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    check_combinations(args, p)
    # The arguments are valid: only now load the generation code (numpy, polars, pyarrow).
    from generators.config import GeneratorConfig
    from generators.output import OutputError
    from generators.run import generate

    cfg = GeneratorConfig(
        seed=args.seed,
        scale=args.scale,
        out=args.out,
        start_date=args.start_date,
        days=args.days,
        late_days=args.late_days,
        only=frozenset(args.only or ()),
        new_columns=tuple(sorted(set(args.add_column or ()))),
    )
    progress = Progress(quiet=args.quiet)
    try:
        generate(cfg, progress)
    except OutputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: the batch is incomplete; run the same command again to write it whole", file=sys.stderr)
        return 130
    print(progress.summary())
    print(
        f"{cfg.batch_name} written to {cfg.out} (manifest: {cfg.out / '_manifest.json'}, "
        f"anomaly log: {cfg.out / '_anomalies.json'})"
    )
    return 0
