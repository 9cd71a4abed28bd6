"""Gold star schema (dimensions, facts, business views), built by the real dbt build on a
real bronze warehouse and checked against the raw files and the anomaly log."""

from __future__ import annotations

import json
import shutil
from datetime import date

import holidays
import polars as pl
import pytest
from conftest import INCREMENT, SCALE, SEED, run_bronze, run_generator
from deltalake import DeltaTable
from raw_readers import SCHEMAS, logged, read_csv_text, read_many
from test_silver import transform

import duckdb


@pytest.fixture(scope="module")
def built(bronze, tmp_path_factory):
    target = tmp_path_factory.mktemp("gold")
    shutil.copy(bronze / "warehouse.duckdb", target / "warehouse.duckdb")
    shutil.copytree(bronze / "pipelines", target / "pipelines")
    proc = transform(target / "warehouse.duckdb")
    assert proc.returncode == 0, proc.stderr[-2000:]
    return target / "warehouse.duckdb"


def query(warehouse, sql, *params):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.sql(sql, params=list(params) or None).fetchall()


def test_calendar_covers_every_fact_and_has_an_unknown_member(built):
    ((first, last, unknown),) = query(
        built, "SELECT min(calendar_date), max(calendar_date), count(*) FILTER (WHERE date_key = -1) FROM gold.dim_date"
    )
    ((order_first, order_last),) = query(
        built, "SELECT min(order_date_utc), max(order_date_utc) FROM silver.silver_orders"
    )
    assert first <= order_first and order_last <= last and unknown == 1
    ((days,),) = query(built, "SELECT count(*) FROM gold.dim_date WHERE date_key <> -1")
    assert days == (last - first).days + 1


@pytest.mark.parametrize(
    "day, fiscal_year, period, quarter",
    [(date(2024, 6, 30), 2024, 12, 4), (date(2024, 7, 1), 2025, 1, 1), (date(2025, 1, 15), 2025, 7, 3)],
)
def test_australian_fiscal_periods(built, day, fiscal_year, period, quarter):
    assert query(
        built,
        "SELECT fiscal_year_au, fiscal_period_au, fiscal_quarter_au FROM gold.dim_date WHERE calendar_date = ?",
        day,
    ) == [(fiscal_year, period, quarter)]


def test_holidays_come_from_the_library(built):
    for country, code, column in (
        ("AU", "AU", "is_holiday_au"),
        ("US", "US", "is_holiday_us"),
        ("GB", "UK", "is_holiday_gb"),
    ):
        expected = {d for d in holidays.country_holidays(code, years=[2024, 2025])}
        found = {
            r[0]
            for r in query(
                built, f"SELECT calendar_date FROM gold.dim_date WHERE {column} AND calendar_year IN (2024, 2025)"
            )
        }
        assert found == expected, country


def test_gdpr_masking(built):
    rows = query(
        built,
        """SELECT d.email, d.phone, d.address_line1, d.postcode, d.latitude, s.email, s.phone, d.city, s.city
                           FROM gold.dim_customer d JOIN silver.silver_customers s USING (customer_id)
                           WHERE NOT s.gdpr_consent""",
    )
    assert rows
    for email, phone, line1, postcode, lat, raw_email, raw_phone, city, raw_city in rows:
        assert email != raw_email and len(email) == 64  # a SHA-256 hex digest
        assert raw_phone is None or (phone != raw_phone and phone.endswith(raw_phone[-3:]))
        assert line1 is None and postcode is None and lat is None and city == raw_city


def test_gdpr_test_fails_on_a_leak(bronze, tmp_path):
    shutil.copy(bronze / "warehouse.duckdb", tmp_path / "warehouse.duckdb")
    shutil.copytree(bronze / "pipelines", tmp_path / "pipelines")
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        # the email of a customer without consent spills into a product name (and so into gold)
        con.sql("""UPDATE bronze.products SET name = (
                       SELECT email FROM bronze.customers WHERE NOT gdpr_consent AND email LIKE '%@%.%'
                       AND email NOT IN (SELECT email FROM bronze.customers WHERE gdpr_consent)
                       ORDER BY customer_id LIMIT 1)
                   WHERE product_id = (SELECT min(product_id) FROM bronze.products)""")
    proc = transform(tmp_path / "warehouse.duckdb")
    assert proc.returncode == 6  # a dbt failure (README, "Exit codes")
    assert "assert_no_personal_data_of_non_consenting_customers_in_gold" in proc.stderr


