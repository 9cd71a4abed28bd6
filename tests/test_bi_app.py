"""The report's pages in Streamlit's AppTest (headless, in-process): every page for every persona,
KPI values against SQL over Gold, slicers (widgets, page changes, URL), sign-in, a store
manager's row-level security, and bad input (no Gold, nothing selected, a manager without stores)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
import pytest
from bi_support import ROOT, warehouse_sql
from streamlit.testing.v1 import AppTest

from analytics import access, charts, ui

APP = str(ROOT / "analytics" / "app.py")
PAGES = ["executive", "customers", "products", "operations", "data_quality", "product_detail", "store_detail"]
SCOPED_PAGES = ["executive", "customers", "products", "operations", "store_detail", "product_detail"]


def run(target) -> AppTest:
    """Run the app (or the app of a widget just changed) and require no exception."""
    at = target.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def app(**params: str | list[str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for name, value in params.items():
        at.query_params[name] = value
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def net_sales(target, start, end, region=None, store_keys=None) -> float:
    where = [f"f.date_key BETWEEN {start:%Y%m%d} AND {end:%Y%m%d}"]
    if region:
        where.append(f"s.region = '{region}'")
    if store_keys:
        where.append(f"s.store_key IN ({', '.join(map(str, store_keys))})")
    ((value,),) = warehouse_sql(
        target,
        f"""SELECT coalesce(sum(f.net_amount_aud), 0) FROM gold.fct_sales f
            JOIN gold.dim_store s ON s.store_key = f.store_key WHERE {" AND ".join(where)}""",
    )
    return float(value)


@pytest.fixture(scope="module")
def span(bi_target):
    ((low, high),) = warehouse_sql(
        bi_target, "SELECT min(date_key), max(date_key) FROM gold.fct_sales WHERE date_key > 0"
    )
    return tuple(datetime.strptime(str(k), "%Y%m%d").date() for k in (low, high))


@pytest.fixture(scope="module")
def busiest(bi_target):
    """(store_key, sku, region) with the most sales: targets for drill-through and slicers."""
    ((store, sku, region),) = warehouse_sql(
        bi_target,
        """SELECT arg_max(s.store_key, n), arg_max(sku, m), arg_max(s.region, n) FROM (
             SELECT s.store_key, s.region, p.sku, count(*) OVER (PARTITION BY s.store_key) AS n,
                    count(*) OVER (PARTITION BY p.sku) AS m
             FROM gold.fct_sales f JOIN gold.dim_store s USING (store_key) JOIN gold.dim_product p USING (product_key)
             WHERE f.store_key > 0 AND f.product_key <> -1) s""",
    )
    return store, sku, region


@pytest.mark.parametrize("persona", ["executive", "data_engineer", "store_manager"])
def test_every_page_renders_for_every_persona(bi_env, persona, busiest):
    store, sku, _ = busiest
    at = run(app(persona=persona, manager_of=str(store)))
    assert at.session_state["demo_persona"] == persona
    pages = [p for p in PAGES if persona != "store_manager" or p in SCOPED_PAGES]
    for page in pages:
        at.query_params.update({"sku": sku, "store": str(store)})
        run(at.switch_page(f"report_pages/{page}.py"))
        shown = metrics(at)
        assert shown and all(shown.values()), (persona, page, shown)
        assert not at.error, (page, [e.value for e in at.error])
    run(at.switch_page("report_pages/executive.py"))
    start, end = at.date_input(key=ui.SLICER_DATES).value
    first = net_sales(bi_env, start, end, store_keys=[store] if persona == "store_manager" else None)
    assert metrics(at)["Net sales"] == ui.aud(first)


def test_kpis_equal_sql_and_follow_the_slicers(bi_env, span, busiest):
    low, high = span
    at = run(app())
    # The default period ends with the last full month of data (the data's last day opens a
    # month only partly loaded, where YTD and MTD would show a day or two).
    month_end = high if (high + timedelta(days=1)).month != high.month else high.replace(day=1) - timedelta(days=1)
    default_end = month_end if month_end >= low else high
    default_start = max(low, default_end - timedelta(days=364))
    assert at.date_input(key=ui.SLICER_DATES).value == (default_start, default_end)
    shown = metrics(at)
    assert shown["Net sales"] == ui.aud(net_sales(bi_env, default_start, default_end))
    assert shown["YTD sales"] == ui.aud(net_sales(bi_env, default_end.replace(month=1, day=1), default_end))
    assert shown["MTD sales"] == ui.aud(net_sales(bi_env, default_end.replace(day=1), default_end))
    region = busiest[2]
    run(at.multiselect(key=ui.SLICER_REGIONS).set_value([region]))
    assert metrics(at)["Net sales"] == ui.aud(net_sales(bi_env, default_start, high, region))
    start = high - timedelta(days=30)
    run(at.date_input(key=ui.SLICER_DATES).set_value((start, high)))
    narrowed = metrics(at)["Net sales"]
    assert narrowed == ui.aud(net_sales(bi_env, start, high, region))
    assert narrowed != ui.aud(net_sales(bi_env, default_start, default_end))
    # the slicers survive a page change and are in the URL
    run(at.switch_page("report_pages/customers.py"))
    assert at.multiselect(key=ui.SLICER_REGIONS).value == [region]
    assert at.query_params["region"] in (region, [region])
    assert at.query_params["from"] in (start.isoformat(), [start.isoformat()])


def test_a_shared_url_opens_with_its_slicers(bi_env, span, busiest):
    _, high = span
    start = high - timedelta(days=59)
    at = run(app(**{"from": start.isoformat(), "to": high.isoformat(), "region": busiest[2]}))
    assert at.date_input(key=ui.SLICER_DATES).value == (start, high)
    assert metrics(at)["Net sales"] == ui.aud(net_sales(bi_env, start, high, busiest[2]))


def test_drill_through_from_a_category_to_a_products_order_lines(bi_env):
    at = run(app())
    run(at.switch_page("report_pages/products.py"))
    for level in ("pick_category", "pick_subcategory"):
        run(at.selectbox(key=level).select_index(0))
    product = at.selectbox(key="pick_product").options[0]
    run(at.selectbox(key="pick_product").select_index(0))
    sku = at.query_params["sku"]
    assert (sku if isinstance(sku, str) else sku[0]) in product
    assert any("Order lines" in h.value for h in at.subheader)
    lines = at.dataframe[-1].value
    assert len(lines) > 0 and {"order_number", "net_amount_aud"} <= set(lines.columns)


def test_a_filter_that_selects_nothing_says_so(bi_env, bi_target):
    """A day inside the data's span on which a region sold nothing."""
    ((day, region),) = warehouse_sql(
        bi_target,
        """WITH span AS (SELECT min(date_key) AS low, max(date_key) AS high FROM gold.fct_sales WHERE date_key > 0)
           SELECT d.calendar_date, r.region FROM gold.dim_date d, span,
                  (SELECT DISTINCT region FROM gold.dim_store WHERE region IS NOT NULL) r
           WHERE d.date_key BETWEEN span.low AND span.high AND NOT EXISTS (
                 SELECT 1 FROM gold.fct_sales f JOIN gold.dim_store s USING (store_key)
                 WHERE f.date_key = d.date_key AND s.region = r.region)
           ORDER BY 1, 2 LIMIT 1""",
    )
    at = run(app(**{"from": day.isoformat(), "to": day.isoformat(), "region": region}))
    assert metrics(at)["Net sales"] == ui.aud(0.0)
    assert any("No sales for the current slicers" in i.value for i in at.info)
    for page in ("customers", "products"):
        run(at.switch_page(f"report_pages/{page}.py"))
        assert any("current slicers" in i.value for i in at.info), page
    run(at.switch_page("report_pages/operations.py"))  # shipments of other days may exist: no error either way


