"""The main job end to end: generate -> bronze -> silver + gold, then a summary.

Silver and gold are one `dbt build`; the summary gives rows per layer, total net sales,
rejects and the time of each step.

    python pipelines/main_job.py [--seed 42] [--scale 0.01] [--raw DIR] [--warehouse FILE]
                                 [--lake DIR] [--pipelines-dir DIR] [--wait]

Every step is idempotent, so after a failure fix the cause and run the job again: files
already in bronze are skipped and dbt rebuilds from bronze. The job holds the warehouse
lock from start to end (its steps run under it); a failed step's exit code is the job's
(README, "Exit codes").
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import dlt

import duckdb
from pipelines.bronze.manifest import LATEST_PER_PATH
from pipelines.bronze.tables import DATASET, FAILED_STATUSES, MANIFEST_TABLE, REJECTS_TABLE
from pipelines.cli import help_description, run_command
from pipelines.dbt_results import describe_layer_seconds
from pipelines.dlt_run_context import configured_path
from pipelines.steps import Step, run_steps
from pipelines.warehouse import configured_warehouse, scalar
from pipelines.warehouse_lock import warehouse_lock


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python pipelines/main_job.py", description=help_description(__doc__))
    p.add_argument("--seed", type=int, default=42, help="generator seed (default 42)")
    p.add_argument("--scale", type=float, default=0.01, help="generator scale (default 0.01)")
    p.add_argument("--raw", type=Path, help="raw folder (default: sources.retail_bronze.raw_dir in .dlt/config.toml)")
    p.add_argument("--warehouse", type=Path, help="DuckDB file (default: [destination.duckdb] credentials)")
    p.add_argument("--lake", type=Path, help="a local lake folder (default: the bronze step's dlt config)")
    p.add_argument("--pipelines-dir", type=Path, help="dlt's working folder (default: .dlt/pipelines)")
    p.add_argument("--wait", action="store_true", help="wait for a run holding the warehouse instead of exiting (3)")
    return p.parse_args(argv)


def layer_counts(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int, int, int]]:
    """(schema, tables, views, rows in tables) for bronze, silver and gold."""
    relations = con.sql("""SELECT table_schema, table_name, table_type FROM information_schema.tables
                           WHERE table_schema IN ('bronze', 'silver', 'gold')
                             AND table_name NOT LIKE '\\_dlt%' ESCAPE '\\'
                           ORDER BY 1, 2""").fetchall()
    counts = []
    for schema in ("bronze", "silver", "gold"):
        tables = [name for s, name, kind in relations if s == schema and kind == "BASE TABLE"]
        views = sum(1 for s, _, kind in relations if s == schema and kind == "VIEW")
        rows = sum(scalar(con, f'SELECT count(*) FROM {schema}."{name}"') for name in tables)
        counts.append((schema, len(tables), views, rows))
    return counts


def summary(raw: Path, warehouse: Path, steps: list[Step], since: datetime) -> str:
    manifest = json.loads((raw / "_manifest.json").read_text())
    raw_rows = sum(s["rows"] for s in manifest["sources"].values())
    lines = [
        "",
        "== summary",
        f"{'layer':<8}{'tables':>8}{'views':>7}{'rows':>14}",
        f"{'raw':<8}{'':>8}{'':>7}{raw_rows:>14,}  ({len(manifest['sources'])} sources, generated)",
    ]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        lines += [f"{schema:<8}{tables:>8}{views:>7}{rows:>14,}" for schema, tables, views, rows in layer_counts(con)]
        rejected = scalar(con, f"SELECT count(*) FROM {DATASET}.{REJECTS_TABLE}")
        ((failed,),) = con.execute(
            f"SELECT count(*) FROM ({LATEST_PER_PATH.format(table=f'{DATASET}.{MANIFEST_TABLE}')}) "
            "WHERE status IN (SELECT unnest(?))",
            [list(FAILED_STATUSES)],
        ).fetchall()
        ((quarantined,),) = con.sql("SELECT count(*) FROM silver.silver_quarantined_order_lines").fetchall()
        ((lines_in, lines_valid, net_aud),) = con.sql("""
            SELECT (SELECT count(*) FROM bronze.orders_lines), count(*), sum(net_amount_aud)
            FROM gold.fct_sales""").fetchall()
    balance = "=" if lines_in == lines_valid + quarantined else f"<> (off by {lines_in - lines_valid - quarantined:,})"
    lines += [
        "",
        f"order lines: {lines_in:,} in bronze {balance} {lines_valid:,} in gold.fct_sales"
        f" + {quarantined:,} quarantined",
        f"total net sales: {net_aud:,.2f} AUD (excluding tax)",
        f"rejects: {rejected:,} rows in bronze.rejects, {failed:,} files failed, rejected or in conflict, "
        f"{quarantined:,} order lines quarantined in silver",
    ]
    timing = {step.name: step.seconds for step in steps}
    transform = describe_layer_seconds(since=since)
    lines.append(
        "time: "
        + ", ".join(f"{name} {s:.1f} s" for name, s in timing.items())
        + (f" (dbt node time: {transform})" if transform else "")
        + f"; total {sum(timing.values()):.1f} s"
    )
    return "\n".join(lines)


@dataclass(frozen=True)
class Layers:
    """Where a job's steps read and write, and the options it passes on to them."""

    raw: Path
    warehouse: Path
    common: list[str]  # --warehouse/--pipelines-dir, for bronze and the transform
    lake: list[str]  # --lake, for bronze

    def layer_steps(self, run_id: str | None = None) -> list[Step]:
        """Bronze, then silver and gold (`run_id`: the run's id in gold.dq_metrics)."""
        py = sys.executable
        return [
            Step("bronze", [py, "pipelines/bronze_dlt_pipeline.py", "--raw", str(self.raw), *self.lake, *self.common]),
            Step(
                "silver+gold",
                [py, "pipelines/transform_pipeline.py", *self.common, *(["--run-id", run_id] if run_id else [])],
            ),
        ]


