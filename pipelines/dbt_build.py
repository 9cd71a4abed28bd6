"""Silver and gold: `dbt build` of the project in `dbt/`, run through dlt's dbt runner against the
bronze warehouse."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import dlt
from dlt.common.runners import Venv
from dlt.helpers.dbt.exceptions import DBTNodeResult, DBTProcessingError

from pipelines.bronze.tables import DATASET, PIPELINE_NAME
from pipelines.dbt_results import DBT_PROJECT, TARGET, failed_nodes, run_results
from pipelines.dlt_run_context import dlt_pipelines_dir
from pipelines.exit_codes import ExitCode, RunFailed
from pipelines.tested_loads import ENV_VAR as TESTS_AFTER_LOAD

DQ_RUN_ID = "RETAIL_DQ_RUN_ID"  # dbt/models/data_quality/dq_metrics.sql reads it
# dbt's flags that leave the unit tests out of a build (the product's builds run without them)
NO_UNIT_TESTS = ("--exclude-resource-type", "unit_test")


def dbt_build(
    warehouse: Path,
    pipelines_dir: Path | None = None,
    select: Sequence[str] = (),
    full_refresh: bool = False,
    run_id: str | None = None,
    tests_after_load: str | None = None,
    unit_tests: bool = False,
) -> Sequence[DBTNodeResult]:
    """`dbt build` (models, tests, seeds, snapshots in DAG order) of every node, or of `select`;
    its unit tests only with `unit_tests` (they check the models' logic on fixed rows, not the
    data: dbt runs them in development and CI, not in production builds);
    `run_id` names the run in gold.dq_metrics (default: dbt's invocation id); with
    `tests_after_load`, generic tests check only the rows of newer bronze loads where their
    meaning allows it (dbt/macros/rows_under_test.sql).

    Raises:
        RunFailed(DBT_FAILED): a node failed (each failing node of this build is listed) or dbt
            could not start (its own message is shown above).
    """
    os.environ["RETAIL_WAREHOUSE"] = str(warehouse.resolve())  # dbt/profiles.yml reads it
    # Read when nodes compile, not when dbt parses (as --vars would be): new values every run never
    # make dbt parse the project again.
    for name, value in ((TESTS_AFTER_LOAD, tests_after_load), (DQ_RUN_ID, run_id)):
        os.environ.pop(name, None)
        if value:
            os.environ[name] = value
    pipeline = dlt.pipeline(
        PIPELINE_NAME,
        destination=dlt.destinations.duckdb(str(warehouse.resolve())),
        dataset_name=DATASET,
        pipelines_dir=dlt_pipelines_dir(pipelines_dir),
    )
    # The runner starts `python` from a venv: ours (sys.prefix), which has dbt-duckdb,
    # whether or not it was activated.
    runner = dlt.dbt.package(pipeline, str(DBT_PROJECT), venv=Venv.restore(sys.prefix))
    # No --fail-fast: every failing test is reported, and dbt skips what depends on a failure.
    params = (
        (["--select", *select] if select else [])
        + (["--full-refresh"] if full_refresh else [])
        + ([] if unit_tests else list(NO_UNIT_TESTS))
    )
    started = datetime.now(UTC)
    try:
        # The runner's public methods run `dbt run` and `dbt test` only; `dbt build` (which also
        # seeds and snapshots, and skips what depends on a failed test) goes through its command
        # entry point. docs/decisions.md, "dbt through dlt's runner".
        return runner._run_dbt_command("build", params)
    except DBTProcessingError as exc:
        failed = failed_nodes(run_results(TARGET, since=started))
        for status, name, message in failed:
            print(f"  {status.upper():<6} {name}: {message}", file=sys.stderr)
        if failed:
            raise RunFailed(
                ExitCode.DBT_FAILED,
                f"dbt build failed ({len(failed)} failing nodes, listed above); fix the data or the model, then run "
                "again",
            ) from None
        raise RunFailed(
            ExitCode.DBT_FAILED,
            f"dbt could not start the build ({exc}; its parse, compile or connection error is shown above); fix "
            "the project, then run again",
        ) from None
