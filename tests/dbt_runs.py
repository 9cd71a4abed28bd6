"""Running the transform the ways a user does (the transform CLI, plain dbt) for the Silver
and Gold tests, at one fixed warehouse path, and a private copy of the dbt project to plant
defects in. Builds a test needs but does not test the command of (a scenario's nodes, a planted
defect's) run in the worker's started dbt (DbtServer), without a new dbt process's start-up."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from conftest import DBT_TARGET, ROOT

import duckdb

# The key of the email pseudonym in test builds (the transform reads TRANSFORM__PSEUDONYM_KEY
# like any dlt secret), so tests never create or read the developer's .dlt/secrets.toml.
TEST_PSEUDONYM_KEY = "0f" * 32
DBT = Path(sys.executable).parent / "dbt"
# dbt parses the whole project again (20-40 s here) whenever its parse state check differs from
# the saved one: the profile's values (the warehouse path among them) or the command's --profile
# flag, which dlt's runner passes and a dbt user does not. So every dbt run of a worker on dbt/
# uses one warehouse path (Workspace), and plain dbt keeps its own target folder beside the
# transform's: each kind of run finds its own saved parse state.
PLAIN_DBT_TARGET = DBT_TARGET.with_name(f"{DBT_TARGET.name}-plain")
TRANSFORM_PROFILE = ("--profiles-dir", ".", "--profile", "duckdb")  # as dlt's runner passes them
PLAIN_PROFILE = ("--profiles-dir", ".")  # a dbt user's: the project's default profile


def transform(
    warehouse: Path, *extra: str, env: dict | None = None, pipelines_dir: Path | None = None
) -> subprocess.CompletedProcess:
    """The transform CLI (dbt build through dlt's runner) on `warehouse` (dlt folder: beside it)."""
    return subprocess.run(
        [
            sys.executable,
            "pipelines/transform_pipeline.py",
            "--warehouse",
            str(warehouse),
            "--pipelines-dir",
            str(pipelines_dir or warehouse.parent / "pipelines"),
            *extra,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env or pipeline_env(),
    )


def pipeline_env(**extra: str) -> dict[str, str]:
    """The environment of a test's pipeline command: the user's, with the tests' pseudonym key, and `extra`."""
    return dict(os.environ, TRANSFORM__PSEUDONYM_KEY=TEST_PSEUDONYM_KEY, **extra)


def plain_dbt_env(warehouse: Path) -> dict[str, str]:
    """The environment of plain dbt on `warehouse`: what a dbt user sets, and plain dbt's target."""
    return dict(
        os.environ,
        RETAIL_WAREHOUSE=str(warehouse),
        DBT_ENV_SECRET_PSEUDONYM_KEY=TEST_PSEUDONYM_KEY,
        DBT_TARGET_PATH=str(PLAIN_DBT_TARGET),
    )


def query(warehouse: Path, sql: str, *params):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.sql(sql, params=list(params) or None).fetchall()


def copy_warehouse(source: Path, folder: Path) -> Path:
    """A copy of a warehouse and of the dlt folder beside it (the transform CLI opens it)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "warehouse.duckdb.wal").unlink(missing_ok=True)  # a killed run's log is not the copy's
    shutil.copy(source, folder / "warehouse.duckdb")
    if (folder / "pipelines").exists():
        shutil.rmtree(folder / "pipelines")
    if (source.parent / "pipelines").exists():
        shutil.copytree(source.parent / "pipelines", folder / "pipelines")
    return folder / "warehouse.duckdb"


class DbtServer:
    """The worker's started dbt (tests/dbt_server.py): it imports dbt and runs `first` (the
    workspace's parse) once, then each command in a process of its own forked from it, as
    `dbt <args>` would run in that folder and environment, 5-7 s of CPU sooner."""

    def __init__(self, first: list[str], env: dict[str, str], log: Path):
        self.log = log
        with open(log, "w") as errors:
            self.process = subprocess.Popen(
                [sys.executable, str(Path(__file__).with_name("dbt_server.py")), *first],
                cwd=ROOT / "dbt",
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=errors,
                text=True,
            )
        self.first_returncode: int | None = None

    def _answer(self) -> dict:
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the started dbt stopped (exit code {self.process.wait()}); see {self.log}")
        return json.loads(line)

    def ready(self) -> None:
        if self.first_returncode is None:
            self.first_returncode = self._answer()["ready"]
            assert self.first_returncode == 0, "dbt could not parse the project (run `dbt parse` in dbt/ to see why)"

    def run(self, args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
        self.ready()
        with tempfile.TemporaryDirectory() as folder:
            out, err = Path(folder, "stdout"), Path(folder, "stderr")
            request = {"args": list(args), "cwd": str(cwd), "env": env, "stdout": str(out), "stderr": str(err)}
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
            returncode = self._answer()["returncode"]
            return subprocess.CompletedProcess(["dbt", *args], returncode, out.read_text(), err.read_text())

    def close(self) -> None:
        self.process.stdin.close()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Workspace:
    """The one warehouse path every dbt run on dbt/ uses in a test session (of a worker), the
    same in every session: dbt parses the project again whenever the profile (which names the
    warehouse) changes, so a fixed path keeps its partial parsing from run to run. A test checks
    a warehouse out into it, or has its own warehouse hosted there while its commands run."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.warehouse = folder / "warehouse.duckdb"
        # dbt's parse of the project for this path (in the worker's started dbt, in the background
        # while the session's datasets are made): the first transform finds it saved. The same
        # profile, profile flag and secret as the transform's dbt (pipelines/dbt_build.py: dlt's
        # runner passes --profile duckdb).
        self.env = dict(
            os.environ, RETAIL_WAREHOUSE=str(self.warehouse.resolve()), DBT_ENV_SECRET_PSEUDONYM_KEY=TEST_PSEUDONYM_KEY
        )
        self.server = DbtServer(["parse", *TRANSFORM_PROFILE, "--quiet"], self.env, folder / "dbt_server.log")

    def parsed(self) -> None:
        """Wait for the background parse (a dbt run meanwhile would race it for the target folder)."""
        self.server.ready()

    def close(self) -> None:
        self.server.close()

    def checkout(self, source: Path) -> Path:
        self.parsed()
        return copy_warehouse(source, self.folder)

    def transform(self, *extra: str, env: dict | None = None) -> subprocess.CompletedProcess:
        self.parsed()
        return transform(self.warehouse, *extra, env=env)

    def dbt_executable(self, *args: str) -> subprocess.CompletedProcess:
        """`dbt <args>` as a dbt user types it in dbt/ (the `dbt` executable, the project's default
        profile), on the workspace's warehouse."""
        self.parsed()
        return subprocess.run(
            [str(DBT), *args, *PLAIN_PROFILE],
            cwd=ROOT / "dbt",
            env=plain_dbt_env(self.warehouse),
            capture_output=True,
            text=True,
        )

    def dbt(self, *args: str) -> subprocess.CompletedProcess:
        """The same command (dbt's command line entry, the user's flags, environment and target
        folder) in a process forked from the worker's started dbt: 5-7 s of CPU sooner. For tests
        of what dbt does with the project (freshness, docs), not of the `dbt` executable."""
        self.parsed()
        return self.server.run([*args, *PLAIN_PROFILE], ROOT / "dbt", plain_dbt_env(self.warehouse))

    def run_dbt(self, *args: str) -> subprocess.CompletedProcess:
        """`dbt <args>` on the workspace's warehouse as the transform's dbt runs it (its profile flag
        and target folder: it starts from the saved parse), in a process forked from the started
        dbt (DbtServer). For tests that need nodes built or tested, not the transform's own report."""
        self.parsed()
        return self.server.run([*args, *TRANSFORM_PROFILE], ROOT / "dbt", self.env)

    @contextmanager
    def hosting(self, warehouse: Path) -> Iterator[Path]:
        """`warehouse` and the Gold published beside it moved to the workspace's path for the
        commands run in the block (given the path yielded), and moved back after it. A warehouse
        the block creates is moved there too. The dlt folder stays put: pass its path."""
        self.parsed()
        moves = {
            warehouse: self.warehouse,
            warehouse.with_suffix(".duckdb.wal"): self.warehouse.with_suffix(".duckdb.wal"),
            warehouse.parent / "gold": self.folder / "gold",
        }
        for theirs, ours in moves.items():
            if ours.is_dir():  # the workspace's own, from an earlier test
                shutil.rmtree(ours)
            ours.unlink(missing_ok=True)
            if theirs.exists():
                shutil.move(theirs, ours)
        try:
            yield self.warehouse
        finally:
            for theirs, ours in moves.items():
                if ours.exists():
                    shutil.move(ours, theirs)

    def save(self, folder: Path) -> Path:
        """Keep the workspace's warehouse (a fixture's result) and the Gold its transforms
        published under `folder`."""
        if (self.folder / "gold").exists():
            shutil.copytree(self.folder / "gold", folder / "gold", symlinks=True)
        return copy_warehouse(self.warehouse, folder)


class DbtProjectCopy:
    """A copy of dbt/ whose files a test changes for one build (planted defects). Its dbt runs
    on the workspace's warehouse with the transform's profile flag, so that it starts from the
    workspace's saved parse instead of parsing the whole copy again (dbt re-parses only the files
    a test changed)."""

    def __init__(self, folder: Path, workspace: Workspace):
        shutil.copytree(
            ROOT / "dbt", folder, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages", ".user.yml")
        )
        self.folder = folder
        self.target = folder / "target"
        self.workspace = workspace

    @contextmanager
    def planted(self, *defects: tuple[str, str, str]):
        """The project with each (file, old, new) applied: `old` replaced by `new`; restored afterwards."""
        originals = {}
        try:
            for relative_path, old, new in defects:
                path = self.folder / relative_path
                originals.setdefault(path, path.read_text())
                text = path.read_text()
                assert old in text, f"{old!r} not in {relative_path}"
                path.write_text(text.replace(old, new))
            yield self
        finally:
            for path, text in originals.items():
                path.write_text(text)

    def checkout(self, source: Path) -> Path:
        """`source` copied to the workspace's warehouse, which the copy's dbt runs build."""
        return self.workspace.checkout(source)

    def dbt(self, *args: str) -> subprocess.CompletedProcess:
        saved_parse = self.target / "partial_parse.msgpack"
        if not saved_parse.exists():
            self.workspace.parsed()
            self.target.mkdir(exist_ok=True)
            shutil.copy(DBT_TARGET / saved_parse.name, saved_parse)
        env = dict(self.workspace.env, DBT_TARGET_PATH=str(self.target))
        return self.workspace.server.run([*args, *TRANSFORM_PROFILE], self.folder, env)


def failing_nodes(proc: subprocess.CompletedProcess) -> str:
    """dbt's summary lines of failed / errored nodes (for assertions and messages)."""
    return "\n".join(line for line in proc.stdout.splitlines() if " FAIL " in line or " ERROR " in line)
