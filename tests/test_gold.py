"""Gold dimensions (first part of the star schema): calendar, stores, suppliers and
GDPR-masked customers, built by the real dbt build on a real bronze warehouse."""

from __future__ import annotations

import shutil
from datetime import date

import duckdb
import holidays
import pytest

from conftest import INCREMENT, SCALE, SEED, run_bronze, run_generator
from test_silver import transform


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
    (first, last, unknown), = query(built, "SELECT min(calendar_date), max(calendar_date), count(*) FILTER (WHERE date_key = -1) FROM gold.dim_date")
    (order_first, order_last), = query(built, "SELECT min(order_date_utc), max(order_date_utc) FROM silver.silver_orders")
    assert first <= order_first and order_last <= last and unknown == 1
    (days,), = query(built, "SELECT count(*) FROM gold.dim_date WHERE date_key <> -1")
    assert days == (last - first).days + 1


@pytest.mark.parametrize("day, fiscal_year, period, quarter", [
    (date(2024, 6, 30), 2024, 12, 4), (date(2024, 7, 1), 2025, 1, 1), (date(2025, 1, 15), 2025, 7, 3)])
def test_australian_fiscal_periods(built, day, fiscal_year, period, quarter):
    assert query(built, "SELECT fiscal_year_au, fiscal_period_au, fiscal_quarter_au FROM gold.dim_date "
                        "WHERE calendar_date = ?", day) == [(fiscal_year, period, quarter)]


def test_holidays_come_from_the_library(built):
    for country, code, column in (("AU", "AU", "is_holiday_au"), ("US", "US", "is_holiday_us"), ("GB", "UK", "is_holiday_gb")):
        expected = {d for d in holidays.country_holidays(code, years=[2024, 2025])}
        found = {r[0] for r in query(built, f"SELECT calendar_date FROM gold.dim_date WHERE {column} "
                                            "AND calendar_year IN (2024, 2025)")}
        assert found == expected, country


def test_gdpr_masking(built):
    rows = query(built, """SELECT d.email, d.phone, d.address_line1, d.postcode, d.latitude, s.email, s.phone, d.city, s.city
                           FROM gold.dim_customer d JOIN silver.silver_customers s USING (customer_id)
                           WHERE NOT s.gdpr_consent""")
    assert rows
    for email, phone, line1, postcode, lat, raw_email, raw_phone, city, raw_city in rows:
        assert email != raw_email and len(email) == 64  # a SHA-256 hex digest
        assert raw_phone is None or (phone != raw_phone and phone.endswith(raw_phone[-3:]))
        assert line1 is None and postcode is None and lat is None and city == raw_city


def test_gdpr_test_fails_on_a_leak(bronze, tmp_path):
    shutil.copy(bronze / "warehouse.duckdb", tmp_path / "warehouse.duckdb")
    shutil.copytree(bronze / "pipelines", tmp_path / "pipelines")
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        # a customer without consent shares the email of one who consented (shown in clear)
        con.sql("""UPDATE bronze.customers SET email = (SELECT email FROM bronze.customers WHERE gdpr_consent
                                                        AND email LIKE '%@%.%' ORDER BY customer_id LIMIT 1)
                   WHERE customer_id = (SELECT min(customer_id) FROM bronze.customers WHERE NOT gdpr_consent)""")
    proc = transform(tmp_path / "warehouse.duckdb")
    assert proc.returncode == 1
    assert "assert_no_personal_data_of_non_consenting_customers_in_gold" in proc.stderr


def test_dimensions_have_unique_keys_and_unknown_members(built):
    for table, key in (("dim_customer", "customer_key"), ("dim_store", "store_key"), ("dim_supplier", "supplier_key")):
        (rows, keys, unknown), = query(built, f"SELECT count(*), count(DISTINCT {key}), count(*) FILTER (WHERE {key} = -1) "
                                              f"FROM gold.{table}")
        assert rows == keys and unknown == 1, table
    (customers,), = query(built, "SELECT count(*) FROM gold.dim_customer WHERE customer_key <> -1")
    (people,), = query(built, "SELECT count(DISTINCT natural_key) FROM bronze.customers")
    assert customers == people


def test_fct_sales_measures_and_aud_conversion(built):
    rows = query(built, """SELECT f.quantity, f.unit_price, f.line_total, f.discount_amount, f.net_amount, f.tax_amount,
                                  f.gross_amount, f.net_amount_aud, l.line_discount_pct, l.tax_pct, r.rate_to_aud
                           FROM gold.fct_sales f
                           JOIN silver.silver_order_lines l ON l.order_id = f.order_number AND l.line_number = f.line_number
                           JOIN silver.silver_orders o ON o.order_id = f.order_number
                           JOIN silver.stg_exchange_rates r ON r.currency = o.currency AND r.rate_date = o.order_date_utc
                           USING SAMPLE 200 ROWS""")
    assert rows
    for qty, price, total, discount, net, tax, gross, net_aud, disc_pct, tax_pct, rate in rows:
        assert total == qty * price
        assert abs(discount - total * disc_pct) < 0.0001 and abs(net - (total - discount)) < 0.0001
        assert abs(tax - net * tax_pct) < 0.0001 and gross == net + tax
        assert abs(net_aud - net * rate) < 0.0001


def test_fct_sales_keeps_broken_references_with_unknown_members(built):
    (orphans,), = query(built, "SELECT count(*) FROM silver.silver_order_lines WHERE is_product_orphan")
    (unknown,), = query(built, "SELECT count(*) FROM gold.fct_sales WHERE product_key = -1")
    assert orphans > 0 and unknown == orphans  # every product-orphan line is kept, nothing else is unknown
    (lines, net), = query(built, "SELECT count(*), sum(net_amount) FROM silver.silver_order_lines")
    assert query(built, "SELECT count(*), sum(net_amount) FROM gold.fct_sales") == [(lines, net)]


def test_product_version_valid_at_order_time(loaded_copy):
    data, target = loaded_copy
    warehouse = target / "warehouse.duckdb"
    assert transform(warehouse).returncode == 0  # the snapshot sees the base prices
    run_generator("--seed", SEED, "--scale", SCALE, "--out", str(data), *INCREMENT)
    run_bronze(data, target)
    assert transform(warehouse).returncode == 0
    rows = query(warehouse, """SELECT f.order_ts, p.valid_from, p.valid_to FROM gold.fct_sales f
                               JOIN gold.dim_product p USING (product_key) WHERE p.product_key <> -1""")
    assert rows and all(vf <= ts.replace(tzinfo=None) < vt for ts, vf, vt in rows)
    (versions,), = query(warehouse, "SELECT count(*) FROM gold.dim_product WHERE NOT is_current")
    assert versions > 0  # the increment's price changes and discontinuations made history
