"""The `python -m pipelines.lake` command line: history, show, diff, restore, optimize."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

VERSION_HELP = "a version number, `latest`, a UTC timestamp (2026-01-31T18:00:00Z: the version current then)"
EXIT_CODES = """exit codes:
  0  success (diff: the two sides are identical)
  1  diff: the two sides differ
  2  bad input: unknown table, version or timestamp, a version whose files were vacuumed
  3  busy: another run holds the warehouse lock (nothing was changed)
  4  refused: the restore would make the bronze lake disagree with DuckDB bronze
  5  the operation failed (the message names the table and the reason)"""


def at_least(minimum: int):
    """An argparse type: a whole number of at least `minimum` (a negative --limit would silently
    drop the oldest commits instead; a negative retention means nothing)."""

    def whole_number(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be {minimum} or more, not {value}")
        return value

    return whole_number


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--raw", type=Path, help="raw folder of the generator (default from .dlt/config.toml)")
    common.add_argument("--lake", type=Path, help="lake root (default from .dlt/config.toml)")
    common.add_argument("--warehouse", type=Path, help="DuckDB warehouse file (default from .dlt/config.toml)")
    table_help = "raw.returns (the generator's returns table) or bronze.<table> (the bronze Delta lake)"

    p = argparse.ArgumentParser(
        prog="python -m pipelines.lake",
        description="Delta time travel and restore, and OPTIMIZE/VACUUM of the lake.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verbs = p.add_subparsers(dest="verb", required=True, metavar="VERB")

    v = verbs.add_parser("history", parents=[common], help="list the commits of a Delta table")
    v.add_argument("table", help=table_help)
    v.add_argument("--limit", type=at_least(1), help="only the newest N commits")

    v = verbs.add_parser("show", parents=[common], help="read a version (or a timestamp) of a Delta table")
    v.add_argument("table", help=table_help)
    v.add_argument("version", nargs="?", default="latest", help=VERSION_HELP + ", or `warehouse` (DuckDB bronze)")
    v.add_argument("--where", help='a SQL filter, e.g. "return_id = 395"')
    v.add_argument("--columns", help="comma-separated columns to show (default all)")
    v.add_argument("--limit", type=at_least(1), default=10, help="rows to print (default 10)")
    v.add_argument("--csv", action="store_true", help="print the rows as CSV (header first), nothing else")

    v = verbs.add_parser(
        "diff",
        parents=[common],
        help="diff two versions by primary key: rows added, removed, changed",
        description="Rows added, removed and changed between two versions, matched by the primary key of "
        "schemas/ (bronze tables without a unique key: by raw file and line). Exit 0 when identical, 1 when not.",
    )
    v.add_argument("table", help=table_help)
    v.add_argument("old", help=VERSION_HELP + ", or `warehouse` (DuckDB bronze)")
    v.add_argument("new", nargs="?", default="latest", help="as OLD (default latest)")

    v = verbs.add_parser(
        "restore",
        parents=[common],
        help="restore a version (a new commit; history is kept)",
        description="Restore a version as a new commit. A bronze lake table is restored only to a version whose "
        "rows equal DuckDB bronze (its source of truth). See docs/operations_runbook.md.",
    )
    v.add_argument("table", help=table_help)
    v.add_argument("version", help=VERSION_HELP)
    v.add_argument("--dry-run", action="store_true", help="show what the restore would change, change nothing")

    v = verbs.add_parser(
        "optimize",
        parents=[common],
        help="compact the Delta lake (Z-order where it helps), VACUUM it, coalesce the Parquet lake's small files",
    )
    v.add_argument("--dry-run", action="store_true", help="show what would be compacted and vacuumed")
    v.add_argument("--retention-hours", type=at_least(0), default=168, help="VACUUM retention (default 168)")
    v.add_argument(
        "--unsafe-retention",
        action="store_true",
        help="allow a retention under 168 h (versions older than it can no longer be read or restored)",
    )
    return p.parse_args(argv)


def resolve_paths(args: argparse.Namespace):
    """The options (relative to where the command runs), else bronze's own dlt configuration:
    the raw folder of `retail_bronze`, the warehouse of `[destination.duckdb]`, the Delta lake
    at `[destination.filesystem] bucket_url` and the Parquet lake and rejects of `[bronze_lake]`."""
    from pipelines.lake.tables import LakeError, Paths

    if args.raw and args.warehouse and args.lake:  # dlt (over a second to import) is not needed
        return Paths.under(args.raw.resolve(), args.lake.resolve(), args.warehouse.resolve())
    import dlt

    from pipelines.bronze.lake_export import LakeSettings
    from pipelines.dlt_run_context import configured_path
    from pipelines.warehouse import configured_warehouse

    raw = args.raw.resolve() if args.raw else configured_path(dlt.config["sources.retail_bronze.raw_dir"])
    warehouse = args.warehouse.resolve() if args.warehouse else configured_warehouse()
    if args.lake:
        return Paths.under(raw, args.lake.resolve(), warehouse)
    bucket_url = str(dlt.config["destination.filesystem.bucket_url"])
    if "://" in bucket_url and not bucket_url.startswith("file://"):
        raise LakeError(f"the lake commands work on a local lake; the Delta lake is at {bucket_url}")
    delta_root = configured_path(bucket_url.removeprefix("file://"))
    settings = LakeSettings.from_config()
    return Paths(raw, warehouse, delta_root, delta_root / "delta", settings.parquet_dir, settings.rejects_dir)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from deltalake.exceptions import DeltaError

    import duckdb
    from pipelines.exit_codes import RunFailed
    from pipelines.lake import commands
    from pipelines.lake.tables import EXIT_FAILED, LakeError

    try:
        paths = resolve_paths(args)
        verb = {
            "history": commands.history,
            "show": commands.show,
            "diff": commands.diff,
            "restore": commands.restore,
            "optimize": commands.optimize,
        }[args.verb]
        return verb(args, paths)
    except LakeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except RunFailed as exc:  # no warehouse configured
        print(f"error: {exc}", file=sys.stderr)
        return int(exc.code)
    except (DeltaError, duckdb.Error, OSError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"error: {args.verb} failed: {first}", file=sys.stderr)
        return EXIT_FAILED
