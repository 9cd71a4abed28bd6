"""Publish Gold for readers: every relation of the warehouse's `gold` schema as Parquet in a new
build folder, then an atomic swap of the `current` pointer.

    python pipelines/publish_gold.py [--warehouse FILE] [--gold-dir DIR]

The transform runs this after every successful `dbt build`, so readers (the BI app, Power BI)
never open the DuckDB warehouse and can never block a pipeline with DuckDB's single-writer lock
(docs/decisions.md). Layout of the gold folder (default `lake/gold`, `gold.publish_dir` in
.dlt/config.toml):

    builds/<build id>/<relation>.parquet   one file per gold table and view, plus
                      sales_lines, sales_daily, sensor_daily .parquet: derived for readers (READER_RELATIONS),
                      dbt_nodes.parquet    the dbt nodes of the build (layer, status, seconds),
                      build_history.parquet one row per published build so far,
                      _build.json          build id, publish time, rows per relation
    current -> builds/<build id>           symlink, replaced atomically (rename of a new link)

A build folder is written under a temporary name and renamed when complete, so `current` only
ever points at a whole build. The newest builds are kept (a reader that resolved `current` just
before a swap can finish its queries); older ones are deleted.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import dlt

import duckdb
from pipelines.cli import help_description, run_command
from pipelines.dbt_results import TARGET as DBT_TARGET
from pipelines.dbt_results import node_layer
from pipelines.dlt_run_context import configured_path
from pipelines.exit_codes import ExitCode, RunFailed
from pipelines.warehouse import configured_warehouse

BUILDS = "builds"
POINTER = "current"
KEEP_BUILDS = 3
DEFAULT_GOLD_DIR = "lake/gold"
DEFAULT_MEMORY_LIMIT = "1GB"  # gold.memory_limit in .dlt/config.toml
# Large facts are written sorted by their date key, so readers skip row groups by date.
SORT_KEYS = {"fct_sales": "date_key", "fct_sensor_readings": "date_key", "fct_shipments": "ship_date_key"}
# Relations derived for readers, written after the gold ones in this order, each SQL over the
# relations before it (by their Gold names). The BI app queries them instead of re-joining the
# facts on every interaction; for a store manager it runs the same SQL over that manager's rows
# only (analytics/gold.py), so row-level security never depends on a published aggregate.
READER_RELATIONS = {
    # Order lines with the two slicer attributes (the store's region, the product's category),
    # only the columns measures aggregate, sorted by date so a period scan skips row groups.
    "sales_lines": """SELECT f.order_number, f.date_key, f.customer_key, f.product_key, f.store_key, f.quantity,
               f.line_total, f.discount_amount, f.line_total_aud, f.net_amount_aud, st.region, p.category
        FROM fct_sales AS f
        JOIN dim_store AS st ON st.store_key = f.store_key
        JOIN dim_product AS p ON p.product_key = f.product_key
        ORDER BY f.date_key""",
    # Additive sales measures per day, region and category, plus one row per day and region for
    # every category together (all_categories): distinct orders add up over days and regions (an
    # order has one day and one store) but not over categories (an order can span several).
    "sales_daily": """SELECT date_key, region, category, grouping(category) = 1 AS all_categories,
               sum(net_amount_aud) AS net_amount_aud, sum(line_total_aud) AS line_total_aud,
               sum(quantity) AS quantity, count(DISTINCT order_number) AS orders
        FROM sales_lines
        GROUP BY GROUPING SETS ((date_key, region, category), (date_key, region))
        ORDER BY date_key""",
    # Shelf sensor readings per day and region (the Operations page's anomaly rate).
    "sensor_daily": """SELECT r.date_key, st.region, sum(r.reading_count) AS reading_count,
               sum(r.out_of_range_count) AS out_of_range_count
        FROM fct_sensor_readings AS r
        JOIN dim_store AS st ON st.store_key = r.store_key
        GROUP BY ALL
        ORDER BY r.date_key""",
}


class PublishError(Exception):
    """Gold could not be published; the message says why."""


def gold_dir_for(warehouse: Path) -> Path:
    """Where the Gold of `warehouse` is published: the configured folder for the project's own
    warehouse; beside any other warehouse file (`<its folder>/gold`), so that a test's or a
    benchmark's warehouse never replaces the Gold the project's app shows."""
    override = os.environ.get("GOLD__PUBLISH_DIR")
    if override:
        return Path(override)
    if warehouse.resolve() == configured_warehouse().resolve():
        return configured_path(dlt.config.get("gold.publish_dir", str) or DEFAULT_GOLD_DIR)
    return warehouse.resolve().parent / "gold"


def new_build_id(now: datetime) -> str:
    """Sortable by time: 20261127T150312123456Z-1a2b3c."""
    return f"{now:%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:6]}"


def dbt_nodes() -> list[dict]:
    """The nodes of the last dbt build (name, layer, resource type, status, seconds), from dbt's
    run_results.json and manifest.json; empty when dbt left none."""
    try:
        nodes = json.loads((DBT_TARGET / "manifest.json").read_text())["nodes"]
        results = json.loads((DBT_TARGET / "run_results.json").read_text())["results"]
    except (OSError, ValueError, KeyError):
        return []
    return [
        {
            "node": nodes[r["unique_id"]]["name"] if r["unique_id"] in nodes else r["unique_id"],
            "resource_type": nodes[r["unique_id"]]["resource_type"] if r["unique_id"] in nodes else "unknown",
            "layer": node_layer(nodes[r["unique_id"]], nodes) if r["unique_id"] in nodes else "unknown",
            "status": r["status"],
            "seconds": float(r["execution_time"]),
        }
        for r in results
    ]


def current_build(gold_dir: Path) -> Path | None:
    """The build folder `current` points at, or None before the first publish."""
    pointer = gold_dir / POINTER
    if not pointer.is_symlink():
        return None
    build = gold_dir / os.readlink(pointer)
    return build if build.is_dir() else None


def write_build(
    con: duckdb.DuckDBPyConnection, folder: Path, gold_dir: Path, build_id: str, now: datetime
) -> tuple[dict[str, int], dict[str, float]]:
    """Every gold relation as Parquet in `folder`; (rows, seconds) per relation."""
    relations = con.sql(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'gold' ORDER BY 1"
    ).fetchall()
    if not relations:
        raise PublishError("the warehouse has no gold relations; run the transform (dbt build) first")
    rows: dict[str, int] = {}
    seconds: dict[str, float] = {}

    def copy(name: str, select: str) -> None:
        started = time.perf_counter()
        target = folder / f"{name}.parquet"
        con.execute(f"COPY ({select}) TO '{target}' (FORMAT parquet, COMPRESSION zstd)")
        ((rows[name],),) = con.sql(f"SELECT count(*) FROM read_parquet('{target}')").fetchall()
        seconds[name] = round(time.perf_counter() - started, 2)

    for (name,) in relations:
        copy(name, f'SELECT * FROM gold."{name}"' + (f" ORDER BY {SORT_KEYS[name]}" if name in SORT_KEYS else ""))
    # The reader relations see gold's relations and the ones written before them by name.
    ((database,),) = con.sql("SELECT current_database()").fetchall()
    con.execute(f"SET search_path = '\"{database}\".gold,temp.main'")
    for name, select in READER_RELATIONS.items():
        copy(name, select)
        con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * FROM read_parquet('{folder / f'{name}.parquet'}')")
    nodes = dbt_nodes()
    con.execute(
        "CREATE OR REPLACE TEMP TABLE dbt_nodes (node VARCHAR, resource_type VARCHAR, layer VARCHAR, "
        "status VARCHAR, seconds DOUBLE)"
    )
    if nodes:
        con.executemany("INSERT INTO dbt_nodes VALUES (?, ?, ?, ?, ?)", [tuple(n.values()) for n in nodes])
    con.execute(f"COPY dbt_nodes TO '{folder / 'dbt_nodes.parquet'}' (FORMAT parquet)")
    history_row = f"""SELECT '{build_id}' AS build_id, TIMESTAMPTZ '{now.isoformat()}' AS published_at,
        (SELECT count(*) FROM dbt_nodes) AS dbt_nodes,
        (SELECT count(*) FROM dbt_nodes WHERE status IN ('fail', 'error')) AS dbt_failures,
        (SELECT count(*) FROM dbt_nodes WHERE status = 'warn') AS dbt_warnings,
        (SELECT coalesce(sum(seconds), 0) FROM dbt_nodes WHERE layer = 'silver') AS silver_seconds,
        (SELECT coalesce(sum(seconds), 0) FROM dbt_nodes WHERE layer = 'gold') AS gold_seconds"""
    previous = current_build(gold_dir)
    earlier = previous / "build_history.parquet" if previous else None
    union = f" UNION ALL SELECT * FROM read_parquet('{earlier}')" if earlier and earlier.exists() else ""
    con.execute(
        f"COPY ({history_row}{union} ORDER BY published_at) TO '{folder / 'build_history.parquet'}' (FORMAT parquet)"
    )
    return rows, seconds


def swap_pointer(gold_dir: Path, build_id: str) -> None:
    """Point `current` at the build: a new symlink renamed over the old one (atomic on POSIX)."""
    link = gold_dir / f".{POINTER}.{build_id}"
    link.symlink_to(Path(BUILDS) / build_id)
    os.replace(link, gold_dir / POINTER)


def clean_old_builds(gold_dir: Path, keep: int = KEEP_BUILDS) -> None:
    """Delete all but the newest `keep` builds, and leftovers of interrupted publishes."""
    builds = gold_dir / BUILDS
    complete = sorted(p for p in builds.iterdir() if p.is_dir() and not p.name.startswith("."))
    current = current_build(gold_dir)
    for old in complete[:-keep]:
        if current is None or old.resolve() != current.resolve():
            shutil.rmtree(old, ignore_errors=True)
    for leftover in builds.glob(".tmp-*"):
        if time.time() - leftover.stat().st_mtime > 3600:  # an hour old: no publish is still writing it
            shutil.rmtree(leftover, ignore_errors=True)


def publish(warehouse: Path, gold_dir: Path | None = None) -> tuple[str, Path, dict[str, int]]:
    """Publish the warehouse's Gold; (build id, build folder, rows per relation)."""
    if not warehouse.exists():
        raise PublishError(f"warehouse {warehouse} does not exist; run `make run` first")
    gold_dir = gold_dir or gold_dir_for(warehouse)
    (gold_dir / BUILDS).mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    build_id = new_build_id(now)
    staging = gold_dir / BUILDS / f".tmp-{build_id}"
    staging.mkdir()
    try:
        memory_limit = dlt.config.get("gold.memory_limit", str) or DEFAULT_MEMORY_LIMIT
        with duckdb.connect(str(warehouse), read_only=True, config={"memory_limit": memory_limit}) as con:
            rows, seconds = write_build(con, staging, gold_dir, build_id, now)
        meta = {
            "build_id": build_id,
            "published_at": now.isoformat(),
            "warehouse": str(warehouse),
            "rows": rows,
            "seconds": seconds,
        }
        (staging / "_build.json").write_text(json.dumps(meta, indent=2) + "\n")
        final = gold_dir / BUILDS / build_id
        staging.rename(final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    swap_pointer(gold_dir, build_id)
    clean_old_builds(gold_dir)
    return build_id, final, rows


def publish_for_readers(warehouse: Path) -> None:
    """The transform's last step: publish and print one line.

    Raises:
        RunFailed(PUBLISH_FAILED): the Parquet copy could not be written; readers keep the previous build.
    """
    started = time.perf_counter()
    try:
        build_id, folder, rows = publish(warehouse)
    except (PublishError, duckdb.Error, OSError) as exc:
        raise RunFailed(
            ExitCode.PUBLISH_FAILED,
            f"gold was built but could not be published for readers ({exc}); readers keep the previous build; "
            "run `python pipelines/publish_gold.py` once the cause is fixed",
        ) from None
    seconds = json.loads((folder / "_build.json").read_text())["seconds"]
    slowest = ", ".join(f"{name} {sec:.1f} s" for name, sec in sorted(seconds.items(), key=lambda x: -x[1])[:3])
    print(
        f"gold published: {len(rows)} relations, {sum(rows.values()):,} rows to {folder} "
        f"in {time.perf_counter() - started:.1f} s (build {build_id}; slowest: {slowest})"
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python pipelines/publish_gold.py", description=help_description(__doc__))
    p.add_argument("--warehouse", type=Path, help="DuckDB file (default: [destination.duckdb] credentials)")
    p.add_argument("--gold-dir", type=Path, help="default: gold.publish_dir (lake/gold) for the project's warehouse")
    args = p.parse_args(argv)
    if args.gold_dir:
        os.environ["GOLD__PUBLISH_DIR"] = str(args.gold_dir)

    def publish_configured() -> int:
        publish_for_readers(args.warehouse or configured_warehouse())
        return ExitCode.OK

    return run_command(publish_configured)


if __name__ == "__main__":
    sys.exit(main())
