"""The steps of a job (the main job, the scheduled run): child processes run in order under the
job's warehouse lock, which they inherit (pipelines/warehouse_lock.py)."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from pipelines.dlt_run_context import PROJECT_ROOT
from pipelines.warehouse_lock import child_env


@dataclass
class Step:
    name: str
    command: list[str]
    seconds: float = 0.0
    returncode: int | None = None


def run_steps(steps: list[Step], lock: IO[str], log: Callable[[str, str], None] | None = None) -> Step | None:
    """Run the steps in order under the job's warehouse lock; the failed step or None. Their output
    goes straight to the terminal, or, given `log`, line by line to log(line, step name)."""
    for step in steps:
        announce = f"== {step.name}: {' '.join(step.command[1:])}"
        log(announce, step.name) if log else print(announce, flush=True)
        started = time.perf_counter()
        env = child_env(lock)
        if log is None:
            step.returncode = subprocess.run(
                step.command, cwd=PROJECT_ROOT, env=env, pass_fds=[lock.fileno()]
            ).returncode
        else:
            with subprocess.Popen(
                step.command,
                cwd=PROJECT_ROOT,
                env=env,
                pass_fds=[lock.fileno()],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                errors="replace",
            ) as child:
                assert child.stdout is not None
                for line in child.stdout:
                    log(line, step.name)
            step.returncode = child.returncode
        step.seconds = time.perf_counter() - started
        if step.returncode != 0:
            return step
    return None