def test_dimensions_have_unique_keys_and_unknown_members(built):
    for table, key in (("dim_customer", "customer_key"), ("dim_store", "store_key"), ("dim_supplier", "supplier_key")):
        ((rows, keys, unknown),) = query(
            built, f"SELECT count(*), count(DISTINCT {key}), count(*) FILTER (WHERE {key} = -1) FROM gold.{table}"
        )
        assert rows == keys and unknown == 1, table
    ((customers,),) = query(built, "SELECT count(*) FROM gold.dim_customer WHERE customer_key <> -1")
    ((people,),) = query(built, "SELECT count(DISTINCT natural_key) FROM bronze.customers")
    assert customers == people


def test_fct_sales_measures_and_aud_conversion(built):
    rows = query(
        built,
        """SELECT f.quantity, f.unit_price, f.line_total, f.discount_amount, f.net_amount, f.tax_amount,
                                  f.gross_amount, f.net_amount_aud, l.line_discount_pct, l.tax_pct, r.rate_to_aud
                           FROM gold.fct_sales f
                           JOIN silver.silver_order_lines l
                              ON l.order_id = f.order_number AND l.line_number = f.line_number
                           JOIN silver.silver_orders o ON o.order_id = f.order_number
                           JOIN silver.stg_exchange_rates r
                              ON r.currency = o.currency AND r.rate_date = o.order_date_utc
                           USING SAMPLE 200 ROWS""",
    )
    assert rows
    for qty, price, total, discount, net, tax, gross, net_aud, disc_pct, tax_pct, rate in rows:
        assert total == qty * price
        assert abs(discount - total * disc_pct) < 0.0001 and abs(net - (total - discount)) < 0.0001
        assert abs(tax - net * tax_pct) < 0.0001 and gross == net + tax
        assert abs(net_aud - net * rate) < 0.0001


def test_fct_sales_keeps_broken_references_with_unknown_members(built):
    ((orphans,),) = query(built, "SELECT count(*) FROM silver.silver_order_lines WHERE is_product_orphan")
    ((unknown,),) = query(built, "SELECT count(*) FROM gold.fct_sales WHERE product_key = -1")
    assert orphans > 0 and unknown == orphans  # every product-orphan line is kept, nothing else is unknown
    ((lines, net),) = query(built, "SELECT count(*), sum(net_amount) FROM silver.silver_order_lines")
    assert query(built, "SELECT count(*), sum(net_amount) FROM gold.fct_sales") == [(lines, net)]


def test_product_version_valid_at_order_time(loaded_copy):
    data, target = loaded_copy
    warehouse = target / "warehouse.duckdb"
    assert transform(warehouse).returncode == 0  # the snapshot sees the base prices
    run_generator("--seed", SEED, "--scale", SCALE, "--out", str(data), *INCREMENT)
    run_bronze(data, target)
    assert transform(warehouse).returncode == 0
    rows = query(
        warehouse,
        """SELECT f.order_ts, p.valid_from, p.valid_to FROM gold.fct_sales f
                               JOIN gold.dim_product p USING (product_key) WHERE p.product_key <> -1""",
    )
    assert rows and all(vf <= ts.replace(tzinfo=None) < vt for ts, vf, vt in rows)
    ((versions,),) = query(warehouse, "SELECT count(*) FROM gold.dim_product WHERE NOT is_current")
    assert versions > 0  # the increment's price changes and discontinuations made history


# --- facts: returns, shipments, sensor readings, ingestion audit ---------------------------------------


