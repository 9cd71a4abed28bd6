"""End-to-end benchmark: the main job (`make run`: generate -> bronze -> silver + gold) from
nothing, at scale 1.0 and 3.0, to show how time and memory grow with the data.

    python -m benchmarks.end_to_end --scales 1.0 3.0

Each scale runs in its own folder under .bench/ (raw files, warehouse, lake, dlt state), so
nothing is reused: this is `make run SCALE=<scale>` on a fresh clone, minus the install.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys

from benchmarks.report import ROOT, ChildRun, checks_table, machine, measure_child, publish, site_args

WORK = ROOT / ".bench"
TARGETS = {"wall_s": 150.0, "rss_mib": 2560.0}  # at scale 1.0
STEPS = ("generate", "bronze", "silver\\+gold")
# memory is bounded when the peak adds at most this share of what a peak proportional to the data would
BOUNDED_SHARE = 0.25


def run_job(scale: float, seed: int) -> tuple[ChildRun, dict[str, float], int]:
    """The main job at `scale` into a fresh folder: its measurements, step times and raw rows."""
    folder = WORK / f"e2e-{scale:g}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    command = [
        sys.executable,
        "pipelines/main_job.py",
        "--seed",
        str(seed),
        "--scale",
        str(scale),
        *site_args(folder / "raw", folder),
    ]
    print(f"main job at scale {scale:g}", file=sys.stderr)
    run = measure_child(command)
    times = {}
    for step in STEPS:
        match = re.search(rf"time:.*{step} ([\d.]+) s", run.stdout)
        assert match, (step, run.stdout[-2000:])
        times[step.replace("\\", "")] = float(match.group(1))
    rows = re.search(r"^raw\s+([\d,]+)", run.stdout, re.M)
    assert rows, run.stdout[-2000:]
    shutil.rmtree(folder, ignore_errors=True)  # tens of GB at scale 3
    return run, times, int(rows.group(1).replace(",", ""))


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 3.0])
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    results = {scale: run_job(scale, args.seed) for scale in args.scales}
    lines = [
        "## End to end",
        "",
        f"`python -m benchmarks.end_to_end --scales {' '.join(f'{s:g}' for s in args.scales)}` — {machine()}.",
        "",
    ]
    if 1.0 in results:
        run, _, _ = results[1.0]
        lines += checks_table(
            [
                ("`make run SCALE=1.0`, wall", f"{run.wall:.1f} s (CPU {run.cpu:.1f} s)", "<= 150 s", run.wall <= 150),
                (
                    "peak RSS (largest process)",
                    f"{run.rss_mib:,.0f} MiB",
                    "<= 2,560 MiB",
                    run.rss_mib <= TARGETS["rss_mib"],
                ),
            ]
        )
        lines.append("")
    base = min(results)
    base_run, _, base_rows = results[base]
    lines += [
        "| scale | raw rows | wall s | CPU s | generate s | bronze s | silver+gold s | peak RSS | "
        f"wall per row vs scale {base:g} | CPU per row vs scale {base:g} | peak RSS vs scale {base:g} |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for scale, (run, times, rows) in sorted(results.items()):
        wall_per_row = (run.wall / rows) / (base_run.wall / base_rows)
        cpu_per_row = (run.cpu / rows) / (base_run.cpu / base_rows)
        lines.append(
            f"| {scale:g} | {rows:,} | {run.wall:.1f} | {run.cpu:.1f} | {times['generate']:.1f} | "
            f"{times['bronze']:.1f} | {times['silver+gold']:.1f} | {run.rss_mib:,.0f} MiB | {wall_per_row:.2f}x | "
            f"{cpu_per_row:.2f}x | {run.rss_mib / base_run.rss_mib:.2f}x |"
        )
    largest = max(results)
    memory = ""
    if largest != base:
        # Bounded memory: the peak grows much less than the data. A peak that grew with the data
        # would add the base's peak once per base's worth of rows; a ratio alone cannot say this
        # (it depends on which process peaks at the base scale).
        peak, base_peak = results[largest][0].rss_mib, base_run.rss_mib
        data_growth = results[largest][2] / base_rows
        added, proportional = peak - base_peak, base_peak * (data_growth - 1)
        verdict = "stays bounded" if added <= BOUNDED_SHARE * proportional else "is NOT bounded by the batch sizes"
        memory = (
            f"; peak RSS grew by {added:,.0f} MiB ({peak / base_peak:.2f}x) for {data_growth:.2f}x the rows, "
            f"{added / proportional:.0%} of the {proportional:,.0f} MiB a peak proportional to the data would "
            f"add: memory {verdict}"
        )
    lines += [
        "",
        "Each scale starts from an empty folder (raw files, warehouse, lake, dlt state) and runs "
        "`pipelines/main_job.py`, the command behind `make run`. A ratio per row near 1.00x means time grows "
        "linearly with the data (CPU is the steadier measure on a shared machine); peak RSS is that of the "
        f"largest process of the job (the generator, bronze or dbt){memory}.",
    ]
    publish("end_to_end", lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
