"""Shared helpers: machine facts and replacing one section of docs/benchmarks.md."""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
import sys
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
    return (
        f"{os.cpu_count()} cores, {mem_gib:.0f} GiB RAM, Python {platform.python_version()}, "
        f"measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )


_MEASURE = """
import json, resource, subprocess, sys, time
started = time.perf_counter()
code = subprocess.run(sys.argv[1:]).returncode
print(json.dumps({"code": code, "wall": time.perf_counter() - started,
                  "rss_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""


def run_child(args: list[str]) -> tuple[float, float]:
    """Run a command in a fresh wrapper process, its output streamed; return (wall seconds,
    peak RSS MiB of that command alone)."""
    proc = subprocess.run([sys.executable, "-c", _MEASURE, *args], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    *output, last = proc.stdout.rstrip("\n").split("\n")
    if output:
        print("\n".join(output))
    result = json.loads(last)
    if result["code"] != 0:
        sys.exit(f"benchmark command failed ({result['code']}): {' '.join(args)}")
    return result["wall"], result["rss_kib"] / 1024


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
