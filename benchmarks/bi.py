"""BI benchmark in Chromium on a scale-1.0 Gold: by default the one `benchmarks.transform` built
and published (.bench/bronze/gold), or the Gold of `--warehouse` (`make run SCALE=1.0` builds
duckdb/warehouse.duckdb and publishes lake/gold). Measures the server's cold start, each page's
first render and a slicer change, from navigation / interaction to the KPI values being visible.

    python -m benchmarks.bi [--runs 3] [--warehouse duckdb/warehouse.duckdb]

Pages are reached from the menu, as a user does; the first visit of a page runs its queries
uncached, and each slicer change selects a region combination not used before.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psutil

from analytics import browser
from analytics.gold import GoldUnavailable, current
from benchmarks.report import ROOT, checks_table, machine, publish
from pipelines.publish_gold import gold_dir_for

WAREHOUSE = ROOT / ".bench" / "bronze" / "warehouse.duckdb"
PAGES = ["executive", "customers", "products", "operations", "data_quality"]
TARGETS = {"first_render_s": 3.0, "slicer_s": 1.0}


TITLES = {
    "executive": "Executive",
    "customers": "Customers",
    "products": "Products",
    "operations": "Operations",
    "data_quality": "Data quality",
}


def timed(tab, server: psutil.Process, action, title: str, old: str | None = None) -> tuple[float, float]:
    """(wall seconds, server CPU seconds) from the action to the page titled `title` showing all
    its KPI values (after a slicer change: the first KPI changed)."""
    started, cpu = time.perf_counter(), server_cpu(server)
    action()
    tab.wait_for_function(
        """([sel, title, old]) => {
             const h = document.querySelector('h1'); const v = [...document.querySelectorAll(sel)];
             return h && h.innerText.trim() === title && v.length > 0
                    && v.every(e => e.innerText.trim().length > 0)
                    && (old === null || v.map(e => e.innerText).join('|') !== old); }""",
        arg=[browser.KPI, title, old],
        timeout=120_000,
    )
    return time.perf_counter() - started, server_cpu(server) - cpu


def server_cpu(server: psutil.Process) -> float:
    """The app server's user + system CPU seconds so far."""
    return sum(server.cpu_times()[:2])


Timing = tuple[float, float]  # (wall, server CPU) seconds


def measure(url: str, server: psutil.Process, runs: int) -> tuple[Timing, list[tuple[str, Timing, float, Timing]]]:
    """Cold start (first page of a new browser, JS and server cold), then each page reached from
    the menu: its first render (its queries uncached), later visits (median), a slicer change."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as pw:
        chromium = browser.launch(pw)
        tab = chromium.new_context(viewport=browser.DESKTOP).new_page()
        cold = timed(tab, server, lambda: tab.goto(f"{url}/executive?persona=executive"), "Executive")
        browser.wait_until_idle(tab)
        order = PAGES[1:] + PAGES[:1]
        visits: dict[str, list[Timing]] = {page: [] for page in PAGES}
        for _ in range(runs):
            for page in order:
                title = TITLES[page]
                visits[page].append(timed(tab, server, lambda t=title: tab.get_by_role("link", name=t).click(), title))
                browser.wait_until_idle(tab)
        for page in PAGES:
            title = TITLES[page]
            tab.get_by_role("link", name=title).click()
            timed(tab, server, lambda: None, title)
            browser.wait_until_idle(tab)
            slicer = (float("nan"), float("nan"))
            if page != "data_quality":  # pipeline KPIs ignore the business slicers
                old = "|".join(browser.kpi_values(tab))
                # One more region: a combination no earlier step used, so its queries run
                # uncached. The clock starts at the click on it, not at opening the list.
                region = browser.open_option(tab, "Regions")
                try:
                    slicer = timed(tab, server, region.click, title, old)
                except PlaywrightTimeout:
                    slicer = (float("inf"), float("nan"))  # reported as a miss, the other pages still measured
                browser.wait_until_idle(tab)
                tab.get_by_label("Regions").click()
                tab.keyboard.press("Escape")
            first = visits[page][0] if page != "executive" else cold
            later = statistics.median(wall for wall, _ in visits[page][1:] or visits[page])
            rows.append((page, first, later, slicer))
        chromium.close()
    return cold, rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="visits per page (the first is uncached)")
    parser.add_argument("--warehouse", type=Path, default=WAREHOUSE, help=f"default: {WAREHOUSE.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    missing = browser.chromium_missing()
    if missing:
        sys.exit(f"error: {missing}")
    gold_dir = gold_dir_for(args.warehouse)
    try:
        build = current(gold_dir)
    except GoldUnavailable:
        if not args.warehouse.exists():
            sys.exit(
                f"error: no warehouse {args.warehouse}: run `python -m benchmarks.bronze` and "
                "`python -m benchmarks.transform` first (or `make run SCALE=1.0` and pass --warehouse)"
            )
        subprocess.run([sys.executable, "pipelines/publish_gold.py", "--warehouse", str(args.warehouse)], check=True)
        build = current(gold_dir)
    env = {"GOLD__PUBLISH_DIR": str(gold_dir), "RETAIL_BI_MODE": "demo"}
    with browser.app_server(env, timeout=120) as url:
        server = next(p for p in psutil.Process().children(recursive=True) if "serve.py" in " ".join(p.cmdline()))
        cold, rows = measure(url, server, args.runs)
    worst_first = max(first[0] for _, first, _, _ in rows)
    worst_slicer = max(slicer[0] for _, _, _, slicer in rows if slicer[0] == slicer[0])
    lines = [
        "## BI app",
        "",
        f"`python -m benchmarks.bi` — {machine()}; Gold build {build.build_id} "
        f"({build.rows.get('fct_sales', 0):,} order lines, {build.rows.get('fct_sensor_readings', 0):,} sensor hours).",
        "",
        *checks_table(
            [
                (
                    "slowest first render of a page",
                    f"{worst_first:.2f} s",
                    f"<= {TARGETS['first_render_s']:.0f} s",
                    worst_first <= TARGETS["first_render_s"],
                ),
                (
                    "slowest slicer change",
                    f"{worst_slicer:.2f} s",
                    f"<= {TARGETS['slicer_s']:.0f} s",
                    worst_slicer <= TARGETS["slicer_s"],
                ),
                ("server cold start to the first KPIs", f"{cold[0]:.2f} s (server CPU {cold[1]:.2f} s)", "", True),
            ]
        ),
        "",
        "| page | first render | its server CPU | later visits (median) | slicer change | its server CPU |",
        "|---|---:|---:|---:|---:|---:|",
        *[
            f"| {page} | {first[0]:.2f} s | {first[1]:.2f} s | {median:.2f} s | "
            + ("n/a (pipeline page) | |" if slicer[0] != slicer[0] else f"{slicer[0]:.2f} s | {slicer[1]:.2f} s |")
            for page, first, median, slicer in rows
        ],
        "",
        "Times run in Chromium (Debian's, headless) from the click on the page in the menu (the executive page: "
        "`goto` in a new browser, which also loads the app's JavaScript and the server's first connection to Gold: "
        "the cold start) to the page's title and every KPI card showing a value; a slicer change: from the click on "
        "a region in the open list to any KPI changing. A page's first render runs its queries uncached; each slicer "
        "change adds a region, a combination no earlier step used, so its queries run uncached too. Server CPU is "
        "the Streamlit process's user + system time over the same span (on 2 cores it can exceed the wall time).",
    ]
    publish("bi", lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
