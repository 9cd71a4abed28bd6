"""The main job end to end: generate -> bronze -> silver + gold, then a summary.

Silver and gold are one `dbt build`; the summary gives rows per layer, total net sales,
rejects and the time of each step.

    python pipelines/main_job.py [--seed 42] [--scale 0.01] [--raw data_raw]

Every step is idempotent, so after a failure fix the cause and run the job again: files
already in bronze are skipped and dbt rebuilds from bronze.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.chdir(ROOT)  # dlt reads .dlt/config.toml from the working directory

import dlt  # noqa: E402

import duckdb  # noqa: E402
from pipelines.transform_pipeline import DBT_PROJECT, describe_layer_seconds  # noqa: E402


@dataclass
class Step:
    name: str
    command: list[str]
    seconds: float = 0.0
    returncode: int | None = None


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python pipelines/main_job.py", description=__doc__.splitlines()[0])
    p.add_argument("--seed", type=int, default=42, help="generator seed (default 42)")
    p.add_argument("--scale", type=float, default=0.01, help="generator scale (default 0.01)")
    p.add_argument(
        "--raw",
        type=Path,
        default=Path(dlt.config["sources.retail_bronze.raw_dir"]),
        help="raw folder (default: sources.retail_bronze.raw_dir in .dlt/config.toml)",
    )
    p.add_argument("--warehouse", type=Path, help="DuckDB file (default: bronze.warehouse in .dlt/config.toml)")
    p.add_argument("--lake", type=Path, help="lake folder (default: bronze.lake_dir in .dlt/config.toml)")
    p.add_argument("--pipelines-dir", type=Path, help="dlt pipelines folder (default: from .dlt/config.toml)")
    return p.parse_args(argv)


def run_steps(steps: list[Step]) -> Step | None:
    """Run the steps in order (their output goes straight to the terminal); the failed step or None."""
    for step in steps:
        print(f"== {step.name}: {' '.join(step.command[1:])}", flush=True)
        started = time.perf_counter()
        step.returncode = subprocess.run(step.command, cwd=ROOT).returncode
        step.seconds = time.perf_counter() - started
        if step.returncode != 0:
            return step
    return None


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
        rows = sum(con.sql(f'SELECT count(*) FROM {schema}."{name}"').fetchone()[0] for name in tables)
        counts.append((schema, len(tables), views, rows))
    return counts


def summary(raw: Path, warehouse: Path, steps: list[Step]) -> str:
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
        ((rejected,),) = con.sql("SELECT count(*) FROM bronze.rejects").fetchall()
        ((failed,),) = con.sql("""
            SELECT count(*) FROM (SELECT status FROM bronze.file_manifest  -- the latest outcome per file
                                  QUALIFY row_number() OVER (
                                      PARTITION BY path ORDER BY finished_at DESC, load_id DESC) = 1)
            WHERE status IN ('failed', 'rejected', 'conflict')""").fetchall()
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
    transform = describe_layer_seconds(DBT_PROJECT / "target")
    lines.append(
        "time: "
        + ", ".join(f"{name} {s:.1f} s" for name, s in timing.items())
        + (f" (dbt node time: {transform})" if transform else "")
        + f"; total {sum(timing.values()):.1f} s"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    py = sys.executable
    # only the options given are passed on: the steps read their defaults from .dlt/config.toml
    common = [
        arg
        for name in ("warehouse", "pipelines_dir")
        if getattr(args, name)
        for arg in (f"--{name.replace('_', '-')}", str(getattr(args, name)))
    ]
    lake = ["--lake", str(args.lake)] if args.lake else []
    steps = [
        Step(
            "generate",
            [py, "-m", "generators", "--seed", str(args.seed), "--scale", str(args.scale), "--out", str(args.raw)],
        ),
        Step("bronze", [py, "pipelines/bronze_dlt_pipeline.py", "--raw", str(args.raw), *lake, *common]),
        Step("silver+gold", [py, "pipelines/transform_pipeline.py", *common]),
    ]
    failed = run_steps(steps)
    if failed is not None:
        print(
            f"error: step {failed.name} failed (exit {failed.returncode}) after {failed.seconds:.1f} s; "
            "see its message above, fix the cause and run the job again (completed work is kept)",
            file=sys.stderr,
        )
        return failed.returncode or 1
    print(summary(ROOT / args.raw, ROOT / (args.warehouse or dlt.config["bronze.warehouse"]), steps))
    return 0


if __name__ == "__main__":
    sys.exit(main())
