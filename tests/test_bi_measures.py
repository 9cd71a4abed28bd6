"""The measures of analytics/measures.py against independent SQL over the warehouse's gold
schema, for two slicer combinations and a store manager's scope; the publisher's atomic swap;
row-level security of a store manager's connection."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, date, datetime, timedelta

import pytest
from bi_support import copy_target, warehouse_sql

import duckdb
from analytics import measures
from analytics.filters import Slicers
from analytics.gold import AccessDenied, Gold, Scope, connect, current
from pipelines import publish_gold
from pipelines.dlt_run_context import PROJECT_ROOT as ROOT
from pipelines.exit_codes import ExitCode, RunFailed
from pipelines.warehouse import configured_warehouse


def key(day: date) -> int:
    return int(day.strftime("%Y%m%d"))


@pytest.fixture(scope="module")
def build(bi_target):
    return current(bi_target / "gold")


@pytest.fixture(scope="module")
def combos(bi_target) -> list[Slicers]:
    """All of the data; 90 days of the busiest region and category; 180 days of the two busiest
    categories (orders spanning both count once: sales_daily's orders per category do not add up)."""
    ((low, high),) = warehouse_sql(
        bi_target, "SELECT min(date_key), max(date_key) FROM gold.fct_sales WHERE date_key > 0"
    )
    low, high = (datetime.strptime(str(k), "%Y%m%d").date() for k in (low, high))
    ((region,),) = warehouse_sql(
        bi_target,
        """SELECT s.region FROM gold.fct_sales f JOIN gold.dim_store s USING (store_key) WHERE s.region IS NOT NULL
           GROUP BY 1 ORDER BY sum(net_amount_aud) DESC LIMIT 1""",
    )
    category, second = (
        c
        for (c,) in warehouse_sql(
            bi_target,
            """SELECT p.category FROM gold.fct_sales f JOIN gold.dim_product p USING (product_key)
               GROUP BY 1 ORDER BY sum(net_amount_aud) DESC LIMIT 2""",
        )
    )
    return [
        Slicers(low, high),
        Slicers(high - timedelta(days=89), high, (region,), (category,)),
        Slicers(high - timedelta(days=179), high, (), (category, second)),
    ]


def expected(target, f: Slicers, store_keys: list[int] | None = None) -> dict:
    """Every measure by plain SQL over gold.* in the warehouse (not the published Parquet)."""
    regions = f"s.region IN ({', '.join(repr(r) for r in f.regions)})" if f.regions else "TRUE"
    categories = f"p.category IN ({', '.join(repr(c) for c in f.categories)})" if f.categories else "TRUE"
    stores = f"f.store_key IN ({', '.join(map(str, store_keys))})" if store_keys else "TRUE"
    lines = f"""FROM gold.fct_sales f JOIN gold.dim_store s ON s.store_key = f.store_key
                JOIN gold.dim_product p ON p.product_key = f.product_key
                WHERE {regions} AND {categories} AND {stores}"""
    start, end = key(f.start), key(f.end)

    def one(sql):
        return warehouse_sql(target, sql)[0][0]

    def net(low, high):
        return float(one(f"SELECT coalesce(sum(f.net_amount_aud), 0) {lines} AND f.date_key BETWEEN {low} AND {high}"))

    prior_low, prior_high = (
        one(f"SELECT CAST(strftime(DATE '{d}' - INTERVAL 1 YEAR, '%Y%m%d') AS INT)") for d in (f.start, f.end)
    )
    total = net(start, end)
    units = one(f"SELECT sum(f.quantity) {lines} AND f.date_key BETWEEN {start} AND {end}") or 0
    order_count = one(f"SELECT count(DISTINCT f.order_number) {lines} AND f.date_key BETWEEN {start} AND {end}")
    active = one(
        f"SELECT count(DISTINCT f.customer_key) {lines} AND f.date_key BETWEEN {start} AND {end} "
        "AND f.customer_key > -1"
    )
    clv = one(
        f"""SELECT sum(f.net_amount_aud) / {active} {lines} AND f.date_key <= {end} AND f.customer_key IN (
                SELECT f.customer_key {lines} AND f.date_key BETWEEN {start} AND {end} AND f.customer_key > -1)"""
    )
    new = one(
        f"""SELECT count(*) FROM (SELECT f.customer_key, min(f.date_key) AS first {lines} AND f.date_key <= {end}
            AND f.customer_key > -1 GROUP BY 1) WHERE first BETWEEN {start} AND {end}"""
    )
    vip = one(
        f"""SELECT coalesce(sum(f.net_amount_aud), 0) {lines} AND f.date_key BETWEEN {start} AND {end}
            AND f.customer_key IN (SELECT customer_key FROM gold.dim_customer WHERE is_vip)"""
    )
    returned = one(
        f"""SELECT coalesce(sum(f.returned_quantity), 0) FROM gold.fct_returns f
            JOIN gold.dim_store s ON s.store_key = f.store_key JOIN gold.dim_product p ON p.product_key = f.product_key
            WHERE {regions} AND {categories} AND {stores}
              AND CAST(f.order_ts AT TIME ZONE 'UTC' AS DATE) BETWEEN DATE '{f.start}' AND DATE '{f.end}'"""
    )
    shipments = f"""FROM gold.fct_shipments f JOIN gold.dim_store s ON s.store_key = f.store_key
        WHERE {regions} AND {stores} AND f.ship_date_key BETWEEN {start} AND {end}
          AND ({
        "TRUE"
        if not f.categories
        else f'''f.order_number IN (SELECT x.order_number FROM gold.fct_sales x
               JOIN gold.dim_product p ON p.product_key = x.product_key WHERE {categories})'''
    })"""
    days = one(f"SELECT avg(delivery_days) {shipments} AND delivered_at IS NOT NULL")
    on_time, with_sla = warehouse_sql(
        target, f"SELECT count(*) FILTER (WHERE on_time_flag), count(on_time_flag) {shipments}"
    )[0]
    prior = net(prior_low, prior_high)
    return {
        "total_sales": total,
        "quantity": units,
        "orders": order_count,
        "average_order_value": total / order_count if order_count else None,
        "ytd_sales": net(key(f.end.replace(month=1, day=1)), end),
        "mtd_sales": net(key(f.end.replace(day=1)), end),
        "yoy_pct": total / prior - 1 if prior else None,
        "rolling_30d_average": net(key(f.end - timedelta(days=29)), end) / 30,
        "active_customers": active,
        "customer_lifetime_value": float(clv) if clv is not None else None,
        "new_and_returning": (new, active - new),
        "vip_contribution": float(vip) / total if total else None,
        "return_rate": float(returned) / units if units else None,
        "average_delivery_days": days,
        "on_time_rate": on_time / with_sla if with_sla else None,
    }


def found(gold: Gold, f: Slicers) -> dict:
    values = {name: measure(gold, f) for name, measure in measures.SLICED.items()}
    values["new_and_returning"] = measures.new_and_returning_customers(gold, f)
    return values


def assert_same(got: dict, want: dict) -> None:
    for name, value in want.items():
        if value is None:
            assert got[name] is None, name
        elif isinstance(value, tuple):
            assert got[name] == value, name
        else:
            assert got[name] == pytest.approx(float(value), rel=1e-9, abs=1e-9), name


@pytest.mark.parametrize("combo", [0, 1, 2], ids=["all data", "90 days, one region and category", "two categories"])
def test_every_sliced_measure_equals_sql_over_gold(bi_target, build, combos, combo):
    f = combos[combo]
    want = expected(bi_target, f)
    assert want["total_sales"] > 0 and want["orders"] > 0  # the combination selects data
    if len(f.categories) > 1:  # some orders hold both categories: orders per category overcount them
        ((per_category,),) = warehouse_sql(
            bi_target,
            f"""SELECT sum(n) FROM (SELECT count(DISTINCT f.order_number) AS n FROM gold.fct_sales f
                JOIN gold.dim_product p USING (product_key)
                WHERE p.category IN {f.categories} AND f.date_key BETWEEN {key(f.start)} AND {key(f.end)}
                GROUP BY p.category)""",
        )
        assert per_category > want["orders"]
    assert_same(found(Gold(build, Scope()), f), want)


def test_a_store_managers_measures_cover_their_stores_only(bi_target, build, combos):
    ((store_key,),) = warehouse_sql(
        bi_target, "SELECT store_key FROM gold.fct_sales WHERE store_key > 0 GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
    )
    f = combos[0]
    scoped = found(Gold(build, Scope(frozenset({store_key}))), f)
    assert_same(scoped, expected(bi_target, f, [store_key]))
    assert scoped["total_sales"] < expected(bi_target, f)["total_sales"]


def test_pipeline_measures_equal_sql_over_gold(bi_target, build):
    gold = Gold(build, Scope())
    rejected, processed = warehouse_sql(
        bi_target, "SELECT sum(rows_rejected), sum(rows_processed) FROM gold.fct_ingestion_audit"
    )[0]
    assert measures.rejection_rate(gold) == pytest.approx(rejected / processed)
    ((newest,),) = warehouse_sql(
        bi_target, "SELECT max(finished_at) FROM gold.fct_ingestion_audit WHERE status = 'loaded'"
    )
    now = datetime.now(UTC)
    assert measures.freshness_hours(gold, now) == pytest.approx((now - newest).total_seconds() / 3600)
    ((cells, values),) = warehouse_sql(
        bi_target, "SELECT sum(total_rows), sum(non_null_values) FROM gold.vw_data_completeness"
    )
    assert measures.completeness_score(gold) == pytest.approx(values / cells)
    assert 0 < measures.completeness_score(gold) < 1  # the generator plants missing contact fields


def test_what_if_with_no_change_is_the_baseline_and_a_price_rise_with_elastic_demand_lowers_units(build, combos):
    gold, f = Gold(build, Scope()), combos[0]
    same = measures.what_if(gold, f, 0.0, 0.0, -1.2)
    assert same["projected_sales"] == pytest.approx(measures.total_sales(gold, f))
    assert same["projected_margin"] == pytest.approx(measures.estimated_margin(gold, f))
    assert same["projected_units"] == pytest.approx(same["units"])
    rise = measures.what_if(gold, f, 0.1, 0.0, -1.2)
    assert rise["projected_units"] == pytest.approx(same["units"] * 1.1**-1.2)
    assert rise["projected_sales"] == pytest.approx(same["sales"] * 1.1 * 1.1**-1.2)


def test_a_store_managers_connection_holds_no_other_store(bi_target, build):
    keys = frozenset(
        k for (k,) in warehouse_sql(bi_target, "SELECT store_key FROM gold.dim_store WHERE store_key > 0 LIMIT 2")
    )
    con = connect(build, Scope(keys))
    for table in ("fct_sales", "fct_returns", "fct_shipments", "fct_sensor_readings", "dim_store", "sales_lines"):
        seen = {k for (k,) in con.execute(f"SELECT DISTINCT store_key FROM {table}").fetchall()}
        assert seen <= keys, table
    # the daily aggregates hold these stores' rows alone, not the published every-store files
    for aggregate, fact, column in (
        ("sales_daily", "fct_sales", "net_amount_aud"),
        ("sensor_daily", "fct_sensor_readings", "reading_count"),
    ):
        ((mine, aggregated),) = con.execute(
            f"SELECT (SELECT sum({column}) FROM {fact}), "
            f"(SELECT sum({column}) FROM {aggregate} WHERE {'all_categories' if fact == 'fct_sales' else 'TRUE'})"
        ).fetchall()
        assert mine == aggregated, aggregate
    ((customers,),) = con.execute(
        "SELECT count(*) FROM dim_customer WHERE customer_key NOT IN (SELECT customer_key FROM fct_sales "
        "UNION SELECT customer_key FROM fct_shipments UNION SELECT customer_key FROM fct_returns)"
    ).fetchall()
    assert customers == 0
    # no way around the scope: no file access, no pipeline relations, settings locked
    with pytest.raises(duckdb.Error):
        con.execute(f"SELECT count(*) FROM read_parquet('{build.path('fct_sales')}')").fetchall()
    with pytest.raises(duckdb.CatalogException):
        con.execute("SELECT count(*) FROM fct_ingestion_audit").fetchall()
    with pytest.raises(duckdb.Error):
        con.execute("SET enable_external_access = true")
    with pytest.raises(AccessDenied):
        measures.rejection_rate(Gold(build, Scope(keys)))


def test_publish_swaps_the_pointer_atomically_and_keeps_the_newest_builds(bi_target, tmp_path):
    warehouse = copy_target(bi_target, tmp_path / "t")
    gold_dir = tmp_path / "t" / "gold"
    first = current(gold_dir).build_id
    made = [publish_gold.publish(warehouse, gold_dir)[0] for _ in range(3)]
    assert current(gold_dir).build_id == made[-1] != first
    builds = sorted(p.name for p in (gold_dir / "builds").iterdir())
    assert builds == sorted(made)  # the oldest of four is gone
    assert os.readlink(gold_dir / "current") == f"builds/{made[-1]}"
    history = duckdb.sql(f"SELECT count(*) FROM read_parquet('{gold_dir / 'current' / 'build_history.parquet'}')")
    assert history.fetchone()[0] == 4


def test_publish_refuses_a_warehouse_without_gold(tmp_path):
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    with pytest.raises(publish_gold.PublishError, match="no gold relations"):
        publish_gold.publish(empty, tmp_path / "gold")
    assert not (tmp_path / "gold" / "current").exists()
    with pytest.raises(RunFailed, match="could not be published") as failure:
        publish_gold.publish_for_readers(tmp_path / "missing.duckdb")
    assert failure.value.code == ExitCode.PUBLISH_FAILED


def test_a_project_warehouse_elsewhere_publishes_beside_itself(tmp_path, monkeypatch):
    monkeypatch.delenv("GOLD__PUBLISH_DIR", raising=False)
    assert publish_gold.gold_dir_for(tmp_path / "w.duckdb") == tmp_path.resolve() / "gold"
    assert publish_gold.gold_dir_for(configured_warehouse()) == ROOT / "lake" / "gold"
    shutil.rmtree(tmp_path)
