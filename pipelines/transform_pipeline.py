"""Silver and gold: `dbt build` of the dbt project in `dbt/`, through dlt's dbt runner, on the
bronze warehouse.

    python pipelines/transform_pipeline.py [--warehouse FILE] [--pipelines-dir DIR]
                                           [--select NODE ...] [--full-refresh] [--unit-tests] [--run-id ID]
                                           [--wait]

The warehouse defaults to `[destination.duckdb] credentials` (`.dlt/secrets.toml`). Plain
`cd dbt && dbt build` works too (the profile reads RETAIL_WAREHOUSE, defaulting to
../duckdb/warehouse.duckdb). The build leaves dbt's unit tests out (they check the models'
logic on fixed rows, not the data: `make test` runs them); `--unit-tests` or `[transform]
unit_tests = true` runs them too. Exit codes: README, "Exit codes".
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

import dlt

from pipelines.cli import help_description, run_command
from pipelines.dbt_build import dbt_build
from pipelines.exit_codes import ExitCode, RunFailed
from pipelines.pseudonym_key import pseudonym_key
from pipelines.publish_gold import publish_for_readers
from pipelines.tested_loads import loads_to_test, record_tested
from pipelines.warehouse import check_warehouse, configured_warehouse
from pipelines.warehouse_lock import warehouse_lock


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python pipelines/transform_pipeline.py",
        description=help_description(__doc__),
        epilog=(
            "Exit codes: 0 built, 2 usage, 3 busy, 5 bad warehouse, 6 dbt failed (failing nodes listed), "
            "7 gold not published."
        ),
    )
    p.add_argument("--warehouse", type=Path, help="DuckDB file (default: [destination.duckdb] credentials)")
    p.add_argument("--pipelines-dir", type=Path, help="dlt's working folder of retail_bronze (default: .dlt/pipelines)")
    p.add_argument("--select", nargs="+", metavar="NODE", help="dbt selection (default: everything)")
    p.add_argument("--full-refresh", action="store_true", help="rebuild incremental models from scratch")
    p.add_argument(
        "--unit-tests",
        action="store_true",
        default=None,
        help="run dbt's unit tests too (default: [transform] unit_tests, false)",
    )
    p.add_argument("--run-id", type=run_id, help="the run's id in gold.dq_metrics (default: dbt's invocation id)")
    p.add_argument("--wait", action="store_true", help="wait for a run holding the warehouse instead of exiting (3)")
    return p.parse_args(argv)


RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}")


def run_id(text: str) -> str:
    """An argparse type: the id goes into gold.dq_metrics' SQL as text, so it is a plain name."""
    if not RUN_ID.fullmatch(text):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a run id: up to 64 letters, digits and _ . : - (a letter or digit first)"
        )
    return text


def transform(args: argparse.Namespace) -> int:
    os.environ["DBT_ENV_SECRET_PSEUDONYM_KEY"] = pseudonym_key()  # dbt scrubs DBT_ENV_SECRET_* from its logs
    warehouse: Path = args.warehouse or configured_warehouse()
    if not warehouse.exists():
        raise RunFailed(
            ExitCode.BAD_WAREHOUSE,
            f"the warehouse {warehouse} does not exist; run the bronze pipeline first "
            "(python pipelines/bronze_dlt_pipeline.py)",
        )
    with warehouse_lock(warehouse, "transform", wait=args.wait):
        check_warehouse(warehouse, wait=args.wait)
        started = time.perf_counter()
        every_node = not args.select
        tested, newest = loads_to_test(warehouse)
        # Only an incremental build of every node tests just the new loads (docs/decisions.md §29).
        tests_after = tested if every_node and not args.full_refresh else None
        if tests_after:
            print(
                f"silver + gold: incremental build; row-level tests on the bronze loads after {tests_after}", flush=True
            )
        unit_tests = args.unit_tests or dlt.config.get("transform.unit_tests", bool) or False
        results = dbt_build(
            warehouse, args.pipelines_dir, args.select or (), args.full_refresh, args.run_id, tests_after, unit_tests
        )
        report_build(results, started)
        if not results:
            raise RunFailed(
                ExitCode.USAGE,
                f"--select {' '.join(args.select or ())} matches no dbt node, so nothing was built (unit tests "
                "count only with --unit-tests); `dbt ls --select ...` in dbt/ lists what a selection matches",
            )
        if every_node:
            record_tested(warehouse, newest)
        publish_for_readers(warehouse)  # Gold as Parquet for readers (the BI app), atomically swapped
    return ExitCode.OK


def report_build(results, started: float) -> None:
    counts: dict[str, int] = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    print(
        f"silver + gold: dbt build of {len(results)} nodes in {time.perf_counter() - started:.1f} s "
        f"({', '.join(f'{k} {v}' for k, v in sorted(counts.items()))})"
    )


def main(argv: list[str] | None = None) -> int:
    return run_command(lambda: transform(parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
