"""Shared fixtures: small real datasets generated once per test session."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from xdist.scheduler import LoadFileScheduling

ROOT = Path(__file__).resolve().parents[1]
# Every dbt invocation of a test session (and of each pytest-xdist worker: the suite runs on both
# cores) writes its manifest, results and logs to folders of its own, never the developer's
# dbt/target: two builds sharing a target folder would read each other's run_results.json.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
DBT_TARGET = ROOT / "dbt" / "target" / "pytest" / WORKER
os.environ["DBT_TARGET_PATH"] = str(DBT_TARGET)
os.environ["DBT_LOG_PATH"] = str(ROOT / "dbt" / "logs" / "pytest" / WORKER)
# No dbt.log: writing it costs about 5% of a test build's CPU (measured on a full build: 40.9 s
# against 43.1 s), and dbt prints each failing node and its reason on stdout, which the tests show.
os.environ.setdefault("DBT_LOG_LEVEL_FILE", "none")
SCALE = "0.003"
SEED = "7"


def once_per_run(tmp_path_factory, name: str, make: Callable[[Path], None]) -> Path:
    """The folder `make` fills, made once per test run: the first pytest-xdist worker that asks
    makes it while the others wait, then every worker reads it (a session fixture alone is made
    once per worker). Fixtures made this way are read-only for the tests."""
    root = tmp_path_factory.getbasetemp()
    if WORKER != "main":
        root = root.parent  # the run's folder, shared by its workers
    folder = root / f"shared-{name}"
    with open(root / f"shared-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / ".made").exists():
            shutil.rmtree(folder, ignore_errors=True)  # a worker that failed half-way
            folder.mkdir()
            make(folder)
            (folder / ".made").touch()
    return folder


def run_generator(*args: str, check: bool = True, quiet: bool = True) -> subprocess.CompletedProcess:
    """Run the real CLI in a subprocess, as a user would."""
    proc = subprocess.run(
        [sys.executable, "-m", "generators", *(["--quiet"] if quiet else []), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"generator failed ({proc.returncode}):\n{proc.stderr}")
    return proc


def raw_files(root: Path) -> dict[str, bytes]:
    """Every file of a generated raw folder with its bytes, but the returns Delta table's (its log
    has commit times and its files random names, as the Delta protocol prescribes)."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not str(p.relative_to(root)).startswith("returns/")
    }


@pytest.fixture(scope="session")
def raw(tmp_path_factory) -> Path:
    """The base dataset at a small scale. What its generator printed (not --quiet: progress on
    stderr, the summary on stdout) is kept beside it, in generator.stdout and generator.stderr."""

    def make(folder: Path) -> None:
        proc = run_generator("--seed", SEED, "--scale", SCALE, "--out", str(folder / "data_raw"), quiet=False)
        (folder / "generator.stdout").write_text(proc.stdout)
        (folder / "generator.stderr").write_text(proc.stderr)

    return once_per_run(tmp_path_factory, "raw", make) / "data_raw"


@pytest.fixture(scope="session")
def raw_again(tmp_path_factory) -> Path:
    """The same arguments into another folder."""
    out = tmp_path_factory.mktemp("raw_again") / "data_raw"
    run_generator("--seed", SEED, "--scale", SCALE, "--out", str(out))
    return out


INCREMENT = ("--start-date", "2026-01-01", "--days", "2", "--late-days", "3")


@pytest.fixture(scope="session")
def raw_incremented(raw, tmp_path_factory) -> Path:
    """The base dataset plus a two-day increment with one partition arriving 3 days late."""

    def make(folder: Path) -> None:
        shutil.copytree(raw, folder / "data_raw")
        run_generator("--seed", SEED, "--scale", SCALE, "--out", str(folder / "data_raw"), *INCREMENT)

    return once_per_run(tmp_path_factory, "raw_incremented", make) / "data_raw"


@pytest.fixture(scope="session")
def raw_other_seed(raw_incremented, tmp_path_factory) -> Path:
    """A base of another seed generated into a copy of the incremented dataset: a new base,
    which replaces the old one and drops its increments."""

    def make(folder: Path) -> None:
        shutil.copytree(raw_incremented, folder / "data_raw")
        run_generator("--seed", "8", "--scale", SCALE, "--out", str(folder / "data_raw"))

    return once_per_run(tmp_path_factory, "raw_other_seed", make) / "data_raw"


