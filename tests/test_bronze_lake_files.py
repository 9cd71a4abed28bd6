"""The lake's appended rows are written once: the local Delta lake commits the Parquet lake's own
files (hard links), each load once, even when a run is killed between two tables' commits."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from conftest import copy_bronze, run_bronze
from deltalake import DeltaTable
from test_bronze_operations import assert_exactly_once

APPENDED = ("orders_header", "orders_lines", "events", "sensors", "shipments")


def inodes(paths) -> set[int]:
    return {Path(p).stat().st_ino for p in paths}


def test_delta_commits_the_parquet_lakes_files(bronze):
    lake = bronze / "lake" / "bronze"
    for table in APPENDED:
        delta_files = [uri.removeprefix("file://") for uri in DeltaTable(lake / "delta" / table).file_uris()]
        assert delta_files, table
        assert inodes(delta_files) == inodes((lake / "parquet" / table).rglob("*.parquet")), table


@pytest.mark.drill  # a bronze run of its own: make test-drills
def test_run_killed_between_two_delta_commits_commits_each_load_once(raw_incremented, bronze, tmp_path):
    target = copy_bronze(bronze, tmp_path / "t")
    env = dict(os.environ, RETAIL_BRONZE_CRASH_AT="delta_commit")
    killed = run_bronze(raw_incremented, target, env=env, check=False)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    run_bronze(raw_incremented, target)
    assert_exactly_once(raw_incremented, target)
