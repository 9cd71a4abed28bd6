"""Shared helpers: machine facts and replacing one section of docs/benchmarks.md."""

from __future__ import annotations

import json
import os
import platform
import re
import resource
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "docs" / "benchmarks.md"
TITLE = (
    "# Benchmarks\n\nMeasured numbers, written by the benchmark scripts (`make bench`). Each section is\n"
    "replaced when its benchmark runs again; ratios compare against a baseline measured in\n"
    "the same run, because this machine is noisy.\n"
)


def machine() -> str:
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = os.getloadavg()[0]  # above the core count: other work shared the machine, times are inflated
    return (
        f"{os.cpu_count()} cores, {mem_gib:.0f} GiB RAM, Python {platform.python_version()}, "
        f"measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, 1-minute load average {load:.1f} at the end"
    )


_MEASURE = """
import json, resource, subprocess, sys, time
started = time.perf_counter()
code = subprocess.run(sys.argv[1:]).returncode
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"code": code, "wall": time.perf_counter() - started, "rss_kib": usage.ru_maxrss,
                  "cpu": usage.ru_utime + usage.ru_stime}))
"""


@dataclass
class ChildRun:
    wall: float  # seconds
    cpu: float  # user + system seconds of the command and every process it started
    rss_mib: float  # peak RSS of the largest of those processes
    stdout: str = ""  # the command's output (it is shown as well)
    stderr: str = ""  # when captured (it is shown as well)


def measure_child(args: list[str], capture_stderr: bool = False) -> ChildRun:
    """Run a command in a fresh wrapper process, its output streamed (stderr also kept when asked)."""
    proc = subprocess.run(
        [sys.executable, "-c", _MEASURE, *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE if capture_stderr else None,
        text=True,
    )
    *output, last = proc.stdout.rstrip("\n").split("\n")
    if output:
        print("\n".join(output))
    if capture_stderr:
        print(proc.stderr, file=sys.stderr, end="")
    result = json.loads(last)
    if result["code"] != 0:
        sys.exit(f"benchmark command failed ({result['code']}): {' '.join(args)}")
    return ChildRun(result["wall"], result["cpu"], result["rss_kib"] / 1024, "\n".join(output), proc.stderr or "")


def run_child(args: list[str]) -> tuple[float, float]:
    """Run a command in a fresh wrapper process, its output streamed; return (wall seconds,
    peak RSS MiB of that command alone)."""
    run = measure_child(args)
    return run.wall, run.rss_mib


def site_args(raw: Path, site: Path) -> list[str]:
    """The pipeline CLIs' options for a raw folder and a site (warehouse, lake and dlt state)."""
    return [
        "--raw",
        str(raw),
        "--warehouse",
        str(site / "warehouse.duckdb"),
        "--lake",
        str(site / "lake"),
        "--pipelines-dir",
        str(site / "pipelines"),
    ]


def cpu_seconds() -> float:
    """User + system CPU seconds of this process so far (its threads included)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def write_section(name: str, body: str, report: Path = REPORT) -> None:
    """Replace (or append) the section between the markers of `name`."""
    text = report.read_text() if report.exists() else TITLE
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = f"{start}\n{body.rstrip()}\n{end}"
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
    text = pattern.sub(lambda _: block, text) if pattern.search(text) else text.rstrip() + "\n\n" + block + "\n"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(text)


def checks_table(checks: list[tuple[str, str, str, bool]]) -> list[str]:
    """Markdown rows of (measure, value, target, met) — the head of every benchmark section."""
    return [
        "| measure | value | target | met |",
        "|---|---|---|---|",
        *[
            f"| {name} | {value} | {target} | {('yes' if ok else 'NO') if target else ''} |"
            for name, value, target, ok in checks
        ],
    ]


def publish(name: str, lines: list[str], report: Path = REPORT) -> None:
    """Write the section to docs/benchmarks.md (or another report) and show it."""
    write_section(name, "\n".join(lines), report)
    print("\n".join(lines))
