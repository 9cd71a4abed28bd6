"""Time travel on a Delta table: read a version, diff two versions by primary key, restore.

Versions are compared in DuckDB over Arrow datasets (no Python loop over rows). One side
of a diff may be the warehouse: what DuckDB bronze holds now, the source of truth the lake
is copied from.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
from pipelines.lake.tables import (
    EXIT_BUSY,
    EXIT_FAILED,
    LINEAGE_KEY,
    TECHNICAL_COLUMNS,
    WAREHOUSE,
    LakeError,
    LakeTable,
    one_row,
    open_version,
    quoted,
)

SAMPLE_KEYS = 5


@dataclass(frozen=True)
class Side:
    label: str  # how the output names it: "version 3", "DuckDB bronze.returns"
    relation: str  # a SQL relation on the comparing connection
    columns: dict[str, str]  # name -> DuckDB type
    from_warehouse: bool


@dataclass
class Diff:
    old: Side
    new: Side
    key: tuple[str, ...]
    old_rows: int
    new_rows: int
    added: int
    removed: int
    changed: int
    changed_by_column: dict[str, int]
    samples: dict[str, list[tuple]]
    compared: list[str]
    notes: list[str] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        return not (self.added or self.removed or self.changed)


def connect() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with bounded memory that spills to a private temporary folder."""
    return duckdb.connect(config={"memory_limit": "1GB", "temp_directory": tempfile.mkdtemp(prefix="lake_duckdb_")})


def side(con: duckdb.DuckDBPyConnection, table: LakeTable, ref: str | int, warehouse: Path, alias: str) -> Side:
    """Register one side of a comparison: a Delta version (a number) or `warehouse`."""
    if ref == WAREHOUSE:
        attach_warehouse(con, warehouse)
        # Bronze's own load id is what the lake calls bronze_load_id.
        rename = " RENAME (_dlt_load_id AS bronze_load_id)" if table.is_bronze else ""
        relation = f"(SELECT *{rename} FROM wh.{table.warehouse_table})"
        label = f"DuckDB {table.warehouse_table}"
        try:
            columns = describe(con, relation)
        except duckdb.CatalogException:
            raise LakeError(f"the warehouse {warehouse} has no table {table.warehouse_table}") from None
    else:
        con.register(alias, open_version(table, int(ref)).to_pyarrow_dataset())
        relation, label = alias, f"version {ref}"
        columns = describe(con, relation)
    return Side(label, relation, columns, ref == WAREHOUSE)


def attach_warehouse(con: duckdb.DuckDBPyConnection, warehouse: Path) -> None:
    if one_row(con, "SELECT count(*) FROM duckdb_databases() WHERE database_name = 'wh'")[0]:
        return
    if not warehouse.is_file():
        raise LakeError(f"no warehouse at {warehouse}: run bronze first")
    try:
        con.sql(f"ATTACH '{warehouse}' AS wh (READ_ONLY)")
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise LakeError(f"the warehouse {warehouse} is in use by another process; try again", EXIT_BUSY) from None
        raise LakeError(f"cannot open the warehouse {warehouse}: {str(exc).splitlines()[0]}", EXIT_FAILED) from None


def describe(con: duckdb.DuckDBPyConnection, relation: str) -> dict[str, str]:
    return {r[0]: r[1] for r in con.sql(f"DESCRIBE SELECT * FROM {relation}").fetchall()}


