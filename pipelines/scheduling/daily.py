"""One scheduled run: the next batch of days generated, loaded into bronze, silver and gold built,
the data-quality metrics appended and judged, all under one warehouse lock, with a log and an
alert when anything failed."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

from pipelines.exit_codes import ExitCode, RunFailed
from pipelines.main_job import resolve_layers, summary
from pipelines.scheduling.alerts import Alert, raise_alert
from pipelines.scheduling.dq_verdict import run_verdict
from pipelines.scheduling.next_batch import next_batch
from pipelines.scheduling.run_log import RunLog
from pipelines.steps import Step, run_steps
from pipelines.warehouse_lock import warehouse_lock


def scheduled_run(args: argparse.Namespace) -> int:
    """Run the day's batch (args: the command line merged with [scheduled_run] settings).

    Raises:
        RunFailed: with the failed step's exit code (BUSY when another run holds the warehouse,
            DQ_ALERT when a data-quality check is at ALERT); an alert was raised first.
    """
    started = datetime.now(UTC)
    run_id = f"{started:%Y%m%dT%H%M%SZ}"
    layers = resolve_layers(args)
    with RunLog(args.log_dir, args.log_retention_days, quiet=args.quiet) as log:
        for old in log.removed:
            log.line(f"removed the log of an old day: {old.name}")
        stage = "lock"
        try:
            with warehouse_lock(layers.warehouse, f"scheduled run {run_id}", wait=args.wait) as lock:
                log.line(f"run {run_id}: raw {layers.raw}, warehouse {layers.warehouse}")
                stage = "plan"
                batch = next_batch(layers.raw, args.days, args.late_share, args.late_file, tuple(args.add_column))
                log.line(f"next batch: {batch.describe()}")
                steps = [
                    Step("generate", [sys.executable, "-m", "generators", *batch.generator_args(layers.raw)]),
                    *layers.layer_steps(run_id),
                ]
                stage = "steps"
                failed = run_steps(steps, lock, log=lambda line, step: log.line(line, step))
                if failed is not None:
                    stage = failed.name
                    raise RunFailed(
                        step_code(failed.returncode),
                        f"step {failed.name} failed (exit {failed.returncode}) after {failed.seconds:.1f} s; "
                        f"its output is in {log.path}. Fix the cause and run again: the next run completes this one",
                    )
                stage = "dq"
                verdict = run_verdict(layers.warehouse, run_id)
                for line in verdict.lines():
                    log.line(line, "dq")
                if verdict.alerts:
                    raise RunFailed(
                        ExitCode.DQ_ALERT,
                        f"{verdict.alerts} data-quality checks at ALERT (listed above; every check of the run: "
                        f"SELECT * FROM gold.dq_metrics WHERE run_id = '{run_id}')",
                    )
                for line in summary(layers.raw, layers.warehouse, steps, started).splitlines():
                    log.line(line)
        except Exception as failure:
            code = failure.code if isinstance(failure, RunFailed) else ExitCode.UNEXPECTED
            log.line(f"error: {failure}")
            now = f"{datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ}"
            alert = Alert(now, run_id, int(code), stage, str(failure), str(log.path))
            log.line(raise_alert(alert, args.alert_file, args.alert_webhook))
            raise
        log.line(f"run {run_id} succeeded in {(datetime.now(UTC) - started).total_seconds():.1f} s")
    return ExitCode.OK


def step_code(returncode: int | None) -> ExitCode:
    """A failed step's exit code as the run's (a signal or an unknown code: UNEXPECTED)."""
    return ExitCode(returncode) if returncode in {int(c) for c in ExitCode} else ExitCode.UNEXPECTED
