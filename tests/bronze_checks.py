"""Independent checks of a bronze target (warehouse + lake) against the raw files."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
from deltalake import DeltaTable

import duckdb
from schemas import SOURCES

TABLES = SOURCES  # bronze holds one table per raw source of the contract (schemas/), not its own list
DLT_COLUMNS = ("_dlt_load_id", "bronze_load_id")


def warehouse(target: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(target / "warehouse.duckdb"), read_only=True)


def raw_records(path: Path) -> int:
    """Records in a raw file, counted the plain way: non-empty lines (minus a CSV header)."""
    if path.suffix == ".parquet":
        return pq.ParquetFile(path).metadata.num_rows
    lines = [line for line in path.read_bytes().replace(b"\r\n", b"\n").split(b"\n") if line]
    return len(lines) - (1 if path.suffix == ".csv" else 0)


def manifest(target: Path) -> pl.DataFrame:
    with warehouse(target) as con:
        return con.sql("""SELECT * FROM bronze.file_manifest
                          QUALIFY row_number() OVER (PARTITION BY path ORDER BY finished_at DESC) = 1""").pl()


def fingerprint(con: duckdb.DuckDBPyConnection, relation: str, columns: list[str]) -> tuple[int, int]:
    """Row count and an order-independent hash of the given columns."""
    cols = ", ".join(f'"{c}"' for c in columns)
    return con.sql(f"SELECT count(*), coalesce(sum(hash({cols})::HUGEINT), 0) FROM {relation}").fetchone()


def data_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [r[0] for r in con.sql(f"DESCRIBE bronze.{table}").fetchall() if r[0] not in DLT_COLUMNS]


def three_destinations(target: Path, table: str) -> dict[str, tuple[int, int]]:
    lake = target / "lake" / "bronze"
    with warehouse(target) as con:
        columns = data_columns(con, table)
        out = {"duckdb": fingerprint(con, f"bronze.{table}", columns)}
        con.register("delta_rows", DeltaTable(lake / "delta" / table).to_pyarrow_table())
        out["delta"] = fingerprint(con, "delta_rows", columns)
        parquet = lake / "parquet" / table
        files = [str(p) for p in parquet.rglob("*.parquet")]
        out["parquet"] = fingerprint(con, f"read_parquet({files}, hive_partitioning = false)", columns)
    return out
