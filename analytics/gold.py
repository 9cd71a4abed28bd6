"""The published Gold the app reads: the current build under `lake/gold/` (written by
pipelines/publish_gold.py after every transform) and an in-process DuckDB connection on its
Parquet files. The app never opens the warehouse, so it cannot block a pipeline.

Row-level security lives here, where every query's relations come from: a connection for a
store manager holds only the rows of their stores (copied into memory), and then loses all file
access (`enable_external_access = false`, configuration locked). No SQL a page builds can reach
another store's rows, and relations that are not per store (pipeline audit, business views
aggregated over every store) do not exist in it.
"""

from __future__ import annotations

import json
import os
import re
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd

import duckdb
from pipelines.publish_gold import READER_RELATIONS, current_build, gold_dir_for
from pipelines.warehouse import configured_warehouse

# Relations every page needs; a build without them is not a usable Gold.
REQUIRED = ("fct_sales", "dim_date", "dim_store", "dim_product", "dim_customer")
# Facts and dimensions a store manager may see, with the column that names the store.
STORE_SCOPED = {
    "fct_sales": "store_key",
    "fct_returns": "store_key",
    "fct_shipments": "store_key",
    "fct_sensor_readings": "store_key",
    "dim_store": "store_key",
}
# Reference data with no store in it: the same for everyone.
SHARED = ("dim_date", "dim_product", "dim_supplier", "public_holidays")
# Small relations are loaded into memory once per build; facts (and the 80,000 customers at scale
# 1.0, read by one page only) stay Parquet views, so the first connection costs no scan.
IN_MEMORY = ("dim_date", "dim_product", "dim_store", "dim_supplier", "public_holidays")


class GoldUnavailable(Exception):
    """No usable published Gold; the message tells the user what to run."""


class AccessDenied(Exception):
    """A store-scoped user asked for data that is not per store."""


@dataclass(frozen=True)
class Build:
    build_id: str
    folder: Path
    published_at: datetime
    rows: dict[str, int] = field(hash=False, compare=False)

    def path(self, relation: str) -> Path:
        return self.folder / f"{relation}.parquet"

    @property
    def relations(self) -> list[str]:
        return sorted(p.stem for p in self.folder.glob("*.parquet"))


@dataclass(frozen=True)
class Scope:
    """Which stores a user may see (store keys; None = every store) and their names to show."""

    store_keys: frozenset[int] | None = None
    labels: tuple[str, ...] = field(default=(), hash=False, compare=False)

    @property
    def everything(self) -> bool:
        return self.store_keys is None

    @property
    def key(self) -> str:
        return "all" if self.store_keys is None else ",".join(map(str, sorted(self.store_keys)))


EVERYTHING = Scope()


def gold_dir() -> Path:
    """The folder the project's transform publishes to (GOLD__PUBLISH_DIR overrides)."""
    return gold_dir_for(configured_warehouse())


