"""Bronze benchmark at a given scale: wall and CPU time, rows/s and peak RSS of a first run into
a fresh warehouse and lake, where its time went (extract, normalize, load, Parquet lake,
Delta lake), and a re-run with nothing new; against the floor measured in the same run:
DuckDB reading the same raw CSV/JSONL files and writing one Parquet copy.

    python -m benchmarks.bronze --scale 1.0
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import time

import duckdb
from benchmarks.report import ROOT, checks_table, cpu_seconds, machine, measure_child, publish, run_child, site_args
from generators.config import GENERATOR_VERSION

WORK = ROOT / ".bench"
TARGETS = {"wall_s": 60.0, "ratio": 6.0, "rss_mib": 2048.0, "rerun_s": 2.0}
FLOOR_SOURCES = {  # the CSV and JSONL sources, as DuckDB reads them
    "orders_header": "read_csv('{raw}/orders_header/*/*.csv', all_varchar = true)",
    "orders_lines": "read_csv('{raw}/orders_lines/*/*.csv', all_varchar = true)",
    "sensors": "read_csv('{raw}/sensors/*/*/*.csv', all_varchar = true)",
    "events": "read_csv('{raw}/events/*/*.jsonl', columns = {{'json': 'VARCHAR'}}, delim = chr(1), quote = '', "
    "escape = '', header = false)",
    "customers": "read_csv('{raw}/customers.csv', all_varchar = true)",
    "products": "read_csv('{raw}/products.csv', all_varchar = true)",
    "stores": "read_csv('{raw}/stores.csv', all_varchar = true)",
    "suppliers": "read_csv('{raw}/suppliers.csv', all_varchar = true)",
}
STEPS = ("plan", "extract", "normalize", "load", "parquet lake", "delta lake", "checkpoint")


def ensure_raw(scale: float, seed: int):
    raw = WORK / "raw"
    manifest = raw / "_manifest.json"
    if manifest.exists():
        m = json.loads(manifest.read_text())
        if (m["scale"], m["seed"], m["generator_version"], len(m["batches"])) == (scale, seed, GENERATOR_VERSION, 1):
            return raw
    shutil.rmtree(raw, ignore_errors=True)
    run_child([sys.executable, "-m", "generators", "--seed", str(seed), "--scale", str(scale), "--out", str(raw)])
    return raw


def floor(raw) -> tuple[float, float, int]:
    """(wall s, CPU s, rows) of DuckDB reading the CSV/JSONL sources as text into one Parquet copy."""
    out = WORK / "floor"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    con = duckdb.connect()
    started, cpu = time.perf_counter(), cpu_seconds()
    rows = 0
    for name, reader in FLOOR_SOURCES.items():
        con.sql(f"COPY (SELECT * FROM {reader.format(raw=raw)}) TO '{out / name}.parquet' (FORMAT parquet)")
        rows += con.sql(f"SELECT count(*) FROM '{out / name}.parquet'").fetchone()[0]
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    con.close()
    return seconds, cpu, rows


def step_times(stderr: str) -> tuple[dict[str, tuple[float, float, float]], float]:
    """The bronze run's own profile, from its `time:` line: {step: (wall s, CPU s, peak RSS MiB
    during it)} and the run's total wall seconds (the rest is interpreter start-up and imports)."""
    line = next(line for line in reversed(stderr.splitlines()) if line.startswith("time: "))
    steps = {}
    for step in STEPS:
        match = re.search(rf"{step} ([\d.]+) s \(CPU ([\d.]+) s, peak ([\d,]+) MiB\)", line)
        assert match, (step, line)
        steps[step] = (float(match.group(1)), float(match.group(2)), float(match.group(3).replace(",", "")))
    total = re.search(r"total ([\d.]+) s", line)
    assert total, line
    return steps, float(total.group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    raw = ensure_raw(args.scale, args.seed)
    target = WORK / "bronze"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    command = [
        sys.executable,
        "pipelines/bronze_dlt_pipeline.py",
        *site_args(raw, target),
    ]
    print("floor: DuckDB read_csv -> one Parquet copy", file=sys.stderr)
    floor_s, floor_cpu, floor_rows = floor(raw)
    print("bronze: first run", file=sys.stderr)
    first = measure_child(command, capture_stderr=True)
    print("bronze: re-run with nothing new", file=sys.stderr)
    rerun = measure_child(command)
    with duckdb.connect(str(target / "warehouse.duckdb"), read_only=True) as con:
        read, loaded, rejected, files = con.sql(
            "SELECT sum(rows_read), sum(rows_loaded), sum(rows_rejected), count(*) FROM bronze.file_manifest"
        ).fetchone()
    steps, run_total = step_times(first.stderr)
    ratio = first.wall / floor_s
    wall, rss = first.wall, first.rss_mib
    checks = [
        (
            "wall time, first run",
            f"{wall:.1f} s (CPU {first.cpu:.1f} s)",
            f"<= {TARGETS['wall_s']:.0f} s",
            wall <= TARGETS["wall_s"],
        ),
        ("ratio to the floor", f"{ratio:.2f}x", f"<= {TARGETS['ratio']:.0f}x", ratio <= TARGETS["ratio"]),
        ("peak RSS", f"{rss:,.0f} MiB", f"<= {TARGETS['rss_mib']:,.0f} MiB", rss <= TARGETS["rss_mib"]),
        (
            "re-run, nothing new",
            f"{rerun.wall:.1f} s",
            f"<= {TARGETS['rerun_s']:.0f} s",
            rerun.wall <= TARGETS["rerun_s"],
        ),
    ]
    accounted = sum(wall for wall, _, _ in steps.values())
    lines = [
        "## Bronze",
        "",
        f"`python -m benchmarks.bronze --scale {args.scale:g}` — {machine()}.",
        "",
        *checks_table(checks),
        f"| rows read / loaded / rejected | {read:,} / {loaded:,} / {rejected:,} from {files:,} files | | |",
        f"| throughput | {read / wall:,.0f} rows/s into DuckDB + Parquet lake + Delta lake | | |",
        f"| floor: DuckDB read_csv -> Parquet | {floor_s:.1f} s (CPU {floor_cpu:.1f} s) for {floor_rows:,} rows | | |",
        "",
        "Where the first run's time went (from the run's own `time:` line; CPU counts every thread):",
        "",
        "| step | wall s | share | CPU s | peak RSS during it |",
        "|---|---:|---:|---:|---:|",
        *[
            f"| {step} | {seconds:.1f} | {seconds / wall:.0%} | {cpu:.1f} | {peak:,.0f} MiB |"
            for step, (seconds, cpu, peak) in steps.items()
        ],
        f"| start-up and imports | {wall - run_total:.1f} | {(wall - run_total) / wall:.0%} | | |",
        f"| the rest (pending work check, lake pipeline set-up, summary) | {run_total - accounted:.1f} | "
        f"{(run_total - accounted) / wall:.0%} | | |",
        "",
        "The first run reads, validates and extracts every raw file (dlt extract: Parquet files of the load "
        "package), loads the package into DuckDB (`bronze.*`), then copies the load to the Parquet lake "
        "(DuckDB's partitioned COPY of the package's files) and commits those same files to the Delta lake (hard "
        "links, one delta-rs transaction per table; the merged tables' upserts go through dlt's filesystem "
        "destination). The re-run finds the record the first run left and the same raw files and warehouse, so "
        "it says nothing is new without importing dlt. The floor reads the CSV and JSONL sources as text and "
        "writes one Parquet copy, with no validation, rejects, audit columns, manifest or second and third "
        "destination. CPU is user + system time of the process and its threads.",
    ]
    publish("bronze", lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
