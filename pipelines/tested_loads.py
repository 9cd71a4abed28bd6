"""Which bronze loads the data tests have passed on: after every successful build of every node,
the transform records the newest bronze load that build read (`transform.tested_loads`, one row
per build). The next incremental build of every node tests only the rows of newer loads, where
a test's meaning allows it (dbt/macros/rows_under_test.sql, docs/decisions.md §29). A failed
build records nothing, so the next one tests the same loads again."""

from __future__ import annotations

from pathlib import Path

from pipelines.bronze.tables import DATASET
from pipelines.warehouse import has_table, open_warehouse, scalar

SCHEMA = "transform"
TABLE = f"{SCHEMA}.tested_loads"
# dbt reads it (dbt/macros/rows_under_test.sql): set, generic tests scope to newer loads.
ENV_VAR = "RETAIL_TESTS_AFTER_LOAD"


def loads_to_test(warehouse: Path) -> tuple[str | None, str | None]:
    """(the newest bronze load a successful build of every node tested, None before the first
    such build; the newest bronze load now, which the coming build will test)."""
    with open_warehouse(warehouse, read_only=True) as con:
        tested = (
            scalar(con, f"SELECT max(tested_through) FROM {TABLE}") if has_table(con, SCHEMA, "tested_loads") else None
        )
        newest = (
            scalar(con, f"SELECT max(load_id) FROM {DATASET}._dlt_loads WHERE status = 0")
            if has_table(con, DATASET, "_dlt_loads")
            else None
        )
    return tested, newest


def record_tested(warehouse: Path, load_id: str | None) -> None:
    """A build of every node passed on the loads up to `load_id`."""
    if load_id is None:
        return
    with open_warehouse(warehouse) as con:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
        con.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (tested_through VARCHAR NOT NULL, tested_at TIMESTAMPTZ)")
        con.execute(f"INSERT INTO {TABLE} VALUES (?, now())", [load_id])