def current(folder: Path | None = None) -> Build:
    """The build `current` points at; GoldUnavailable with the fix when there is none."""
    folder = folder or gold_dir()
    build = current_build(folder)
    if build is None:
        raise GoldUnavailable(
            f"No published Gold in {folder}. Run `make run` first (it builds the warehouse and publishes Gold), "
            "then reload this page."
        )
    try:
        meta = json.loads((build / "_build.json").read_text())
    except (OSError, ValueError) as exc:
        raise GoldUnavailable(f"The Gold build in {build} is unreadable ({exc}). Run `make transform` again.") from exc
    missing = [name for name in REQUIRED if not (build / f"{name}.parquet").exists()]
    if missing:
        raise GoldUnavailable(
            f"The Gold build {meta['build_id']} lacks {', '.join(missing)}. Run `make transform` to publish it again."
        )
    return Build(meta["build_id"], build, datetime.fromisoformat(meta["published_at"]), meta.get("rows", {}))


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def connect(build: Build, scope: Scope = EVERYTHING) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection whose relations are the build's, as the scope allows, plus
    the reader relations (`sales_lines`, `sales_daily`, `sensor_daily`: pipelines/publish_gold.py).
    Every store's are the published files, read in place (the connection costs no start-up
    scan); a store manager's are computed from their own rows by the same SQL."""
    con = duckdb.connect(config={"threads": min(4, os.cpu_count() or 1), "memory_limit": "2GB"})
    con.execute("SET TimeZone = 'UTC'")
    # Every query of a page reads the same few files: their footers are parsed once.
    con.execute("SET parquet_metadata_cache = true")
    if scope.everything:
        for name in build.relations:
            source = f"read_parquet('{_sql_path(build.path(name))}')"
            kind = "TABLE" if name in IN_MEMORY else "VIEW"
            con.execute(f'CREATE {kind} "{name}" AS SELECT * FROM {source}')
        for name, select in READER_RELATIONS.items():
            if not build.path(name).exists():  # a build published before readers had it
                con.execute(f"CREATE TABLE {name} AS {select}")
        return con
    keys = sorted(scope.store_keys or ())
    for name, column in STORE_SCOPED.items():
        if build.path(name).exists():
            con.execute(
                f"CREATE TABLE {name} AS SELECT * FROM read_parquet('{_sql_path(build.path(name))}') "
                f"WHERE {column} IN (SELECT unnest($keys::BIGINT[]))",
                {"keys": keys},
            )
    for name in SHARED:
        if build.path(name).exists():
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_parquet('{_sql_path(build.path(name))}')")
    # Customers who bought, shipped or returned in these stores, and no one else.
    con.execute(
        f"""CREATE TABLE dim_customer AS SELECT * FROM read_parquet('{_sql_path(build.path("dim_customer"))}')
            WHERE customer_key IN (SELECT customer_key FROM fct_sales UNION SELECT customer_key FROM fct_shipments
                                   UNION SELECT customer_key FROM fct_returns)"""
    )
    for name, select in READER_RELATIONS.items():
        con.execute(f"CREATE TABLE {name} AS {select}")
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    return con


Runner = Callable[[str, dict | None], pd.DataFrame]


def fetch(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None) -> pd.DataFrame:
    """A query's result as pandas (decimals as floats), on a cursor of its own (thread-safe)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # DuckDB 1.5 uses a keyword pandas 3.1 deprecates
        return con.cursor().execute(sql, params or {}).df()


class Gold:
    """Queries over one build for one scope. `frame` runs SQL over the Gold relation names
    (fct_sales, dim_store, ...); the app passes a runner that caches results per build."""

    def __init__(self, build: Build, scope: Scope, runner: Runner | None = None):
        self.build, self.scope = build, scope
        self._con: duckdb.DuckDBPyConnection | None = None
        self._runner = runner or self._run

    def _run(self, sql: str, params: dict | None = None) -> pd.DataFrame:
        if self._con is None:
            self._con = connect(self.build, self.scope)
        return fetch(self._con, sql, params)

    def require_everything(self, what: str) -> None:
        if not self.scope.everything:
            raise AccessDenied(f"{what} covers every store: it is not available to a store-scoped account.")

    def has(self, relation: str) -> bool:
        return self.build.path(relation).exists()

    def frame(self, sql: str, params: dict | None = None) -> pd.DataFrame:
        """Run the SQL with the parameters it names (DuckDB refuses unused ones)."""
        used = set(re.findall(r"\$(\w+)", sql))
        return self._runner(sql, {k: v for k, v in (params or {}).items() if k in used})

    def scalar(self, sql: str, params: dict | None = None):
        df = self.frame(sql, params)
        if df.empty:
            return None
        value = df.iat[0, 0]
        return None if pd.isna(value) else value


def main() -> int:
    """`python -m analytics.gold`: say which Gold build the app would show (exit 2 when none)."""
    try:
        build = current()
    except GoldUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"Gold build {build.build_id}, published {build.published_at:%Y-%m-%d %H:%M:%S} UTC, in {build.folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
