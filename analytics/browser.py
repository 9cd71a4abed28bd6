"""Run the app as a server and drive it with Debian's Chromium: shared by the browser tests,
`make screenshots` and the BI benchmark.

Playwright's own browser download cannot work offline; it drives the system `chromium`
(`apt-get install -y chromium`) through `executable_path`.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ANALYTICS = Path(__file__).resolve().parent
CHROMIUM = os.environ.get("RETAIL_BI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
KPI = '[data-testid="stMetricValue"]'
MOBILE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 1000}


def chromium_missing() -> str | None:
    """Why the browser cannot run here, or None."""
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        return f"{CHROMIUM} not found: install Debian's package `chromium` (apt-get install -y chromium)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the Python package playwright is not installed (make install)"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def app_server(env: dict[str, str] | None = None, port: int | None = None, timeout: float = 60) -> Iterator[str]:
    """Start the app (analytics/serve.py: `streamlit run app.py`, warmed) from analytics/ (so its
    .streamlit/config.toml applies) on a free port of 127.0.0.1; yield its URL; stop it afterwards."""
    port = port or free_port()
    proc = subprocess.Popen(
        [sys.executable, "serve.py", "--server.port", str(port), "--server.headless", "true"],
        cwd=ANALYTICS,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                output = proc.stdout.read() if proc.stdout else ""
                raise RuntimeError(f"the app did not start on {url}:\n{output[-3000:]}")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def launch(playwright):
    """Chromium from Debian, headless."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def wait_for_kpis(page, timeout_ms: float = 30_000) -> list[str]:
    """Wait until the page shows KPI values (the page has rendered its numbers); return them."""
    page.wait_for_function(
        """(sel) => { const v = [...document.querySelectorAll(sel)];
                      return v.length > 0 && v.every(e => e.innerText.trim().length > 0); }""",
        arg=KPI,
        timeout=timeout_ms,
    )
    return kpi_values(page)


def kpi_values(page) -> list[str]:
    return [e.inner_text().strip() for e in page.query_selector_all(KPI)]


def wait_until_idle(page, timeout_ms: float = 60_000, quiet_ms: int = 800) -> None:
    """Wait until the script run is over: Streamlit's running indicator absent for `quiet_ms`
    in a row (it appears a moment after a run starts, so one look is not enough)."""
    deadline = time.monotonic() + timeout_ms / 1000
    running = '[data-testid="stStatusWidget"], [data-testid="stStatusWidgetRunningIcon"]'
    while time.monotonic() < deadline:
        page.wait_for_function(f"() => !document.querySelector('{running}')", timeout=timeout_ms)
        page.wait_for_timeout(quiet_ms)
        if not page.query_selector(running):
            return
    raise TimeoutError("the app kept running")


def wait_for_charts(page, timeout_ms: float = 30_000) -> None:
    """Scroll through the page (charts render when they come into view) and wait until every
    Vega-Lite chart has drawn."""
    height = page.evaluate("() => document.body.scrollHeight")
    for _ in range(0, height + 1, 600):
        page.mouse.wheel(0, 600)
        page.wait_for_timeout(50)
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
                 .every(c => c.querySelector('canvas, svg'))""",
        timeout=timeout_ms,
    )
    page.evaluate("() => window.scrollTo(0, 0)")


def full_height(page, width: int) -> None:
    """Streamlit scrolls inside its main container, so a full-page screenshot needs a viewport
    as tall as that container's content."""
    height = page.evaluate(
        """() => { const m = document.querySelector('[data-testid="stMain"]') || document.body;
                   return Math.max(m.scrollHeight, document.body.scrollHeight); }"""
    )
    page.set_viewport_size({"width": width, "height": int(height) + 40})


def open_option(page, label: str, skip: str = "Select all", attempts: int = 6):
    """Open the select box `label` and return its first option (not `skip`), visible.
    A rerun that re-renders the page can close an open list, so opening is retried."""
    for _ in range(attempts):
        page.get_by_label(label).click()
        option = page.get_by_role("option").filter(has_not_text=skip).first
        try:
            option.wait_for(timeout=3_000)
            return option
        except Exception:  # the list closed under us: open it again
            page.keyboard.press("Escape")
    raise TimeoutError(f"could not open the options of {label!r}")


def pick_option(page, label: str, skip: str = "Select all", attempts: int = 6) -> str:
    """Click the first option (not `skip`) of the select box `label`; the option's text."""
    for _ in range(attempts):
        option = open_option(page, label, skip, attempts)
        try:
            text = option.inner_text().strip()
            option.click(timeout=3_000)
            return text
        except Exception:  # the list closed under us: open it again
            page.keyboard.press("Escape")
    raise TimeoutError(f"could not pick an option of {label!r}")
