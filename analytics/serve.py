"""Start the report server warm: `python analytics/serve.py [streamlit run options]` (what
`make bi`, the browser tests, the screenshots and the BI benchmark run).

Without it the first browser session pays for the app's imports (pandas, Altair, dlt's
configuration: about 3 s of CPU) and the first queries of the start page. Here the server
process imports them before it listens, and once Streamlit's runtime exists (so results land
in the cache every session reads) a background thread runs the slicers' queries and the KPI
queries of the default view for every store's scope. The cache stays keyed on the Gold build:
a build published later is queried by its first interaction, as without the warm-up.
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

ANALYTICS = Path(__file__).resolve().parent
if str(ANALYTICS.parent) not in sys.path:
    sys.path.insert(0, str(ANALYTICS.parent))

import altair as alt  # noqa: E402
import pandas as pd  # noqa: E402
from streamlit.runtime import Runtime  # noqa: E402
from streamlit.web import cli  # noqa: E402

from analytics import measures, ui  # noqa: E402
from analytics.filters import Slicers  # noqa: E402
from analytics.gold import EVERYTHING, GoldUnavailable, current  # noqa: E402

RUNTIME_WAIT_S = 60


def warm() -> None:
    """The current build's slicer domain and the default view's KPI queries, cached; Altair's
    schema validator loaded (the first chart's validation pays for it)."""
    alt.Chart(pd.DataFrame({"x": [0]})).mark_point().encode(x="x:Q").to_dict()
    deadline = time.monotonic() + RUNTIME_WAIT_S
    while not Runtime.exists():
        if time.monotonic() > deadline:
            return
        time.sleep(0.05)
    try:
        gold = ui.gold_for(current(), EVERYTHING)
        domain = ui.slicer_domain(gold)
        if domain is None:
            return  # no sales: the page says so
        period = Slicers(*ui.default_dates(domain[0], domain[1]))
        for measure in (measures.total_sales, measures.active_customers):
            measure(gold, period)
    except GoldUnavailable:
        return  # the page says what to run
    except Exception as exc:  # a warm-up is an optimisation: the page reports real errors itself
        print(f"warning: cache warm-up skipped ({type(exc).__name__}: {exc})", file=sys.stderr)


def main() -> None:
    threading.Thread(target=warm, name="warm-gold-cache", daemon=True).start()
    sys.argv = ["streamlit", "run", str(ANALYTICS / "app.py"), *sys.argv[1:]]
    cli.main()


if __name__ == "__main__":
    main()
