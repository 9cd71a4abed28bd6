"""What every page shares: the Gold build and the user's scope (resolved once per run by
app.py), the slicers in the sidebar and the URL, the "data refreshed at" line, KPI cards and
number formats, and the query cache keyed on the Gold build."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import streamlit as st

from analytics import access
from analytics.filters import Slicers
from analytics.gold import AccessDenied, Build, Gold, GoldUnavailable, Scope, connect, current, fetch

SLICER_DATES, SLICER_REGIONS, SLICER_CATEGORIES = "slicer_dates", "slicer_regions", "slicer_categories"


@dataclass(frozen=True)
class Context:
    gold: Gold
    slicers: Slicers
    user: access.User
    min_date: date
    max_date: date


# -- queries, cached per Gold build -------------------------------------------------------------


@st.cache_resource(max_entries=8, show_spinner=False)
def _connection(build_id: str, scope_key: str, _build: Build, _scope: Scope):
    return connect(_build, _scope)


@st.cache_data(max_entries=4000, show_spinner=False)
def _query(build_id: str, scope_key: str, sql: str, params: tuple, _build: Build, _scope: Scope) -> pd.DataFrame:
    """One query's result; the key is (build id, scope, SQL, parameters), so a new Gold build is
    never answered from the cache of an old one."""
    return fetch(_connection(build_id, scope_key, _build, _scope), sql, dict(params))


def gold_for(build: Build, scope: Scope) -> Gold:
    def runner(sql: str, params: dict | None) -> pd.DataFrame:
        frozen = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in (params or {}).items()))
        return _query(build.build_id, scope.key, sql, frozen, build, scope)

    return Gold(build, scope, runner)


# -- sign-in and personas ---------------------------------------------------------------------


def identify() -> access.User:
    """The signed-in user (accounts mode) or the picked persona (demo mode); stops the run on
    the sign-in form or a configuration problem."""
    try:
        mode = access.mode()
    except access.AccountsError as exc:
        st.error(str(exc))
        st.stop()
    if mode == "demo":
        return demo_persona()
    user = st.session_state.get("user")
    if user is not None:
        with st.sidebar:
            st.caption(f"Signed in as **{user.name}** ({user.label})")
            if st.button("Sign out", key="sign_out"):
                del st.session_state["user"]
                st.rerun()
        return user
    st.title("Retail analytics")
    try:
        access.load_accounts()
    except access.AccountsError as exc:
        st.error(str(exc))
        st.stop()
    with st.form("sign_in"):
        name = st.text_input("User name", key="sign_in_name")
        password = st.text_input("Password", type="password", key="sign_in_password")
        submitted = st.form_submit_button("Sign in")
    if submitted:
        user = access.sign_in(name, password)
        if user is None:
            st.error("Unknown user name or wrong password.")
        else:
            st.session_state["user"] = user
            st.rerun()
    st.stop()


def demo_persona() -> access.User:
    with st.sidebar:
        st.warning("Demo mode: personas are picked without signing in.", icon=":material/theater_comedy:")
        personas = list(access.PERSONAS)
        wanted = st.query_params.get("persona", "executive")
        if "demo_persona" not in st.session_state:
            st.session_state["demo_persona"] = wanted if wanted in personas else "executive"
        persona = st.selectbox("Persona", personas, key="demo_persona", format_func=lambda p: access.PERSONAS[p][0])
        stores: tuple[int, ...] = ()
        if persona == "store_manager":
            labels = demo_stores()
            if "demo_store" not in st.session_state:
                wanted_store = st.query_params.get("manager_of", "")
                wanted_key = int(wanted_store) if wanted_store.lstrip("-").isdigit() else None
                st.session_state["demo_store"] = (
                    wanted_key if wanted_key in labels else (next(iter(labels)) if labels else None)
                )
            store = st.selectbox("Store manager of", list(labels), key="demo_store", format_func=labels.get)
            stores = (store,) if store is not None else ()
            if store is not None:
                st.query_params["manager_of"] = str(store)
        elif "manager_of" in st.query_params:
            del st.query_params["manager_of"]
        st.query_params["persona"] = persona
    return access.User(f"demo {access.PERSONAS[persona][0].lower()}", persona, stores)


def demo_stores() -> dict[int, str]:
    """Every store: {store_key: "name (code)"}, by name."""
    try:
        build = current()
    except GoldUnavailable:
        return {}
    return store_labels(gold_for(build, Scope()))


def store_labels(gold: Gold, keys: list[int] | None = None) -> dict[int, str]:
    """{store_key: "name (code)"} of the stores in the connection (only `keys` when given), by
    name. A store is its store_key: two stores may share a code, never a key."""
    stores = gold.frame(
        """SELECT store_key, store_label AS label FROM dim_store
            WHERE store_key <> -1 AND ($keys IS NULL OR list_contains($keys, store_key)) ORDER BY label, store_key""",
        {"keys": keys},
    )
    return {int(key): label for key, label in zip(stores["store_key"], stores["label"], strict=True)}


def scope_for(user: access.User, build: Build) -> Scope:
    """Every store, or the keys of the user's stores; stops with a message when a store-scoped
    user has none that exists."""
    if user.sees_every_store:
        return Scope()
    labels = store_labels(gold_for(build, Scope()), list(user.store_ids))
    if not labels:
        listed = ", ".join(map(str, user.store_ids)) or "none"
        st.warning(
            f"Your account ({user.name}, {user.label}) is not assigned to any store in the data "
            f"(store ids listed: {listed}). Ask an administrator to add your store ids to your account."
        )
        st.stop()
    return Scope(frozenset(labels), tuple(labels.values()))


# -- slicers ----------------------------------------------------------------------------------


def _parse_date(text: str | None, default: date, low: date, high: date) -> date:
    try:
        day = date.fromisoformat(text) if text else default
    except ValueError:
        day = default
    return min(max(day, low), high)


def slicer_domain(gold: Gold) -> tuple[date, date, list[str], list[str]] | None:
    """(first and last day with sales, regions, categories) the slicers offer; None without sales."""
    bounds = gold.frame("SELECT min(date_key), max(date_key) FROM fct_sales WHERE date_key > 0")
    if bounds.empty or pd.isna(bounds.iat[0, 0]):
        return None
    low, high = (datetime.strptime(str(int(bounds.iat[0, i])), "%Y%m%d").date() for i in (0, 1))
    regions = gold.frame("SELECT DISTINCT region FROM dim_store WHERE region IS NOT NULL ORDER BY 1")["region"].tolist()
    categories = gold.frame("SELECT DISTINCT category FROM dim_product WHERE product_key <> -1 ORDER BY 1")[
        "category"
    ].tolist()
    return low, high, regions, categories


def default_dates(low: date, high: date) -> tuple[date, date]:
    """The default period: the year up to the last full month with data (so YTD and MTD cover
    whole months, not the first day or two of a month the data has just entered), or up to the
    last day with data when the data does not span a full month."""
    end = high if (high + timedelta(days=1)).day == 1 else high.replace(day=1) - timedelta(days=1)
    if end < low:
        end = high
    return max(low, end - timedelta(days=364)), end


def slicers(gold: Gold) -> tuple[Slicers, date, date]:
    """The sidebar slicers, initialised from the URL on a session's first run and written back
    to the URL on every run (so any view can be bookmarked and shared)."""
    domain = slicer_domain(gold)
    if domain is None:
        st.info("Gold holds no sales for your stores yet: nothing to report. Run `make run` to load data.")
        st.stop()
    low, high, regions, categories = domain
    params = st.query_params
    if SLICER_DATES not in st.session_state:
        default_start, default_end = default_dates(low, high)
        st.session_state[SLICER_DATES] = (
            _parse_date(params.get("from"), default_start, low, high),
            _parse_date(params.get("to"), default_end, low, high),
        )
        st.session_state[SLICER_REGIONS] = [r for r in params.get_all("region") if r in regions]
        st.session_state[SLICER_CATEGORIES] = [c for c in params.get_all("category") if c in categories]
    with st.sidebar:
        st.subheader("Slicers")
        picked = st.date_input("Order dates", min_value=low, max_value=high, key=SLICER_DATES, format="YYYY-MM-DD")
        chosen_regions = st.multiselect("Regions", regions, key=SLICER_REGIONS, placeholder="All regions")
        chosen_categories = st.multiselect(
            "Categories", categories, key=SLICER_CATEGORIES, placeholder="All categories"
        )
    if isinstance(picked, tuple | list) and len(picked) == 2:
        start, end = picked
    else:  # the second date is still being picked
        start, end = (picked[0], picked[0]) if picked else (low, high)
    if start > end:
        start, end = end, start
    params["from"], params["to"] = start.isoformat(), end.isoformat()
    for key, values in (("region", chosen_regions), ("category", chosen_categories)):
        if values:
            params[key] = values
        elif key in params:
            del params[key]
    return Slicers(start, end, tuple(chosen_regions), tuple(chosen_categories)), low, high


# -- shared page parts ------------------------------------------------------------------------


def url_params(**changes: str) -> list[tuple[str, str]]:
    """The current URL parameters (repeated keys kept) with some replaced: for st.switch_page."""
    kept = [(k, v) for k in st.query_params if k not in changes for v in st.query_params.get_all(k)]
    return kept + [(k, v) for k, v in changes.items() if v is not None]


def context() -> Context:
    return st.session_state["context"]


def refreshed(build: Build) -> None:
    st.caption(
        f"Data refreshed at **{build.published_at.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC** "
        f"(Gold build {build.build_id.split('-')[0]})",
        help="When the last transform published Gold. Each page reads that build until the next one.",
    )


def page_header(title: str, ctx: Context) -> None:
    st.title(title)
    f = ctx.slicers
    scope = "" if ctx.gold.scope.everything else f" · stores: {', '.join(ctx.gold.scope.labels)}"
    st.caption(
        f"{f.start:%d %b %Y} – {f.end:%d %b %Y} · regions: {', '.join(f.regions) or 'all'} · "
        f"categories: {', '.join(f.categories) or 'all'}{scope}"
    )
    refreshed(ctx.gold.build)


def aud(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "n/a"
    if abs(value) >= 1e6:
        return f"A${value / 1e6:,.2f}M"
    if abs(value) >= 1e5:
        return f"A${value / 1e3:,.1f}K"
    return f"A${value:,.{digits}f}"


def pct(value: float | None, digits: int = 1, signed: bool = False) -> str:
    if value is None:
        return "n/a"
    return f"{value * 100:{'+' if signed else ''}.{digits}f}%"


def number(value: float | None, digits: int = 0) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


def kpis(cards: list[tuple[str, str, str | None, str]]) -> None:
    """A row of KPI cards: (label, value, delta or None, help with the formula)."""
    for column, (label, value, delta, help_text) in zip(st.columns(len(cards)), cards, strict=True):
        column.metric(label, value, delta, help=help_text, border=True)


def nothing_selected(df: pd.DataFrame, what: str = "data") -> bool:
    """Show a clear message when the slicers select nothing; True when so."""
    if df.empty:
        st.info(f"No {what} for the current slicers. Widen the date range or clear a region or category.")
        return True
    return False


def denied(exc: AccessDenied) -> None:
    st.warning(str(exc))


# -- drill-through ----------------------------------------------------------------------------
# A click on a chart mark or a pick in a "drill through" box records the target in a callback;
# the page then switches. Acting only on the change (not on the selection that stays in the
# widget) means coming back to a page does not drill again.

DRILL = "drill_to"


def drill_from_chart(key: str, field: str, page: str, param: str) -> None:
    points = st.session_state[key].selection.get("pick") or []
    if points:
        st.session_state[DRILL] = (page, param, points[0][field])


def drill_from_box(key: str, page: str, param: str) -> None:
    value = st.session_state[key]
    if value is not None:
        st.session_state[key] = None
        st.session_state[DRILL] = (page, param, value)


def follow_drill() -> None:
    target = st.session_state.pop(DRILL, None)
    if target:
        page, param, value = target
        st.switch_page(f"report_pages/{page}.py", query_params=url_params(**{param: str(value)}))


def drill_box(label: str, targets: dict, key: str, page: str, param: str) -> None:
    """A box listing drill-through targets: {URL parameter value: shown label}."""
    st.selectbox(
        label,
        list(targets),
        index=None,
        key=key,
        format_func=lambda value: targets.get(value, str(value)),
        placeholder="Pick one to drill through",
        on_change=drill_from_box,
        args=(key, page, param),
    )
    follow_drill()
