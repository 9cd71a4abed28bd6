"""BI benchmark in Chromium on the scale-1.0 Gold that `benchmarks.transform` built and published
(.bench/bronze/gold): the server's cold start, each page's first render and a slicer change,
from navigation / interaction to the KPI values being visible.

    python -m benchmarks.bi [--runs 3]

Each page is first opened in a new browser session (its own queries not cached yet); the slicer
change picks a region no page has used before, so every query of that view runs uncached.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

import psutil

from analytics import browser
from analytics.gold import GoldUnavailable, current
from benchmarks.report import ROOT, checks_table, machine, publish
from pipelines.publish_gold import gold_dir_for

WAREHOUSE = ROOT / ".bench" / "bronze" / "warehouse.duckdb"
PAGES = ["executive", "customers", "products", "operations", "data_quality"]
TARGETS = {"first_render_s": 3.0, "slicer_s": 1.0}


def pick_region(tab, index: int) -> None:
    tab.get_by_label("Regions").click()
    tab.get_by_role("option").nth(index).click()


def timed_kpis(tab, action, old: str | None = None) -> float:
    """Seconds from the action to KPI values visible (and, after a slicer change, different)."""
    started = time.perf_counter()
    action()
    if old is None:
        browser.wait_for_kpis(tab, timeout_ms=120_000)
    else:
        tab.wait_for_function(
            "([sel, old]) => { const v = document.querySelector(sel); return v && v.innerText.trim() && "
            "v.innerText !== old; }",
            arg=[browser.KPI, old],
            timeout=120_000,
        )
    return time.perf_counter() - started


def measure(url: str, server: psutil.Process, runs: int) -> tuple[float, list[tuple[str, float, float, float]]]:
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as pw:
        chromium = browser.launch(pw)
        cold_tab = chromium.new_context(viewport=browser.DESKTOP).new_page()
        cold = timed_kpis(cold_tab, lambda: cold_tab.goto(f"{url}/executive?persona=executive"))
        cold_tab.context.close()
        for index, page in enumerate(PAGES):
            persona = "data_engineer" if page == "data_quality" else "executive"
            firsts, slicers = [], []
            for run in range(runs):
                tab = chromium.new_context(viewport=browser.DESKTOP).new_page()
                address = f"{url}/{page}?persona={persona}"
                firsts.append(timed_kpis(tab, lambda t=tab, a=address: t.goto(a)))
                browser.wait_until_idle(tab)
                if page != "data_quality" and run == 0:  # pipeline KPIs ignore the business slicers
                    old = browser.kpi_values(tab)[0]
                    slicers.append(timed_kpis(tab, lambda t=tab, i=index: pick_region(t, i % 5), old))
                tab.context.close()
            cpu = sum(server.cpu_times()[:2])
            rows.append((page, firsts[0], statistics.median(firsts), slicers[0] if slicers else float("nan"), cpu))
        chromium.close()
    return cold, rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="visits per page (the first is uncached)")
    args = parser.parse_args(argv)
    missing = browser.chromium_missing()
    if missing:
        sys.exit(f"error: {missing}")
    gold_dir = gold_dir_for(WAREHOUSE)
    try:
        build = current(gold_dir)
    except GoldUnavailable:
        if not WAREHOUSE.exists():
            sys.exit("run `python -m benchmarks.bronze` and `python -m benchmarks.transform` first")
        subprocess.run([sys.executable, "pipelines/publish_gold.py", "--warehouse", str(WAREHOUSE)], check=True)
        build = current(gold_dir)
    env = {"GOLD__PUBLISH_DIR": str(gold_dir), "RETAIL_BI_MODE": "demo"}
    with browser.app_server(env, timeout=120) as url:
        server = next(p for p in psutil.Process().children(recursive=True) if "streamlit" in " ".join(p.cmdline()))
        cold, rows = measure(url, server, args.runs)
    worst_first = max(r[1] for r in rows)
    worst_slicer = max(r[3] for r in rows if r[3] == r[3])
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
                ("server cold start to the first KPIs", f"{cold:.2f} s", "", True),
            ]
        ),
        "",
        "| page | first render | median of " + str(args.runs) + " visits | slicer change | server CPU so far |",
        "|---|---:|---:|---:|---:|",
        *[
            f"| {page} | {first:.2f} s | {median:.2f} s | "
            + ("n/a (pipeline page)" if slicer != slicer else f"{slicer:.2f} s")
            + f" | {cpu:.1f} s |"
            for page, first, median, slicer, cpu in rows
        ],
        "",
        "Times run in Chromium (Debian's, headless) from `goto` / the click on a region to every KPI card showing a "
        "value (a slicer change: to the first KPI changing). The first render of a page is its first visit in a new "
        "browser session after the executive page warmed the server (the cold start row includes Python imports and "
        "loading the dimensions into memory). Each slicer change picks a region no page used before, so none of its "
        "queries is cached. Server CPU is the Streamlit process's user + system time, cumulative.",
    ]
    publish("bi", lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
