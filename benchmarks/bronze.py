"""Bronze benchmark at a given scale: wall time, rows/s and peak RSS of a first run into a
fresh warehouse and lake, and of a re-run with nothing new; against the floor measured in
the same run — DuckDB reading the same raw CSV/JSONL files and writing one Parquet copy.

    python -m benchmarks.bronze --scale 1.0
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time

import duckdb
from benchmarks.report import ROOT, checks_table, machine, publish, run_child
from generators.config import GENERATOR_VERSION

WORK = ROOT / ".bench"
TARGETS = {"wall_s": 180.0, "ratio": 4.0, "rss_mib": 3072.0, "rerun_s": 5.0}
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


def floor(raw) -> tuple[float, int]:
    out = WORK / "floor"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    con = duckdb.connect()
    started = time.perf_counter()
    rows = 0
    for name, reader in FLOOR_SOURCES.items():
        con.sql(f"COPY (SELECT * FROM {reader.format(raw=raw)}) TO '{out / name}.parquet' (FORMAT parquet)")
        rows += con.sql(f"SELECT count(*) FROM '{out / name}.parquet'").fetchone()[0]
    seconds = time.perf_counter() - started
    con.close()
    return seconds, rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
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
        "--raw",
        str(raw),
        "--lake",
        str(target / "lake"),
        "--warehouse",
        str(target / "warehouse.duckdb"),
        "--pipelines-dir",
        str(target / "pipelines"),
    ]
    print("bronze: first run", file=sys.stderr)
    wall, rss = run_child(command)
    print("bronze: re-run with nothing new", file=sys.stderr)
    rerun, _ = run_child(command)
    with duckdb.connect(str(target / "warehouse.duckdb"), read_only=True) as con:
        read, loaded, rejected = con.sql(
            "SELECT sum(rows_read), sum(rows_loaded), sum(rows_rejected) FROM bronze.file_manifest"
        ).fetchone()
        files = con.sql("SELECT count(*) FROM bronze.file_manifest").fetchone()[0]
    print("floor: DuckDB read_csv -> one Parquet copy", file=sys.stderr)
    floor_s, floor_rows = floor(raw)
    ratio = wall / floor_s
    checks = [
        ("wall time, first run", f"{wall:.1f} s", f"<= {TARGETS['wall_s']:.0f} s", wall <= TARGETS["wall_s"]),
        ("ratio to the floor", f"{ratio:.2f}x", f"<= {TARGETS['ratio']:.0f}x", ratio <= TARGETS["ratio"]),
        ("peak RSS", f"{rss:,.0f} MiB", f"<= {TARGETS['rss_mib']:,.0f} MiB", rss <= TARGETS["rss_mib"]),
        ("re-run, nothing new", f"{rerun:.1f} s", f"<= {TARGETS['rerun_s']:.0f} s", rerun <= TARGETS["rerun_s"]),
    ]
    lines = [
        "## Bronze",
        "",
        f"`python -m benchmarks.bronze --scale {args.scale}` — {machine()}.",
        "",
        *checks_table(checks),
        f"| rows read / loaded / rejected | {read:,} / {loaded:,} / {rejected:,} from {files:,} files | | |",
        f"| throughput | {read / wall:,.0f} rows/s into DuckDB + Parquet lake + Delta lake | | |",
        f"| floor: DuckDB read_csv -> Parquet | {floor_s:.1f} s for {floor_rows:,} rows | | |",
        "",
        "The first run reads, validates and loads every raw file into DuckDB (`bronze.*`), then copies each "
        "bronze load to the Parquet lake (DuckDB COPY) and the Delta lake (dlt filesystem destination). The "
        "floor reads the CSV and JSONL sources as text and writes one Parquet copy, with no validation, "
        "rejects, audit columns, manifest or second and third destination.",
    ]
    publish("bronze", lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