def test_no_published_gold_gives_a_clear_message(bi_env, monkeypatch, tmp_path):
    monkeypatch.setenv("GOLD__PUBLISH_DIR", str(tmp_path / "nothing"))
    at = run(app())
    assert any("No published Gold" in e.value and "make run" in e.value for e in at.error)


def test_an_incomplete_gold_build_gives_a_clear_message(bi_env, monkeypatch, tmp_path):
    build = tmp_path / "gold" / "builds" / "b1"
    build.mkdir(parents=True)
    (build / "_build.json").write_text('{"build_id": "b1", "published_at": "2026-01-01T00:00:00+00:00"}')
    (tmp_path / "gold" / "current").symlink_to("builds/b1")
    monkeypatch.setenv("GOLD__PUBLISH_DIR", str(tmp_path / "gold"))
    at = run(app())
    assert any("lacks fct_sales" in e.value for e in at.error)


@pytest.fixture(scope="module")
def shared_code(bi_target) -> tuple[int, int, str]:
    """(store_key, other store_key, code): two stores with sales that share a store code (the
    generator's duplicate_store_code anomaly)."""
    pairs = warehouse_sql(
        bi_target,
        """WITH selling AS (SELECT s.store_key, s.store_code FROM gold.dim_store s
                            WHERE s.is_store_code_shared AND s.store_key IN (SELECT store_key FROM gold.fct_sales))
           SELECT a.store_key, b.store_key, a.store_code FROM selling a JOIN selling b
             ON a.store_code = b.store_code AND a.store_key <> b.store_key ORDER BY 1, 2 LIMIT 1""",
    )
    assert pairs, "the test data has no two selling stores sharing a store code"
    return pairs[0]


