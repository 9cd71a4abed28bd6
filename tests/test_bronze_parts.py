"""A large append-only table is read by several resources at once (`resource_mb`): the same
rows as one resource per table, each raw file read once, in DuckDB, Parquet and Delta alike."""

from __future__ import annotations

import os
import re

import pytest
from bronze_checks import TABLES, manifest, three_destinations
from conftest import run_bronze


@pytest.mark.drill  # a bronze run of its own: make test-drills
def test_tables_read_in_parts_load_the_same_rows(raw, bronze, tmp_path):
    target = tmp_path / "t"
    env = dict(os.environ, SOURCES__RETAIL_BRONZE__RESOURCE_MB="0.05")  # parts of ~50 KB of raw files
    proc = run_bronze(raw, target, env=env)
    resources = {line.split()[0] for line in proc.stderr.splitlines() if line.startswith("  ") and " files " in line}
    # The progress lines show some parts, not necessarily each one: a table is split when a
    # resource named <table>_<k>_of_<n> with n > 1 shows.
    for table in ("sensors", "events", "orders_lines"):
        parts = {int(r.rsplit("_of_", 1)[1]) for r in resources if re.fullmatch(rf"{table}_\d+_of_\d+", r)}
        assert parts and min(parts) > 1, (table, sorted(resources))
    split, whole = manifest(target), manifest(bronze)
    assert split.height == whole.height and split["path"].n_unique() == split.height  # every file once
    assert sorted(split["rows_loaded"].to_list()) == sorted(whole["rows_loaded"].to_list())
    for table in TABLES:
        prints = three_destinations(target, table)
        assert prints["duckdb"] == prints["delta"] == prints["parquet"], table
        assert prints["duckdb"][0] == three_destinations(bronze, table)["duckdb"][0], table
