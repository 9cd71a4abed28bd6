"""Generator benchmark: wall time, rows/s and peak RSS at a given scale, against a
baseline measured in the same run — DuckDB writing CSV with the same number of rows
and columns (`COPY (SELECT ... FROM range(n)) TO ...`).

    python -m benchmarks.generator --scale 1.0
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time

import pyarrow as pa

import duckdb
import schemas
from benchmarks.report import ROOT, checks_table, machine, publish, run_child

WORK = ROOT / ".bench"
# Events are one JSON document per line; as CSV the baseline gets its envelope fields
# plus the payload as a text column.
EVENT_COLUMNS = pa.schema(
    [
        pa.field("event_id", pa.int64()),
        pa.field("event_ts", schemas.UTC_TS),
        pa.field("event_type", pa.string()),
        pa.field("user_id", pa.int64()),
        pa.field("session_id", pa.string()),
        pa.field("payload", pa.string()),
    ]
)
TARGETS = {"rows_per_s": None, "wall_s": 90.0, "rss_mib": 2048.0, "ratio": 3.0}


def column_sql(field: pa.Field, i: int) -> str:
    """A column of the same type family as the contract's, computed from the row number."""
    t = field.type
    if pa.types.is_integer(t):
        return f"(range * {i + 7}) % 100000007 AS c{i}"
    if pa.types.is_floating(t):
        return f"(range % 18000) / 100.0 - 90 AS c{i}"
    if pa.types.is_decimal(t):
        return f"((range * 37) % 1000000 / 100)::DECIMAL(12,2) AS c{i}"
    if pa.types.is_boolean(t):
        return f"(range % 3 = 0) AS c{i}"
    if pa.types.is_date(t):
        return f"DATE '2024-01-01' + (range % 731)::INT AS c{i}"
    if pa.types.is_timestamp(t):
        return f"TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_seconds(range * 41) AS c{i}"
    return f"'value-' || (range * {i + 3}) AS c{i}"


def baseline(rows: dict[str, int]) -> tuple[float, int]:
    """DuckDB writes each source's row count x column count as one CSV; returns (seconds, bytes)."""
    out = WORK / "baseline"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    con = duckdb.connect()
    con.sql("SET TimeZone = 'UTC'")
    started = time.perf_counter()
    for source, n in rows.items():
        schema = EVENT_COLUMNS if source == "events" else schemas.RAW_SCHEMAS[source]
        columns = ", ".join(column_sql(f, i) for i, f in enumerate(schema))
        con.sql(f"COPY (SELECT {columns} FROM range({n})) TO '{out / source}.csv' (HEADER)")
    seconds = time.perf_counter() - started
    con.close()
    return seconds, sum(p.stat().st_size for p in out.iterdir())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    raw = WORK / "raw"
    shutil.rmtree(raw, ignore_errors=True)
    print(f"generator at scale {args.scale} -> {raw}", file=sys.stderr)
    wall, rss = run_child(
        [sys.executable, "-m", "generators", "--seed", str(args.seed), "--scale", str(args.scale), "--out", str(raw)]
    )
    manifest = json.loads((raw / "_manifest.json").read_text())
    rows = {s: v["rows"] for s, v in manifest["sources"].items()}
    raw_bytes = sum(v["bytes"] or 0 for v in manifest["sources"].values())
    total = sum(rows.values())
    print("baseline: DuckDB COPY of the same rows x columns to CSV", file=sys.stderr)
    base_s, base_bytes = baseline(rows)
    ratio = wall / base_s
    checks = [
        ("wall time", f"{wall:.1f} s", f"<= {TARGETS['wall_s']:.0f} s", wall <= TARGETS["wall_s"]),
        ("peak RSS", f"{rss:,.0f} MiB", f"<= {TARGETS['rss_mib']:,.0f} MiB", rss <= TARGETS["rss_mib"]),
        ("ratio to DuckDB baseline", f"{ratio:.2f}x", f"<= {TARGETS['ratio']:.0f}x", ratio <= TARGETS["ratio"]),
    ]
    rows_ok = "yes" if 15e6 <= total <= 18e6 or args.scale != 1.0 else "NO"
    files = sum(v["files"] for v in manifest["sources"].values())
    lines = [
        "## Generator",
        "",
        f"`python -m benchmarks.generator --scale {args.scale}` — {machine()}.",
        "",
        *checks_table(checks),
        f"| rows | {total:,} | 15-18 million at scale 1.0 | {rows_ok} |",
        f"| throughput | {total / wall:,.0f} rows/s | | |",
        f"| raw bytes written | {raw_bytes / 1e6:,.0f} MB in {files:,} files | | |",
        f"| baseline: DuckDB COPY to CSV | {base_s:.1f} s, {base_bytes / 1e6:,.0f} MB,"
        f" {total / base_s:,.0f} rows/s | | |",
        "",
        "Rows per source:",
        "",
        "| source | rows | files | MB |",
        "|---|---:|---:|---:|",
        *[
            f"| {s} | {v['rows']:,} | {v['files']:,} | "
            f"{'n/a (Delta, not reproducible)' if v['bytes'] is None else format(v['bytes'] / 1e6, ',.1f')} |"
            for s, v in manifest["sources"].items()
        ],
        "",
        "The baseline writes one CSV per source with the contract's column types computed from the row "
        "number (events: envelope fields plus the payload as text). It does no partitioning, no realistic "
        "values and no anomaly bookkeeping, so it is a floor, not a competitor. The generator's wall time "
        "includes interpreter start-up and imports.",
    ]
    publish("generator", lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