@pytest.fixture()
def accounts(bi_env, shared_code):
    path = access.users_file()
    access.add_account(path, "erin", "executive", "correct horse", [])
    access.add_account(path, "sam", "store_manager", "battery staple", [shared_code[0]])
    access.add_account(path, "nobody", "store_manager", "no stores at all", [987654321])
    assert "correct horse" not in path.read_text()
    return path


def sign_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="sign_in_name").input(name)
    at.text_input(key="sign_in_password").input(password)
    return run(at.button[0].click())


def test_accounts_mode_requires_a_valid_password(accounts, monkeypatch):
    monkeypatch.setenv("RETAIL_BI_MODE", "accounts")
    at = run(app(persona="store_manager"))
    assert not at.metric and at.text_input(key="sign_in_name")  # the persona picker does not exist here
    sign_in(at, "erin", "wrong password")
    assert any("wrong password" in e.value for e in at.error) and not at.metric
    sign_in(at, "erin", "correct horse")
    assert metrics(at)["Net sales"]


def test_accounts_mode_without_an_accounts_file_says_how_to_add_one(bi_env, monkeypatch):
    monkeypatch.setenv("RETAIL_BI_MODE", "accounts")
    at = run(app())
    assert any("No accounts file" in e.value for e in at.error)


def test_a_store_manager_never_sees_the_store_that_shares_their_store_code(
    bi_env, accounts, monkeypatch, busiest, shared_code
):
    """Sam manages one of two stores with the same code: no page shows the other's rows."""
    monkeypatch.setenv("RETAIL_BI_MODE", "accounts")
    store, other, code = shared_code
    at = sign_in(run(app()), "sam", "battery staple")
    assert at.title[0].value == "Operations"  # the persona's start page
    for page in SCOPED_PAGES:
        at.query_params.update({"store": str(store), "sku": busiest[1]})
        run(at.switch_page(f"report_pages/{page}.py"))
        for frame in at.dataframe:
            if "store_key" in frame.value.columns:
                assert set(frame.value["store_key"]) <= {store}, page
        for box in at.selectbox:
            if box.key in ("exec_store", "ops_store"):
                assert set(box.options) <= set(_labels(bi_env, [store])), page
    # the other store's detail page is out of reach
    at.query_params.update({"store": str(other)})
    run(at.switch_page("report_pages/store_detail.py"))
    assert any("No store" in w.value for w in at.warning)
    run(at.switch_page("report_pages/executive.py"))
    start, end = at.date_input(key=ui.SLICER_DATES).value
    mine, theirs = (net_sales(bi_env, start, end, store_keys=[key]) for key in (store, other))
    assert metrics(at)["Net sales"] == ui.aud(mine)
    assert theirs > 0 and metrics(at)["Net sales"] != ui.aud(mine + theirs)  # matching by code would merge them
    assert any(f"({code})" in c.value and "stores:" in c.value for c in at.caption)  # shown as "name (code)"


def _labels(target, keys: list[int]) -> list[str]:
    return [
        label
        for (label,) in warehouse_sql(
            target, f"SELECT store_label FROM gold.dim_store WHERE store_key IN ({', '.join(map(str, keys))})"
        )
    ]


def test_a_store_manager_without_stores_gets_a_message(accounts, monkeypatch):
    monkeypatch.setenv("RETAIL_BI_MODE", "accounts")
    at = sign_in(run(app()), "nobody", "no stores at all")
    assert any("not assigned to any store" in w.value for w in at.warning)
    assert not at.metric


def test_a_horizontal_bar_chart_labels_every_bar():
    """The top-10 chart showed every other product: Vega thins overlapping labels by default."""
    names = pd.DataFrame({"label": [f"A long product name {i} (SKU-{i:05d})" for i in range(10)], "net": range(10)})
    spec = charts.bar(names, "net", "label", []).to_dict()
    assert spec["encoding"]["y"]["axis"]["labelOverlap"] is False
    assert spec["height"] >= 10 * charts.BAR_STEP  # each bar has room for a line of text
