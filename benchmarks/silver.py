"""Silver benchmark: full `dbt build` (models, tests, snapshots) on the scale-1.0 bronze
warehouse left by `benchmarks.bronze`, then an incremental build after a 2-day increment
(with a late file) has gone through bronze.

    python -m benchmarks.silver
"""

from __future__ import annotations

import json
import sys

from benchmarks.report import ROOT, checks_table, machine, publish, run_child

WORK = ROOT / ".bench"
TARGETS = {"full_s": 90.0, "incremental_share": 0.10}


def main() -> int:
    target = WORK / "bronze"
    warehouse = target / "warehouse.duckdb"
    if not warehouse.exists():
        sys.exit("run `python -m benchmarks.bronze` first: this benchmark builds on its warehouse")
    transform = [sys.executable, "pipelines/transform_pipeline.py", "--warehouse", str(warehouse),
                 "--pipelines-dir", str(target / "pipelines")]
    print("silver: full build", file=sys.stderr)
    full_s, full_rss = run_child(transform + ["--full-refresh"])
    raw = WORK / "raw"
    scale = json.loads((raw / "_manifest.json").read_text())["scale"]
    print("increment: generate 2 days + a late file, load bronze", file=sys.stderr)
    run_child([sys.executable, "-m", "generators", "--quiet", "--seed", "42", "--scale", str(scale), "--out",
               str(raw), "--start-date", "2026-01-01", "--days", "2", "--late-days", "1"])
    run_child([sys.executable, "pipelines/bronze_dlt_pipeline.py", "--raw", str(raw), "--lake", str(target / "lake"),
               "--warehouse", str(warehouse), "--pipelines-dir", str(target / "pipelines")])
    print("silver: incremental build", file=sys.stderr)
    incr_s, incr_rss = run_child(transform)
    share = incr_s / full_s
    checks = [("full build (models + tests + snapshots)", f"{full_s:.1f} s", f"<= {TARGETS['full_s']:.0f} s",
               full_s <= TARGETS["full_s"]),
              ("incremental build after a 2-day increment", f"{incr_s:.1f} s ({share:.0%} of full)",
               f"<= {TARGETS['incremental_share']:.0%} of full", share <= TARGETS["incremental_share"]),
              ("peak RSS (full / incremental)", f"{full_rss:,.0f} / {incr_rss:,.0f} MiB", "", True)]
    publish("silver", [
        "## Silver", "",
        f"`python -m benchmarks.silver` on the scale-{scale} bronze warehouse — {machine()}.", "",
        *checks_table(checks), "",
        "Times include starting dbt through dlt's runner (a few seconds per invocation). The incremental "
        "build re-runs every test and rebuilds the small tables (dimensions, returns, data-quality models) "
        "in full; the large facts read only the new bronze loads.",
    ])
    return 0


if __name__ == "__main__":
    sys.exit(main())
