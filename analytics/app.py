"""Retail analytics: the report over published Gold. Start it with `make bi`.

The entry script runs on every interaction: it resolves the user (sign-in or demo persona),
the current Gold build and the user's store scope, renders the shared slicers, then runs the
page. Pages read everything from `ui.context()`.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from analytics import ui  # noqa: E402
from analytics.gold import GoldUnavailable, current  # noqa: E402

HERE = Path(__file__).parent
# (file, title, icon, personas that see it); the first page of a persona's list is not its
# start page: access.PERSONAS names that.
PAGES = [
    ("executive", "Executive", ":material/monitoring:", {"executive", "store_manager", "data_engineer"}),
    ("customers", "Customers", ":material/groups:", {"executive", "store_manager", "data_engineer"}),
    ("products", "Products", ":material/inventory_2:", {"executive", "store_manager", "data_engineer"}),
    ("operations", "Operations", ":material/local_shipping:", {"executive", "store_manager", "data_engineer"}),
    ("data_quality", "Data quality", ":material/fact_check:", {"executive", "data_engineer"}),
]
# Drill-through targets: reached from the pages, not listed in the menu.
DRILL_PAGES = [("product_detail", "Product detail"), ("store_detail", "Store detail")]


def main() -> None:
    st.set_page_config(page_title="Retail analytics", page_icon=":material/storefront:", layout="wide")
    user = ui.identify()
    try:
        build = current()
    except GoldUnavailable as exc:
        st.title("Retail analytics")
        st.error(str(exc), icon=":material/database_off:")
        st.stop()
    scope = ui.scope_for(user, build)
    gold = ui.gold_for(build, scope)
    slicers, low, high = ui.slicers(gold)
    st.session_state["context"] = ui.Context(gold, slicers, user, low, high)

    pages = [
        st.Page(HERE / "report_pages" / f"{name}.py", title=title, icon=icon, url_path=name)
        for name, title, icon, personas in PAGES
        if user.persona in personas
    ]
    start = next(p for p in pages if p.url_path == user.start_page)
    # The root URL opens the persona's start page (a default page has no URL of its own, so the
    # report pages are not default: each keeps a bookmarkable address).
    pages.append(
        st.Page(
            lambda: st.switch_page(start, query_params=ui.url_params()),
            title="Start",
            url_path="start",
            default=True,
            visibility="hidden",
        )
    )
    pages += [
        st.Page(HERE / "report_pages" / f"{name}.py", title=title, url_path=name, visibility="hidden")
        for name, title in DRILL_PAGES
    ]
    # A persona picked in demo mode starts on its own page.
    if st.session_state.get("persona_shown") not in (None, user.persona):
        st.session_state["persona_shown"] = user.persona
        st.switch_page(start, query_params=ui.url_params())
    st.session_state["persona_shown"] = user.persona
    st.navigation(pages).run()


main()
