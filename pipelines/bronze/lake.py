"""The Bronze lake: every bronze load copied to `lake/bronze/parquet/<table>/` and
`lake/bronze/delta/<table>/`, and its rejects to `lake/_rejects/<table>/`.

Rows come from the DuckDB bronze tables of that load, so the three destinations hold
identical rows by construction. Parquet is written by DuckDB's partitioned COPY (dlt's
filesystem destination lays Parquet out per load, not by data values); Delta by dlt's
filesystem destination with the Delta table format, so merges, hard deletes and schema
evolution are Delta transactions.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import dlt

import duckdb
from pipelines.bronze.settings import RETURNS_DELETED, TABLES

OPS_EXPORTS = "ops.lake_exports"
DELTA_BATCH_ROWS = 500_000


def bronze_tables(con: duckdb.DuckDBPyConnection, dataset: str) -> set[str]:
    return {
        r[0]
        for r in con.sql(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = ?", params=[dataset]
        ).fetchall()
    }


def completed_loads(con: duckdb.DuckDBPyConnection, dataset: str) -> list[str]:
    if "_dlt_loads" not in bronze_tables(con, dataset):
        return []
    return [
        r[0] for r in con.sql(f"SELECT load_id FROM {dataset}._dlt_loads WHERE status = 0 ORDER BY load_id").fetchall()
    ]


def tables_in_load(con: duckdb.DuckDBPyConnection, dataset: str, load_id: str) -> list[str]:
    present = bronze_tables(con, dataset)
    names = [t for t in list(TABLES) + ["returns_changes", "rejects"] if t in present]
    return [
        t
        for t in names
        if con.sql(f"SELECT 1 FROM {dataset}.{t} WHERE _dlt_load_id = ? LIMIT 1", params=[load_id]).fetchone()
    ]


def export_parquet(con: duckdb.DuckDBPyConnection, dataset: str, lake: Path) -> list[tuple[str, str, int]]:
    """Copy every bronze load not yet exported; returns (load_id, table, rows) written.

    A load is recorded in `ops.lake_exports` only once all its tables are copied, and a
    re-run after a crash rewrites the same file names: a load is never copied twice or half.
    Tables merged by key are kept as one current snapshot, refreshed whenever bronze has a
    newer load of them than the snapshot.
    """
    con.sql("CREATE SCHEMA IF NOT EXISTS ops")
    con.sql(
        f"CREATE TABLE IF NOT EXISTS {OPS_EXPORTS} (load_id VARCHAR, target VARCHAR, table_name VARCHAR, "
        "rows BIGINT, exported_at TIMESTAMPTZ DEFAULT now())"
    )
    done = {r[0] for r in con.sql(f"SELECT DISTINCT load_id FROM {OPS_EXPORTS} WHERE target = 'parquet'").fetchall()}
    written = []
    for load_id in completed_loads(con, dataset):
        if load_id in done:
            continue
        copied = []
        for table in tables_in_load(con, dataset, load_id):
            where = f"FROM {dataset}.{table} WHERE _dlt_load_id = '{load_id}'"
            rows = con.sql(f"SELECT count(*) {where}").fetchone()[0]
            if table == "rejects":
                for name in [r[0] for r in con.sql(f"SELECT DISTINCT table_name {where}").fetchall()]:
                    target = lake / "_rejects" / name
                    target.mkdir(parents=True, exist_ok=True)
                    con.sql(
                        f"COPY (SELECT * {where} AND table_name = '{name}') TO "
                        f"'{target / f'load_{load_id}.parquet'}' (FORMAT parquet)"
                    )
            elif table != "returns_changes" and TABLES[table].write_disposition != "merge":
                _copy_append(con, dataset, table, load_id, lake / "bronze" / "parquet" / table)
            copied.append((load_id, table, rows))
        con.executemany(
            f"INSERT INTO {OPS_EXPORTS} (load_id, target, table_name, rows) VALUES (?, 'parquet', ?, ?)",
            [list(c) for c in copied] or [[load_id, None, 0]],
        )
        written.extend(copied)
    _refresh_snapshots(con, dataset, lake)
    return written


def _refresh_snapshots(con: duckdb.DuckDBPyConnection, dataset: str, lake: Path) -> None:
    present = bronze_tables(con, dataset)
    # Any newer bronze load may have changed a merged table (a load of deletes adds no row).
    loads = completed_loads(con, dataset)
    newest = loads[-1] if loads else None
    for table, spec in TABLES.items():
        if spec.write_disposition != "merge" or table not in present:
            continue
        target = lake / "bronze" / "parquet" / table
        marker = target / "_snapshot_load_id"
        if marker.exists() and marker.read_text() == str(newest) and (target / "snapshot.parquet").exists():
            continue
        _copy_snapshot(con, dataset, table, target)
        marker.write_text(str(newest))


def _copy_append(con, dataset: str, table: str, load_id: str, target: Path) -> None:
    spec = TABLES[table]
    target.mkdir(parents=True, exist_ok=True)
    query = f"SELECT * FROM {dataset}.{table} WHERE _dlt_load_id = '{load_id}'"
    if spec.partition_columns:
        cols = ", ".join(spec.partition_columns)
        con.sql(
            f"COPY ({query}) TO '{target}' (FORMAT parquet, PARTITION_BY ({cols}), WRITE_PARTITION_COLUMNS true, "
            f"FILENAME_PATTERN 'load_{load_id}_{{i}}', OVERWRITE_OR_IGNORE true)"
        )
    else:
        con.sql(f"COPY ({query}) TO '{target / f'load_{load_id}.parquet'}' (FORMAT parquet)")


def _copy_snapshot(con, dataset: str, table: str, target: Path) -> None:
    """Tables merged by key are kept as one current snapshot (written aside, then swapped in)."""
    target.mkdir(parents=True, exist_ok=True)
    tmp = target / "snapshot.parquet.tmp"
    con.sql(f"COPY (SELECT * FROM {dataset}.{table}) TO '{tmp}' (FORMAT parquet)")
    tmp.replace(target / "snapshot.parquet")


def pending_lake_loads(warehouse: str, exported: list[str], dataset: str = "bronze") -> list[str]:
    """Completed bronze loads not yet in the Delta lake, oldest first."""
    with duckdb.connect(warehouse, read_only=True) as con:
        return [lid for lid in completed_loads(con, dataset) if lid not in set(exported)]


@dlt.source(name="retail_bronze_lake", max_table_nesting=0)
def bronze_lake(warehouse: str, load_id: str, dataset: str = "bronze") -> list:
    """One bronze load read back from the warehouse, for the Delta lake.

    One lake load per bronze load keeps Delta's history in the same order as bronze:
    each returns version becomes its own merge, each dimension change its own upsert.

    Args:
        warehouse: the DuckDB file holding the bronze dataset.
        load_id: the bronze load to copy.
        dataset: the bronze schema name.

    Returns:
        A resource per table the load touched; `bronze_load_id` carries the warehouse
        load id (the lake load has its own `_dlt_load_id`). The load id is added to the
        source state `exported_loads`, committed with the lake's load package.
    """
    with duckdb.connect(warehouse, read_only=True) as con:
        tables = tables_in_load(con, dataset, load_id)
    resources = [
        delta_table(warehouse, dataset, t, load_id)
        for t in TABLES
        if (t == "returns" and "returns_changes" in tables) or (t != "returns" and t in tables)
    ]
    return resources + [_mark_exported(load_id)]


def delta_table(warehouse: str, dataset: str, table: str, load_id: str):
    """One bronze table's rows of one load (returns: its change log), in bounded batches.

    Args:
        warehouse: the DuckDB file.
        dataset: the bronze schema.
        table: the table to copy.
        load_id: the bronze load to copy.

    Returns:
        A Delta resource: append for facts, upsert by primary key for dimensions, and
        upsert with hard deletes for returns.
    """
    spec = TABLES[table]
    source_table = "returns_changes" if table == "returns" else table

    def rows() -> Iterator:
        with duckdb.connect(warehouse, read_only=True) as con:
            reader = con.execute(
                f"SELECT * RENAME (_dlt_load_id AS bronze_load_id) FROM {dataset}.{source_table} "
                f"WHERE _dlt_load_id = ?",
                [load_id],
            ).fetch_record_batch(DELTA_BATCH_ROWS)
            yield from reader

    columns = {c: {"partition": True} for c in spec.partition_columns}
    if table == "returns":
        columns[RETURNS_DELETED] = {"hard_delete": True}
    disposition = {"disposition": "merge", "strategy": "upsert"} if spec.write_disposition == "merge" else "append"
    return dlt.resource(
        rows,
        name=table,
        table_format="delta",
        write_disposition=disposition,
        primary_key=list(spec.primary_key) or None,
        columns=columns or None,
    )


def _mark_exported(load_id: str):
    def mark() -> Iterator:
        dlt.current.source_state().setdefault("exported_loads", []).append(load_id)
        yield from ()

    return dlt.resource(mark, name="mark_exported")


def remove_lake(lake: Path) -> None:
    for sub in ("bronze/parquet", "bronze/delta", "_rejects"):
        path = lake / sub
        if path.exists():
            shutil.rmtree(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / ".gitkeep").touch()


def exported_loads(pipeline: dlt.Pipeline) -> list[str]:
    """Bronze load ids the lake pipeline has committed (its source state)."""
    try:
        return list(pipeline.state["sources"]["retail_bronze_lake"]["exported_loads"])
    except KeyError:
        return []
