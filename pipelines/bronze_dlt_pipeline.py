"""Bronze: load the raw sources into the DuckDB warehouse and the Parquet and Delta lake.

    python pipelines/bronze_dlt_pipeline.py [--raw DIR] [--tables T ...] [--warehouse FILE]
                                            [--lake DIR] [--pipelines-dir DIR] [--wait] [--dry-run]
                                            [--reprocess PATH ...]

Settings come from dlt config: `[sources.retail_bronze]` and `[bronze_lake]` in
`.dlt/config.toml`, `[destination.duckdb] credentials` in `.dlt/secrets.toml`,
`[destination.filesystem] bucket_url`, or their environment variables; the options
override them. Idempotent and resumable: files already loaded are skipped, a run killed
at any point is completed by the next. Exit codes: README, "Exit codes".
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines.bronze_nothing_new import nothing_new
from pipelines.cli import help_description, run_command
from pipelines.exit_codes import ExitCode

if TYPE_CHECKING:
    from pipelines.bronze.run import BronzeOptions


def parse_args(argv: list[str]) -> BronzeOptions:
    from pipelines.bronze.run import BronzeOptions  # imports dlt: only once a run has work (main)
    from pipelines.bronze.tables import TABLES

    p = argparse.ArgumentParser(
        prog="python pipelines/bronze_dlt_pipeline.py",
        description=help_description(__doc__),
        epilog="Exit codes: 0 loaded, 2 usage, 3 busy, 4 some files failed (listed), 5 bad warehouse.",
    )
    p.add_argument("--raw", type=Path, help="the generator's output folder (default: sources.retail_bronze.raw_dir)")
    p.add_argument("--tables", nargs="+", choices=list(TABLES), metavar="T", help="load only these raw sources")
    p.add_argument(
        "--warehouse",
        type=Path,
        help="DuckDB file (default: [destination.duckdb] credentials, duckdb/warehouse.duckdb)",
    )
    p.add_argument(
        "--lake",
        type=Path,
        help="a local lake folder for Delta (<DIR>/bronze/delta), Parquet (<DIR>/bronze/parquet) and rejects "
        "(<DIR>/_rejects) (default: [destination.filesystem] bucket_url and [bronze_lake])",
    )
    p.add_argument(
        "--pipelines-dir",
        type=Path,
        help="dlt's working folder (state, pending packages), one per warehouse (default: .dlt/pipelines)",
    )
    p.add_argument("--wait", action="store_true", help="wait for a run holding the warehouse instead of exiting (3)")
    p.add_argument("--dry-run", action="store_true", help="show what would be loaded; change nothing")
    p.add_argument(
        "--reprocess",
        nargs="+",
        default=[],
        metavar="PATH",
        help="read these raw files (paths in the raw folder) again although they are loaded; merged tables only",
    )
    args = p.parse_args(argv)
    return BronzeOptions(
        raw_dir=args.raw,
        tables=args.tables,
        warehouse=args.warehouse,
        lake=args.lake,
        pipelines_dir=args.pipelines_dir,
        dry_run=args.dry_run,
        wait=args.wait,
        reprocess=args.reprocess,
        command_line=argv,
    )


def main(argv: list[str] | None = None) -> int:
    command_line = sys.argv[1:] if argv is None else argv
    # A re-run with nothing to do says so before dlt is imported (a second of a two-second run).
    if nothing_new(command_line):
        return ExitCode.OK
    from pipelines.bronze.run import run_bronze

    return run_command(lambda: run_bronze(parse_args(command_line)))


if __name__ == "__main__":
    sys.exit(main())