def run_bronze(
    raw: Path, target: Path, *extra: str, check: bool = True, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """Run the real bronze pipeline CLI into a warehouse, lake and dlt folder under `target`."""
    proc = subprocess.run(
        [sys.executable, "pipelines/bronze_dlt_pipeline.py", *bronze_args(raw, target), *extra],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"bronze failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def bronze_args(raw: Path, target: Path) -> list[str]:
    return [
        "--raw",
        str(raw),
        "--lake",
        str(target / "lake"),
        "--warehouse",
        str(target / "warehouse.duckdb"),
        "--pipelines-dir",
        str(target / "pipelines"),
    ]


@pytest.fixture(scope="session")
def bronze(raw, tmp_path_factory) -> Path:
    """Bronze loaded once from the base dataset; tests read it, never change it."""
    return once_per_run(tmp_path_factory, "bronze", lambda target: run_bronze(raw, target))


def copy_bronze(bronze: Path, into: Path) -> Path:
    """A private copy of a bronze target (warehouse, lake, dlt folder) that a test may change."""
    shutil.copytree(bronze, into, ignore=shutil.ignore_patterns("*.lock"))
    return into


@pytest.fixture()
def loaded_copy(raw, bronze, tmp_path) -> tuple[Path, Path]:
    """A private copy of the base dataset and of its session bronze: (raw copy, target).
    The raw copy keeps the files' times, so bronze sees nothing new in it."""
    data = tmp_path / "raw"
    shutil.copytree(raw, data)
    return data, copy_bronze(bronze, tmp_path / "t")


@pytest.fixture(scope="session")
def workspace():
    """The fixed warehouse path of every dbt run on dbt/ (see dbt_runs.Workspace). The same path
    from one test session to the next (beside the worker's dbt target folder, emptied first), so
    that dbt finds its parse of the last session saved and parses only the files changed since."""
    from dbt_runs import Workspace

    folder = DBT_TARGET.with_name(f"{WORKER}-workspace")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    workspace = Workspace(folder)
    yield workspace
    workspace.close()


@pytest.fixture(scope="session", autouse=True)
def dbt_parsed_early(request) -> None:
    """In `make test-drills`, where most files run dbt, every worker sets up its workspace first:
    dbt parses the project in the background while the first datasets are made (a worker waiting
    for them has a core to spare). In `make test` the files that run dbt are one work unit of one
    worker (DBT_FILES), whose first test asks for `built`, which sets the workspace up first."""
    drills = request.config.option.markexpr == "drill"
    if drills and any("workspace" in item.fixturenames for item in request.session.items):
        request.getfixturevalue("workspace")


@pytest.fixture(scope="session")
def built(request, tmp_path_factory) -> Path:
    """Silver and gold built once by the transform CLI on the session bronze; tests read it,
    never change it (they check a copy out to change it). A worker that only reads it starts
    no dbt: the workspace is asked for only to build."""

    def make(folder: Path) -> None:
        workspace = request.getfixturevalue("workspace")  # first: dbt parses while bronze is made
        bronze = request.getfixturevalue("bronze")
        workspace.checkout(bronze / "warehouse.duckdb")
        shutil.rmtree(workspace.folder / "gold", ignore_errors=True)  # the saved Gold holds this build only
        proc = workspace.transform()
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        assert "gold published" in proc.stdout
        workspace.save(folder)

    return once_per_run(tmp_path_factory, "built", make) / "warehouse.duckdb"


@pytest.fixture(scope="session")
def incremented_built(raw_incremented, workspace, tmp_path_factory) -> Path:
    """Base and increment loaded into a new bronze in one run, then built once (the first
    build sees every delivery at once); read-only like `built`."""

    def make(folder: Path) -> None:
        loaded = tmp_path_factory.mktemp("incremented_bronze")
        run_bronze(raw_incremented, loaded)
        workspace.checkout(loaded / "warehouse.duckdb")
        proc = workspace.transform()
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        workspace.save(folder)

    return once_per_run(tmp_path_factory, "incremented_built", make) / "warehouse.duckdb"


@pytest.fixture(scope="session")
def dbt_project_copy(workspace, tmp_path_factory):
    """A private copy of dbt/ to plant defects in (restored after each test), building the
    workspace's warehouse."""
    from dbt_runs import DbtProjectCopy

    return DbtProjectCopy(tmp_path_factory.mktemp("dbt_project") / "dbt", workspace)


# The BI tests' session fixtures (one published Gold, one app server, one browser).
from bi_support import bi_env, bi_server, bi_target, chromium  # noqa: E402, F401


@pytest.fixture(scope="session")
def built_target(bronze, built, tmp_path_factory) -> Path:
    """The session bronze target (lake, dlt folder) with the `built` warehouse and its published
    Gold in place of the bronze-only warehouse: what `make run` leaves, without another build.
    Read-only; tests copy it to change it."""

    def make(target: Path) -> None:
        shutil.copytree(bronze / "lake", target / "lake")
        for folder in ("pipelines", "gold"):
            shutil.copytree(built.parent / folder, target / folder, symlinks=True)
        shutil.copy(built, target / "warehouse.duckdb")

    return once_per_run(tmp_path_factory, "built_target", make)


# The order in which the workers take the test files (pytest-xdist --dist loadfile, with
# --no-loadscope-reorder in the Makefile): one work unit per file, but in `make test` the files
# that run dbt themselves (a test asks for the dbt workspace) are one unit, run by one worker
# (DbtFilesTogether): one started dbt and one parse of the project per session instead of one per
# worker (a full parse, on a first run, is about 15 s of CPU). The unit takes the place of
# test_gold.py: the first worker takes it and makes the raw dataset, bronze and the shared build
# (the chain every dbt test waits for); the second starts with the generator's files, which need
# no more than the raw dataset, so neither waits. Then the longest first, so that no worker is
# left alone with a long file at the end. Files not listed follow.
DBT_FILES = {"test_gold.py", "test_silver.py", "test_planted_defects.py", "test_dbt_unit_tests.py"}
FILE_ORDER = [
    "test_gold.py",
    "test_generator_cli.py",
    "test_generator_increment.py",
    "test_generator_realism.py",
    "test_generator_determinism.py",
    "test_generator_contract.py",
    "test_generator_anomalies.py",
    "test_generator_integrity.py",
    "test_silver.py",
    "test_planted_defects.py",
    "test_bi_browser.py",
    "test_bronze_operations.py",
    "test_lake_travel.py",
    "test_bronze_hostile.py",
    "test_bronze_load.py",
    "test_dbt_unit_tests.py",
    "test_main_job.py",
    "test_bi_app.py",
    "test_bronze_rerun.py",
    "test_schema_evolution.py",
    "test_bi_measures.py",
    "test_bronze_parts.py",
    "test_bronze_lake_files.py",
    "test_bronze_anomaly_log.py",
    "test_scheduled_run.py",
]
# `make test-drills`: the longest first, and beside it (while it makes the shared build) the
# drills that need only the raw dataset and bronze.
DRILL_FILE_ORDER = [
    "test_runbook_drills.py",
    "test_bronze_operations.py",
    "test_lake_optimize.py",
    "test_bronze_parts.py",
    "test_bronze_lake_files.py",
    "test_lake_travel.py",
    "test_bi_browser.py",
    "test_scheduled_run.py",
    "test_incremental_layers.py",
    "test_silver.py",
    "test_main_job.py",
    "test_scoped_data_tests.py",
]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    drills = config.option.markexpr == "drill"
    order = DRILL_FILE_ORDER if drills else FILE_ORDER
    rank = {name: i for i, name in enumerate(order)}
    items.sort(key=lambda item: rank.get(item.path.name, len(order)))  # stable: file order kept
    runs_dbt = {
        item.path.name
        for item in items
        if not item.get_closest_marker("drill") and {"workspace", "dbt_project_copy"} & set(item.fixturenames)
    }
    if not drills and runs_dbt - DBT_FILES:
        raise pytest.UsageError(f"{sorted(runs_dbt - DBT_FILES)} run dbt: add them to DBT_FILES in tests/conftest.py")


class DbtFilesTogether(LoadFileScheduling):
    """pytest-xdist's per-file scheduling, with the files of DBT_FILES as one work unit."""

    def _split_scope(self, nodeid: str) -> str:
        path = super()._split_scope(nodeid)
        return "dbt files" if Path(path).name in DBT_FILES else path


@pytest.hookimpl(tryfirst=True, optionalhook=True)  # before pytest-xdist's own choice; without xdist, unused
def pytest_xdist_make_scheduler(config: pytest.Config, log) -> LoadFileScheduling | None:
    if config.getvalue("dist") == "loadfile" and config.option.markexpr != "drill":
        return DbtFilesTogether(config, log)
    return None
