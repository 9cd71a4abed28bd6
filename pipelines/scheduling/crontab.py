"""The crontab line of the scheduled run, and installing it into the user's crontab."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys

from pipelines.dlt_run_context import PROJECT_ROOT
from pipelines.exit_codes import ExitCode, RunFailed

MARKER = "# retail-lakehouse scheduled run"


def crontab_line(schedule: str) -> str:
    """The line cron runs: absolute paths only, so cron's minimal environment (no PATH to the
    venv, no activated venv, HOME as the only variable) is enough. The run writes its own log."""
    root = shlex.quote(str(PROJECT_ROOT))
    python = shlex.quote(sys.executable)
    return f"{schedule} cd {root} && {python} pipelines/scheduled_run.py --quiet {MARKER}"


def install(line: str) -> str:
    """Put `line` into the user's crontab, replacing an earlier line of this project."""
    crontab = shutil.which("crontab")
    if crontab is None:
        raise RunFailed(ExitCode.USAGE, "crontab is not installed (apt-get install cron); add the line above by hand")
    current = subprocess.run([crontab, "-l"], capture_output=True, text=True)
    kept = [entry for entry in current.stdout.splitlines() if MARKER not in entry] if current.returncode == 0 else []
    new = "\n".join([*kept, line]) + "\n"
    done = subprocess.run([crontab, "-"], input=new, capture_output=True, text=True)
    if done.returncode != 0:
        raise RunFailed(ExitCode.USAGE, f"crontab refused the line: {done.stderr.strip()}")
    return f"installed into the crontab of this user ({len(kept)} other lines kept)"
