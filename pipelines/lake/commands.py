"""One function per verb of `python -m pipelines.lake`; each returns the exit code."""

from __future__ import annotations

import argparse
import json
import sys
from contextlib import nullcontext

import pyarrow.csv as pacsv
from deltalake import DeltaTable

import duckdb
from pipelines.lake.lock import warehouse_lock
from pipelines.lake.tables import (
    EXIT_DIFFERENT,
    EXIT_REFUSED,
    WAREHOUSE,
    LakeError,
    LakeTable,
    Paths,
    commits,
    committed_at,
    one_row,
    quoted,
    resolve,
    resolve_version,
)
from pipelines.lake.travel import compare, connect, format_diff, side


def history(args: argparse.Namespace, paths: Paths) -> int:
    table = resolve(args.table, paths)
    shown = commits(table)[-args.limit :] if args.limit else commits(table)
    print(f"{table.name} ({table.path})")
    print(f"{'version':>7}  {'committed (UTC)':<19}  {'operation':<12} {'rows +/~/-':<24} {'files +/-':<11} details")
    for c in shown:
        rows, files, details = commit_figures(c)
        print(
            f"{c['version']:>7}  {committed_at(c):%Y-%m-%d %H:%M:%S}  {c['operation']:<12} {rows:<24} "
            f"{files:<11} {details}"
        )
    return 0


def commit_figures(commit: dict) -> tuple[str, str, str]:
    """Rows inserted/updated/deleted, files added/removed and the telling parameters of one commit."""
    m, p = commit.get("operationMetrics") or {}, commit.get("operationParameters") or {}

    def first(*names: str) -> int | None:
        return next((int(m[n]) for n in names if n in m), None)

    inserted = first("num_added_rows", "num_target_rows_inserted")
    updated = first("num_target_rows_updated")
    deleted = first("num_deleted_rows", "num_target_rows_deleted")
    added = first("num_added_files", "num_target_files_added", "numFilesAdded", "numRestoredFile")
    removed = first("num_removed_files", "num_target_files_removed", "numFilesRemoved", "numRemovedFile")
    rows = "/".join("-" if n is None else f"{n:,}" for n in (inserted, updated, deleted))
    files = "/".join("-" if n is None else f"{n:,}" for n in (added, removed))
    if "fields" in p:  # ADD COLUMN: the names are what matters
        p = {**p, "fields": ", ".join(f["name"] for f in json.loads(p["fields"]))}
    details = ", ".join(
        f"{name} {p[name]}" for name in ("mode", "version", "fields", "predicate") if p.get(name) not in (None, "[]")
    )
    return rows, files, details[:80]


def show(args: argparse.Namespace, paths: Paths) -> int:
    table = resolve(args.table, paths)
    ref = args.version if args.version == WAREHOUSE else resolve_version(table, args.version)
    with warehouse_lock(paths.warehouse) if ref == WAREHOUSE else nullcontext(), connect() as con:
        s = side(con, table, ref, paths.warehouse, "version_rows")
        columns = [c.strip() for c in args.columns.split(",")] if args.columns else list(s.columns)
        unknown = [c for c in columns if c not in s.columns]
        if unknown:
            have = ", ".join(s.columns)
            raise LakeError(f"{table.name} {s.label} has no column {', '.join(unknown)} (it has {have})")
        where = f"WHERE {args.where}" if args.where else ""
        query = f"SELECT {quoted(columns)} FROM {s.relation} {where}"
        try:
            matching = one_row(con, f"SELECT count(*) FROM ({query})")[0]
        except (
            duckdb.ParserException,
            duckdb.BinderException,
            duckdb.CatalogException,
            duckdb.ConversionException,
        ) as exc:
            raise LakeError(f"bad --where {args.where!r}: {str(exc).splitlines()[0]}") from None
        # The window reads every matching row: a LIMIT would stop DuckDB's scan of the Arrow
        # dataset early, which leaves pyarrow's reader threads blocked and the process hanging
        # (or crashing) at exit.
        rows = con.sql(f"SELECT * FROM ({query}) QUALIFY row_number() OVER () <= {args.limit}").arrow().read_all()
        if args.csv:
            pacsv.write_csv(rows, sys.stdout.buffer)
            return 0
        when = "" if ref == WAREHOUSE else f" ({version_label(table, ref)})"
        print(f"{table.name} {s.label}{when}: {matching:,} rows{' matching ' + repr(args.where) if args.where else ''}")
        con.from_arrow(rows).show(max_rows=args.limit, max_width=200)
    return 0


