"""The Delta tables the lake commands address: where they live, how their rows are keyed,
and how a version is named on the command line (a number, a timestamp, `latest`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from deltalake import DeltaTable

import duckdb
import schemas
from pipelines.lake_layout import lake_folders

RAW_RETURNS = "raw.returns"
BRONZE_PREFIX = "bronze."
# A bronze row's raw file and line: unique in bronze even where the business key is not
# (orders keep their duplicate order_ids for Silver to resolve; events and sensors have no key).
LINEAGE_KEY = ("src_filename", "src_line")
# The lake's own load bookkeeping; the bronze load a lake row came from is `bronze_load_id`.
TECHNICAL_COLUMNS = ("_dlt_load_id", "_dlt_id")
WAREHOUSE = "warehouse"  # a version reference meaning "what DuckDB bronze holds now"

EXIT_DIFFERENT = 1
EXIT_USAGE = 2
EXIT_BUSY = 3
EXIT_REFUSED = 4
EXIT_FAILED = 5


class LakeError(Exception):
    """A failure the user can act on: one line, and the exit code that says what kind."""

    def __init__(self, message: str, exit_code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True)
class Paths:
    """Where the commands work: the raw folder, the warehouse, and the three lake folders
    (`lake` is the root named in messages)."""

    raw: Path
    warehouse: Path
    lake: Path
    delta: Path
    parquet: Path
    rejects: Path

    @classmethod
    def under(cls, raw: Path, lake: Path, warehouse: Path) -> Paths:
        """A lake laid out as bronze's `--lake DIR` lays it out."""
        folders = lake_folders(lake)
        return cls(raw, warehouse, lake, folders.delta, folders.parquet, folders.rejects)


@dataclass(frozen=True)
class LakeTable:
    name: str  # raw.returns | bronze.<table>
    path: Path
    key: tuple[str, ...]  # the primary key of schemas/ (empty: none)
    warehouse_table: str  # the DuckDB table bronze keeps of it

    @property
    def is_bronze(self) -> bool:
        return self.name.startswith(BRONZE_PREFIX)


def bronze_delta_tables(paths: Paths) -> list[str]:
    """Tables of the bronze Delta lake (dlt's own `_dlt_*` bookkeeping folders are not Delta tables)."""
    if not paths.delta.is_dir():
        return []
    return sorted(p.name for p in paths.delta.iterdir() if (p / "_delta_log").is_dir())


def resolve(name: str, paths: Paths) -> LakeTable:
    if name == RAW_RETURNS:
        table = LakeTable(name, paths.raw / "returns", schemas.PRIMARY_KEYS["returns"], "bronze.returns")
    elif name.startswith(BRONZE_PREFIX) and name[len(BRONZE_PREFIX) :]:
        short = name[len(BRONZE_PREFIX) :]
        table = LakeTable(name, paths.delta / short, schemas.PRIMARY_KEYS.get(short, ()), f"bronze.{short}")
    else:
        raise LakeError(f"unknown table {name!r}: name one of {', '.join(known_tables(paths)) or RAW_RETURNS}")
    if not DeltaTable.is_deltatable(str(table.path)):
        raise LakeError(
            f"{name}: no Delta table at {table.path}"
            + (f" (known: {', '.join(known_tables(paths))})" if known_tables(paths) else "")
        )
    return table


def known_tables(paths: Paths) -> list[str]:
    names = [BRONZE_PREFIX + t for t in bronze_delta_tables(paths)]
    return ([RAW_RETURNS] if DeltaTable.is_deltatable(str(paths.raw / "returns")) else []) + names


def commits(table: LakeTable) -> list[dict]:
    """The table's commits, oldest first."""
    return sorted(DeltaTable(table.path).history(), key=lambda h: h["version"])


def committed_at(commit: dict) -> datetime:
    return datetime.fromtimestamp(commit["timestamp"] / 1000, UTC)


def resolve_version(table: LakeTable, ref: str) -> int:
    """A version number from `latest`, a number, or a timestamp (the version current at that time)."""
    history = commits(table)
    versions = [c["version"] for c in history]
    if ref == "latest":
        return versions[-1]
    if ref.isdigit():
        version = int(ref)
        if version not in versions:
            raise LakeError(f"{table.name} has versions {versions[0]}..{versions[-1]}; there is no version {version}")
        return version
    try:
        when = datetime.fromisoformat(ref.replace(" UTC", "").replace("Z", "+00:00"))
    except ValueError:
        raise LakeError(
            f"{ref!r} is neither a version number, `latest`, nor a timestamp (e.g. 2026-01-31T18:00:00Z)"
        ) from None
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    before = [c["version"] for c in history if committed_at(c) <= when]
    if not before:
        raise LakeError(
            f"{table.name} did not exist at {when:%Y-%m-%d %H:%M:%S} UTC "
            f"(version {versions[0]} was committed at {committed_at(history[0]):%Y-%m-%d %H:%M:%S} UTC)"
        )
    return before[-1]


def open_version(table: LakeTable, version: int) -> DeltaTable:
    """The table as of `version`, refused with a clear reason when VACUUM removed its files."""
    dt = DeltaTable(table.path, version=version)
    missing = [uri for uri in dt.file_uris() if not Path(uri.removeprefix("file://")).exists()]
    if missing:
        raise LakeError(
            f"version {version} of {table.name} can no longer be read: {len(missing)} of its data files were "
            "removed by VACUUM (versions older than the retention period cannot be read or restored)"
        )
    return dt


def quoted(columns) -> str:
    return ", ".join(f'"{c}"' for c in columns)


def one_row(con: duckdb.DuckDBPyConnection, sql: str) -> tuple:
    """The single row an aggregate query returns."""
    row = con.sql(sql).fetchone()
    assert row is not None, sql
    return row
