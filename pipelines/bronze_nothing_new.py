"""A bronze re-run with nothing to do, told before dlt is imported.

Importing dlt takes about a second, more than the rest of a run that finds nothing new. So a
bronze run that ends with nothing left to do (every raw file settled, every load in both lakes,
no pending package) records what it saw, in its dlt working folder: its command line and the
inputs of dlt's configuration (working directory, environment, the `.dlt` TOML files), what
they resolved to (the raw folder and the warehouse), the raw files' names, sizes and times, the
warehouse file's size and time, and the pipelines' state files. The next run that finds all of
these the same has nothing to do either, and says so without importing dlt or opening the
warehouse. Anything different (another command line or setting, a new, changed or touched raw
file, a warehouse written since, by a transform or any other tool, a pending load package, or
no record) and the run goes the full way, which plans from the warehouse's manifest as always.

This module imports nothing that imports dlt.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

from pipelines.exit_codes import RunFailed
from pipelines.warehouse_lock import warehouse_lock

PROJECT_ROOT = Path(__file__).resolve().parents[1]
RECORD_FORMAT = 1
RECORD_NAME = "nothing_new.json"
PIPELINES = ("retail_bronze", "retail_bronze_lake")
# dlt's working folders that hold a package not yet loaded (dlt's `has_pending_data`).
PENDING_FOLDERS = ("normalize/extracted", "load/new", "load/normalized")
# Environment variables that differ between two runs of the same command without changing
# dlt's configuration (pytest names the current test; shells keep their own bookkeeping).
VOLATILE_ENV = frozenset({"PYTEST_CURRENT_TEST", "_", "OLDPWD", "SHLVL", "PWD"})
NOTHING_NEW = "nothing new: every raw file is already in bronze"


def nothing_new(argv: list[str]) -> bool:
    """True (after saying so) when the run `argv` describes has nothing to do, by its record."""
    started = time.perf_counter()
    record_path = _pipelines_dir(argv) / PIPELINES[0] / RECORD_NAME
    try:
        record = json.loads(record_path.read_text())
    except (OSError, ValueError):
        return False
    if record.get("key") != run_key(argv):
        return False
    warehouse = Path(record["warehouse"])
    try:
        with warehouse_lock(warehouse, "bronze"):
            if _observed(record, Path(record["pipelines_dir"])) != record["observed"]:
                return False
    except RunFailed:  # busy: the full way reports it, or waits
        return False
    for line in record["messages"]:
        print(line, file=sys.stderr)
    print(NOTHING_NEW)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"time: total {time.perf_counter() - started:.1f} s (checked against the last run's record, {record_path}); "
        f"peak RSS {peak:,.0f} MiB",
        file=sys.stderr,
    )
    return True


def write_record(
    argv: list[str],
    pipelines_dir: Path,
    raw_root: Path,
    globs: list[str],
    warehouse: Path,
    messages: list[str],
) -> None:
    """Record a run that left nothing to do (call it once the warehouse is closed)."""
    record: dict[str, Any] = {
        "key": run_key(argv),
        "pipelines_dir": str(pipelines_dir),
        "raw_root": str(raw_root),
        "globs": globs,
        "warehouse": str(warehouse),
        "messages": messages,
    }
    record["observed"] = _observed(record, pipelines_dir)
    path = pipelines_dir / PIPELINES[0] / RECORD_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(record))
    tmp.replace(path)


def forget_record(pipelines_dir: Path) -> None:
    """A run that may change anything drops the record first (an interrupted run leaves none)."""
    (pipelines_dir / PIPELINES[0] / RECORD_NAME).unlink(missing_ok=True)


def run_key(argv: list[str]) -> str:
    """What dlt's configuration of this run depends on: the command line, the working directory,
    the environment and the `.dlt` TOML files (the project's and the user's)."""
    env = sorted((k, v) for k, v in os.environ.items() if k not in VOLATILE_ENV)
    settings = [PROJECT_ROOT / ".dlt", Path.home() / ".dlt", Path("/var/dlt")]
    files = [(str(p), _digest(p)) for folder in settings for p in (folder / "config.toml", folder / "secrets.toml")]
    inputs = {"format": RECORD_FORMAT, "argv": argv, "cwd": os.getcwd(), "env": env, "files": files}
    return hashlib.sha256(json.dumps(inputs).encode()).hexdigest()


def _observed(record: dict[str, Any], pipelines_dir: Path) -> str:
    """A digest of everything a run's plan depends on besides its settings."""
    raw_root = Path(record["raw_root"])
    raw = [(str(p.relative_to(raw_root)), _stat(p)) for g in record["globs"] for p in sorted(raw_root.glob(g))]
    warehouse = Path(record["warehouse"])
    dlt_state = [(name, _stat(pipelines_dir / name / "state.json")) for name in PIPELINES]
    pending = [
        str(entry)
        for name in PIPELINES
        for folder in PENDING_FOLDERS
        if (pipelines_dir / name / folder).is_dir()
        for entry in (pipelines_dir / name / folder).iterdir()
    ]
    wal = warehouse.with_name(warehouse.name + ".wal")
    seen = {"raw": raw, "warehouse": _stat(warehouse), "wal": _stat(wal), "state": dlt_state, "pending": pending}
    return hashlib.sha256(json.dumps(seen).encode()).hexdigest()


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


def _digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _pipelines_dir(argv: list[str]) -> Path:
    """Where the run keeps its dlt working folders: `--pipelines-dir`, or dlt's default for this
    project (`$DLT_DATA_DIR/pipelines`, else `.dlt/pipelines`; pipelines/dlt_run_context.py)."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--pipelines-dir", type=Path)
    known, _ = parser.parse_known_args(argv)
    if known.pipelines_dir:
        return known.pipelines_dir.resolve()
    return Path(os.environ.get("DLT_DATA_DIR", PROJECT_ROOT / ".dlt")) / "pipelines"