def version_label(table: LakeTable, version: int) -> str:
    commit = next(c for c in commits(table) if c["version"] == version)
    return f"committed {committed_at(commit):%Y-%m-%d %H:%M:%S} UTC by {commit['operation']}"


def diff(args: argparse.Namespace, paths: Paths) -> int:
    table = resolve(args.table, paths)
    refs = [r if r == WAREHOUSE else resolve_version(table, r) for r in (args.old, args.new)]
    with warehouse_lock(paths.warehouse) if WAREHOUSE in refs else nullcontext(), connect() as con:
        old, new = (side(con, table, r, paths.warehouse, f"side_{i}") for i, r in enumerate(refs))
        result = compare(con, table, old, new)
    print("\n".join(format_diff(table, result)))
    return 0 if result.identical else EXIT_DIFFERENT


def restore(args: argparse.Namespace, paths: Paths) -> int:
    """Restore a version as a new commit. Bronze reads raw returns and writes the lake, so the
    lock keeps both from changing underneath; a bronze lake table must end up equal to DuckDB."""
    table = resolve(args.table, paths)
    if args.version == WAREHOUSE:
        raise LakeError("restore takes a version number or a timestamp, not `warehouse`")
    with warehouse_lock(paths.warehouse):
        current, target = resolve_version(table, "latest"), resolve_version(table, args.version)
        if target == current:
            print(f"{table.name} is at version {current} already: nothing to restore")
            return 0
        with connect() as con:
            target_side = side(con, table, target, paths.warehouse, "target")
            change = compare(con, table, side(con, table, current, paths.warehouse, "current"), target_side)
            print("the restore changes the current version like this:")
            print("\n".join(format_diff(table, change)))
            if table.is_bronze:
                check = compare(con, table, side(con, table, WAREHOUSE, paths.warehouse, ""), target_side)
                if not check.identical:
                    print(f"version {target} against DuckDB bronze, the source of truth the lake copies:")
                    print("\n".join(format_diff(table, check)))
                    raise LakeError(
                        f"refused: version {target} of {table.name} differs from DuckDB {table.warehouse_table}, "
                        "the source of truth the lake copies; restoring it would leave the lake disagreeing with "
                        f"bronze. Find a version equal to DuckDB (python -m pipelines.lake diff {table.name} "
                        "warehouse N); if bronze holds loads the lake has not received yet, run bronze first",
                        EXIT_REFUSED,
                    )
        if args.dry_run:
            print(f"dry run: {table.name} would be restored to version {target}; nothing was changed")
            return 0
        metrics = DeltaTable(table.path).restore(target)
        now = resolve_version(table, "latest")
        print(
            f"restored {table.name} to version {target} as version {now} "
            f"({metrics.get('numRestoredFile', 0)} files restored, {metrics.get('numRemovedFile', 0)} removed)"
        )
    if table.is_bronze:
        print(
            f"{table.name} equals DuckDB {table.warehouse_table} again. Silver and gold read DuckDB bronze: "
            "nothing else to run."
        )
    else:
        print(
            "next: bronze applies the restored version like any new returns version (make bronze), then the "
            "transform rebuilds silver and gold returns (make transform). See docs/operations_runbook.md."
        )
    return 0


def optimize(args: argparse.Namespace, paths: Paths) -> int:
    from pipelines.lake.maintenance import optimize_lake

    if args.retention_hours < 168 and not args.unsafe_retention:
        raise LakeError(
            f"--retention-hours {args.retention_hours} is under 168 h: versions older than that could no longer be "
            "read or restored; add --unsafe-retention if that is really meant"
        )
    if not paths.delta.is_dir() and not paths.parquet.is_dir():
        raise LakeError(f"no lake at {paths.lake}: run bronze first, or pass --lake")
    with warehouse_lock(paths.warehouse):
        return optimize_lake(paths, args.retention_hours, args.dry_run)