def compare(con: duckdb.DuckDBPyConnection, table: LakeTable, old: Side, new: Side) -> Diff:
    """Rows added, removed and changed from `old` to `new`, matched by the table's primary key.

    Between two versions every column is compared (a column one version lacks reads as NULL,
    as Delta reads it); against the warehouse only the columns both sides have (bronze adds
    audit columns to raw returns). The lake's own `_dlt_load_id` is never compared.
    """
    notes: list[str] = []
    if old.from_warehouse or new.from_warehouse:
        names = [c for c in new.columns if c in old.columns]
        for label, only in ((old.label, set(old.columns) - set(names)), (new.label, set(new.columns) - set(names))):
            if only - set(TECHNICAL_COLUMNS):
                notes.append(f"not compared, only in {label}: {', '.join(sorted(only - set(TECHNICAL_COLUMNS)))}")
    else:
        names = list(old.columns) + [c for c in new.columns if c not in old.columns]
        for label, missing in ((old.label, set(names) - set(old.columns)), (new.label, set(names) - set(new.columns))):
            if missing:
                notes.append(f"columns absent from {label} (read as NULL): {', '.join(sorted(missing))}")
    names = [c for c in names if c not in TECHNICAL_COLUMNS]
    key = choose_key(con, table, old, new, notes)
    compared = [c for c in names if c not in key]

    def select(s: Side) -> str:
        cols = []
        for c in key + tuple(compared):
            typed = old.columns.get(c) == new.columns.get(c)
            expr = f'"{c}"' if c in s.columns else "NULL"
            cols.append(f'{expr}{"" if typed else "::VARCHAR"} AS "{c}"')
        return f"SELECT {', '.join(cols)}, TRUE AS _present FROM {s.relation}"

    on = " AND ".join(f'o."{k}" = n."{k}"' for k in key)
    flags = ", ".join(f'(o."{c}" IS DISTINCT FROM n."{c}") AS "d_{c}"' for c in compared)
    keys = ", ".join(f'coalesce(o."{k}", n."{k}") AS "{k}"' for k in key)
    con.sql("DROP TABLE IF EXISTS lake_diff")
    con.sql(f"""
        CREATE TEMP TABLE lake_diff AS
        SELECT {keys}, o._present IS NOT NULL AS in_old, n._present IS NOT NULL AS in_new{", " + flags if flags else ""}
        FROM ({select(old)}) o FULL OUTER JOIN ({select(new)}) n ON {on}
    """)
    any_change = " OR ".join(f'"d_{c}"' for c in compared) or "FALSE"
    conditions = {
        "added": "in_new AND NOT in_old",
        "removed": "in_old AND NOT in_new",
        "changed": f"in_old AND in_new AND ({any_change})",
    }
    per_column = "".join(f', count(*) FILTER (in_old AND in_new AND "d_{c}")' for c in compared)
    counts = one_row(
        con,
        f"SELECT count(*) FILTER (in_old), count(*) FILTER (in_new), "
        f"{', '.join(f'count(*) FILTER ({cond})' for cond in conditions.values())}{per_column} FROM lake_diff",
    )
    order = quoted(key)
    samples = {
        name: con.sql(f"SELECT {order} FROM lake_diff WHERE {cond} ORDER BY {order} LIMIT {SAMPLE_KEYS}").fetchall()
        for name, cond in conditions.items()
    }
    by_column = {c: n for c, n in zip(compared, counts[5:], strict=True) if n}
    old_rows, new_rows, added, removed, changed = counts[:5]
    return Diff(old, new, key, old_rows, new_rows, added, removed, changed, by_column, samples, compared, notes)


def choose_key(con: duckdb.DuckDBPyConnection, table: LakeTable, old: Side, new: Side, notes: list[str]) -> tuple:
    """The table's primary key when it identifies rows on both sides, else bronze's lineage key."""
    lineage_usable = all(c in old.columns and c in new.columns for c in LINEAGE_KEY)
    key = table.key
    if key and all(c in old.columns and c in new.columns for c in key):
        duplicated = [s.label for s in (old, new) if duplicate_keys(con, s, key)]
        if not duplicated:
            return key
        if not lineage_usable:
            raise LakeError(f"{table.name}: key ({', '.join(key)}) is not unique in {' and '.join(duplicated)}")
        notes.append(
            f"key ({', '.join(key)}) is not unique in {' and '.join(duplicated)} (bronze keeps duplicates for Silver): "
            f"rows matched by their raw file and line instead"
        )
        return LINEAGE_KEY
    if lineage_usable:
        notes.append(f"{table.name} has no primary key: rows matched by their raw file and line")
        return LINEAGE_KEY
    raise LakeError(f"{table.name}: no key to match rows by")


def duplicate_keys(con: duckdb.DuckDBPyConnection, s: Side, key: tuple[str, ...]) -> int:
    return one_row(
        con, f"SELECT count(*) FROM (SELECT {quoted(key)} FROM {s.relation} GROUP BY ALL HAVING count(*) > 1)"
    )[0]


def format_diff(table: LakeTable, d: Diff) -> list[str]:
    lines = [
        f"{table.name}: {d.old.label} -> {d.new.label}, rows matched by ({', '.join(d.key)})",
        f"  rows     {d.old_rows:>12,} -> {d.new_rows:,}",
    ]
    for name, count in (("added", d.added), ("removed", d.removed), ("changed", d.changed)):
        sample = ", ".join(_key_text(k) for k in d.samples[name])
        lines.append(f"  {name:<8} {count:>12,}" + (f"   e.g. {sample}" if sample else ""))
    if d.changed_by_column:
        lines.append("  changed columns: " + ", ".join(f"{c} {n:,}" for c, n in d.changed_by_column.items()))
    lines += [f"  note: {n}" for n in d.notes]
    lines.append("  identical" if d.identical else "  different")
    return lines


def _key_text(key: tuple) -> str:
    return str(key[0]) if len(key) == 1 else "(" + ", ".join(str(v) for v in key) + ")"