def test_fct_returns_keeps_every_current_return_and_values_refunds_at_the_price_paid(built, raw):
    current = pl.from_arrow(DeltaTable(str(raw / "returns")).to_pyarrow_table())
    facts = pl.DataFrame(
        query(built, "SELECT return_id, returned_quantity, refund_amount FROM gold.fct_returns"),
        schema=["return_id", "returned_quantity", "refund_amount"],
        orient="row",
    )
    assert sorted(facts["return_id"]) == sorted(current["return_id"])
    # the price paid, from the raw order lines: net = qty * unit_price * (1 - discount) per line
    lines = read_many(raw, "orders_lines/*/*.csv", SCHEMAS["orders_lines"]).filter(
        (pl.col("qty") > 0) & (pl.col("unit_price") > 0) & pl.col("line_discount_pct").is_between(0, 1)
    )
    paid = (
        lines.with_columns(
            net=pl.col("qty")
            * pl.col("unit_price").cast(pl.Float64)
            * (1 - pl.col("line_discount_pct").cast(pl.Float64))
        )
        .group_by("order_id", "product_id")
        .agg(pl.col("net").sum() / pl.col("qty").sum())
    )
    expected = current.join(paid, on=["order_id", "product_id"], how="left").select(
        "return_id", refund=pl.col("qty") * pl.col("net")
    )
    both = facts.join(expected, on="return_id")
    assert both.height == facts.height and both["refund"].null_count() == both["refund_amount"].null_count()
    assert (both["refund_amount"].cast(pl.Float64) - both["refund"]).abs().max() < 0.01
    ((coded,),) = query(built, "SELECT count(*) FROM gold.fct_returns WHERE return_reason_code = 'UNKNOWN'")
    assert coded == 0  # every reason text of the old schema maps to a code of the new one


def test_fct_shipments_sla_status_matches_the_injected_late_and_in_transit_parcels(built, raw):
    status = dict(query(built, "SELECT shipment_id, sla_status FROM gold.fct_shipments"))
    shipped = pl.concat([pl.read_parquet(p) for p in sorted((raw / "shipments").glob("*.parquet"))])
    assert sorted(status) == sorted(shipped["shipment_id"])
    late = {sid for sid, _carrier in logged(raw, "shipments", "late_delivery")}
    in_transit = {sid for (sid,) in logged(raw, "shipments", "in_transit")}
    assert {s for s, v in status.items() if v == "late"} == late
    assert {s for s, v in status.items() if v in ("in_transit", "overdue")} == in_transit
    ((on_time, flagged),) = query(
        built, "SELECT count(*) FILTER (WHERE on_time_flag), count(on_time_flag) FROM gold.fct_shipments"
    )
    assert on_time == len(status) - len(late) - len(in_transit) and flagged == on_time + len(late)


def test_fct_sensor_readings_hourly_and_rolling_statistics(built, raw):
    readings = read_many(raw, "sensors/*/*/*.csv").filter(pl.col("sensor_ts").is_not_null())
    stores = read_csv_text(raw / "stores.csv").select("store_id", "store_code")
    hourly = (
        readings.join(stores, on="store_id")
        .with_columns(
            hour=pl.col("sensor_ts").str.to_datetime(time_zone="UTC").dt.truncate("1h").dt.replace_time_zone(None),
            temp=pl.col("temperature_c").cast(pl.Float64),
            hum=pl.col("humidity_pct").cast(pl.Float64),
        )
        .with_columns(bad=~pl.col("temp").is_between(-30, 50) | ~pl.col("hum").is_between(0, 100))
        .group_by("store_code", "shelf_id", "hour")
        .agg(
            readings=pl.len(),
            bad=pl.col("bad").sum(),
            max_temp=pl.col("temp").filter(pl.col("temp").is_between(-30, 50)).max(),
        )
    )
    rolling = (
        hourly.sort("hour")
        .rolling("hour", period="24h", group_by=["store_code", "shelf_id"])
        .agg(rolling_readings=pl.col("readings").sum(), rolling_bad=pl.col("bad").sum())
    )
    expected = hourly.join(rolling, on=["store_code", "shelf_id", "hour"])
    facts = pl.DataFrame(
        query(
            built,
            """SELECT s.store_code, f.shelf_id, f.sensor_hour, f.reading_count, f.out_of_range_count,
                                                f.max_temperature_c, f.rolling_24h_reading_count,
                                                 f.rolling_24h_out_of_range_count
                                         FROM gold.fct_sensor_readings f JOIN gold.dim_store s USING (store_key)""",
        ),
        schema=["store_code", "shelf_id", "hour", "readings", "bad", "max_temp", "rolling_readings", "rolling_bad"],
        orient="row",
    )
    assert facts.height == expected.height
    both = facts.join(expected, on=["store_code", "shelf_id", "hour"], suffix="_raw")
    assert both.height == facts.height
    for column in ("readings", "bad", "rolling_readings", "rolling_bad"):
        assert (both[column] == both[f"{column}_raw"].cast(pl.Int64)).all(), column
    assert ((both["max_temp"] - both["max_temp_raw"]).abs().fill_null(0) < 1e-9).all()
    assert both["bad"].sum() == len(logged(raw, "sensors", "out_of_range"))


