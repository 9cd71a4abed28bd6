"""Screenshots of every page of the report for the README (`make screenshots`): starts the app in
demo mode on the published Gold of `make run`, opens each page in Chromium and saves
docs/images/bi_<page>.png (desktop, full page) plus one 390 px wide phone view.

    python -m analytics.screenshots [--out docs/images]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from analytics import browser  # noqa: E402
from analytics.gold import GoldUnavailable, current  # noqa: E402

# (file name, URL path + query)
SHOTS = [
    ("executive", "executive?persona=executive"),
    ("customers", "customers?persona=executive"),
    ("products", "products?persona=executive"),
    ("operations", "operations?persona=executive"),
    ("data_quality", "data_quality?persona=data_engineer"),
]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m analytics.screenshots", description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "images")
    args = p.parse_args(argv)
    try:
        current()
    except GoldUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    missing = browser.chromium_missing()
    if missing:
        print(f"error: {missing}", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with browser.app_server({"RETAIL_BI_MODE": "demo"}) as url, sync_playwright() as pw:
        chromium = browser.launch(pw)
        for viewport, suffix, shots in ((browser.DESKTOP, "", SHOTS), (browser.MOBILE, "_mobile", SHOTS[:1])):
            page = chromium.new_page(viewport=viewport, device_scale_factor=1)
            for name, path in shots:
                page.goto(f"{url}/{path}")
                browser.wait_for_kpis(page)
                browser.wait_until_idle(page)
                browser.wait_for_charts(page)
                browser.full_height(page, viewport["width"])
                browser.wait_for_charts(page)
                page.wait_for_timeout(500)
                target = args.out / f"bi_{name}{suffix}.png"
                page.screenshot(path=str(target), full_page=True)
                page.set_viewport_size(viewport)
                print(f"saved {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")
            page.close()
        chromium.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