def resolve_layers(args: argparse.Namespace) -> Layers:
    """The paths of the options given (absolute: the steps run in the project root), the others
    from dlt config; only the options given are passed on, the steps read their defaults themselves."""
    for name in ("raw", "warehouse", "lake", "pipelines_dir"):
        if getattr(args, name):
            setattr(args, name, getattr(args, name).resolve())
    common = [
        arg
        for name in ("warehouse", "pipelines_dir")
        if getattr(args, name)
        for arg in (f"--{name.replace('_', '-')}", str(getattr(args, name)))
    ]
    return Layers(
        raw=args.raw or configured_path(dlt.config["sources.retail_bronze.raw_dir"]),
        warehouse=args.warehouse or configured_warehouse(),
        common=common,
        lake=["--lake", str(args.lake)] if args.lake else [],
    )


def main_job(args: argparse.Namespace) -> int:
    layers = resolve_layers(args)
    raw, warehouse = layers.raw, layers.warehouse
    generate = [sys.executable, "-m", "generators", "--seed", str(args.seed), "--scale", str(args.scale)]
    steps = [Step("generate", [*generate, "--out", str(raw)]), *layers.layer_steps()]
    started = datetime.now(UTC)
    with warehouse_lock(warehouse, "main job", wait=args.wait) as lock:
        failed = run_steps(steps, lock)
    if failed is not None:
        print(
            f"error: step {failed.name} failed (exit {failed.returncode}) after {failed.seconds:.1f} s; "
            "see its message above, fix the cause and run the job again (completed work is kept)",
            file=sys.stderr,
        )
        return failed.returncode if failed.returncode and failed.returncode > 0 else 1
    print(summary(raw, warehouse, steps, started))
    return 0


def main(argv: list[str] | None = None) -> int:
    return run_command(lambda: main_job(parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