def test_fct_ingestion_audit_accounts_for_every_raw_row(built, raw):
    sources = json.loads((raw / "_manifest.json").read_text())["sources"]
    audit = dict(
        (
            (t, (p, loaded, r))
            for t, p, loaded, r in query(
                built,
                """SELECT table_name, sum(rows_processed), sum(rows_loaded), sum(rows_rejected)
                  FROM gold.fct_ingestion_audit WHERE status = 'loaded' GROUP BY 1""",
            )
        )
    )
    for table in ("orders_header", "orders_lines", "events", "sensors", "customers", "products", "shipments"):
        processed, loaded, rejected = audit[table]
        assert processed == sources[table]["rows"] == loaded + rejected, table
    ((rejects,),) = query(built, "SELECT count(*) FROM bronze.rejects")
    assert sum(r for _, _, r in audit.values()) == rejects > 0


# --- business views -------------------------------------------------------------------------------------

VIEWS = (
    "vw_sales_performance",
    "vw_customer_360",
    "vw_product_performance",
    "vw_delivery_performance",
    "vw_store_environment",
    "vw_data_quality_dashboard",
    "vw_data_quality_anomalies",
)


def test_views_have_no_surrogate_keys_or_audit_columns(built):
    columns = query(
        built,
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'gold' "
        "AND table_name LIKE 'vw\\_%' ESCAPE '\\'",
    )
    assert {t for t, _ in columns} == set(VIEWS)
    technical = ("ingestion_ts", "src_filename", "src_line", "src_row_hash", "bronze_load_id", "load_id", "is_unknown")
    offending = [(t, c) for t, c in columns if c.endswith("_key") or c.startswith(("_dlt", "dbt_")) or c in technical]
    assert offending == []


def test_view_kpis_match_independent_sums(built):
    ((net,),) = query(built, "SELECT sum(net_amount_aud) FROM gold.fct_sales")
    assert query(built, "SELECT sum(net_sales_aud) FROM gold.vw_sales_performance") == [(net,)]
    ((known,),) = query(built, "SELECT sum(net_amount_aud) FROM gold.fct_sales WHERE customer_key <> -1")
    assert query(built, "SELECT sum(lifetime_value_aud) FROM gold.vw_customer_360") == [(known,)]
    # return rate per product from silver: units returned / valid units sold
    expected = dict(
        query(
            built,
            """
        WITH sold AS (SELECT p.sku, sum(l.qty) AS units FROM silver.silver_order_lines l
                      JOIN silver.silver_products p USING (product_id) GROUP BY 1),
             back AS (SELECT p.sku, sum(r.qty) AS units FROM silver.silver_returns r
                      JOIN silver.silver_products p USING (product_id) GROUP BY 1)
        SELECT sold.sku, round(coalesce(back.units, 0) / sold.units, 4) FROM sold LEFT JOIN back USING (sku)""",
        )
    )
    found = dict(query(built, "SELECT sku, return_rate FROM gold.vw_product_performance WHERE units_sold > 0"))
    assert found == expected
    ((delivered, on_time),) = query(
        built, "SELECT sum(delivered), sum(delivered_on_time) FROM gold.vw_delivery_performance"
    )
    assert query(
        built,
        "SELECT count(*) FILTER (WHERE NOT is_in_transit), count(*) FILTER (WHERE on_time_flag) "
        "FROM gold.fct_shipments",
    ) == [(delivered, on_time)]
    statuses = dict(query(built, "SELECT source_table, quality_status FROM gold.vw_data_quality_dashboard"))
    assert statuses["events"] == "WARNING" and statuses["customers"] == "OK"  # events carry the rejected lines
