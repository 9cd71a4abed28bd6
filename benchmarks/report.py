"""Shared helpers: machine facts and replacing one section of docs/benchmarks.md."""

from __future__ import annotations

import os
import platform
import re
import resource
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "docs" / "benchmarks.md"
TITLE = "# Benchmarks\n\nMeasured numbers, written by the benchmark scripts (`make bench`). Each section is\nreplaced when its benchmark runs again; ratios compare against a baseline measured in\nthe same run, because this machine is noisy.\n"


def machine() -> str:
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{os.cpu_count()} cores, {mem_gib:.0f} GiB RAM, Python {platform.python_version()}, "
            f"measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC")


def run_child(args: list[str]) -> tuple[float, float]:
    """Run a command, stream its output; return (wall seconds, peak RSS MiB of the child)."""
    started = time.perf_counter()
    proc = subprocess.run(args, cwd=ROOT)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"benchmark command failed ({proc.returncode}): {' '.join(args)}")
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, peak_kib / 1024


def write_section(name: str, body: str) -> None:
    """Replace (or append) the section between the markers of `name`."""
    text = REPORT.read_text() if REPORT.exists() else TITLE
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = f"{start}\n{body.rstrip()}\n{end}"
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
    text = pattern.sub(lambda _: block, text) if pattern.search(text) else text.rstrip() + "\n\n" + block + "\n"
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(text)
