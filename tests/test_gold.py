"""Gold star schema (dimensions, facts, business views), built by the real dbt build on a
real bronze warehouse and checked against the raw files and the anomaly log."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
import stat
import tomllib
from datetime import date

import holidays
import polars as pl
import pytest
from conftest import ROOT
from dbt_runs import TEST_PSEUDONYM_KEY, query, transform
from deltalake import DeltaTable
from raw_readers import SCHEMAS, logged, read_csv_text, read_many, read_xlsx

import duckdb
from pipelines.dbt_build import NO_UNIT_TESTS


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


def test_nationwide_holidays_come_from_the_library(built):
    for country in ("AU", "US", "GB", "CA"):
        expected = set(holidays.country_holidays(country, years=[2024, 2025]))
        found = {
            r[0]
            for r in query(
                built,
                f"SELECT calendar_date FROM gold.dim_date WHERE is_holiday_{country.lower()} "
                "AND calendar_year IN (2024, 2025)",
            )
        }
        assert found == expected, country


def test_holidays_are_flagged_where_the_store_is(built):
    regional = set(query(built, "SELECT holiday_date, country_code, subdivision FROM gold.public_holidays"))
    assert (date(2024, 6, 10), "AU", "VIC") in regional and (date(2024, 6, 10), "AU", "QLD") not in regional
    assert (date(2024, 8, 26), "GB", "ENG") in regional and (date(2024, 8, 26), "GB", "SCT") not in regional
    rows = query(
        built,
        "SELECT DISTINCT order_date, country, state, is_store_holiday FROM gold.vw_sales_performance "
        "WHERE country IS NOT NULL",
    )
    calendars = {}
    for day, country, state, flagged in rows:
        key = (country, state)
        if key not in calendars:
            calendars[key] = holidays.country_holidays(country, subdiv=state, years=range(2023, 2028))
        assert flagged == (day in calendars[key]), (day, country, state)
    assert any(flagged for *_, flagged in rows)


def test_gdpr_masking_uses_a_keyed_pseudonym(built):
    rows = query(
        built,
        """SELECT d.email, d.phone, d.address_line1, d.postcode, d.latitude, s.email, s.phone, d.city, s.city
           FROM gold.dim_customer d JOIN silver.silver_customers s USING (customer_id)
           WHERE NOT s.gdpr_consent""",
    )
    assert rows
    key = bytes.fromhex(TEST_PSEUDONYM_KEY)
    for email, phone, line1, postcode, lat, raw_email, raw_phone, city, raw_city in rows:
        raw = (raw_email or "").encode()
        assert email == hmac.new(key, raw, hashlib.sha256).hexdigest()  # HMAC-SHA256 with the secret key
        assert email != hashlib.sha256(raw).hexdigest()  # not the plain hash anyone can recompute
        assert raw_phone is None or (phone != raw_phone and phone.endswith(raw_phone[-3:]))
        assert line1 is None and postcode is None and lat is None and city == raw_city


def test_pseudonym_key_is_created_once_outside_git(tmp_path):
    """The transform creates the key in .dlt/secrets.toml on its first run (owner-only), then reuses it."""
    settings = tmp_path / ".dlt"
    settings.mkdir()
    shutil.copy(ROOT / ".dlt" / "config.toml", settings / "config.toml")
    env = {k: v for k, v in os.environ.items() if "PSEUDONYM_KEY" not in k} | {"DLT_PROJECT_DIR": str(tmp_path)}
    secrets = settings / "secrets.toml"

    def run() -> str:
        # the key is settled before anything else: a run that then stops (no warehouse yet) is enough
        proc = transform(tmp_path / "no_warehouse_yet.duckdb", env=env)
        assert proc.returncode == 5 and "run the bronze pipeline first" in proc.stderr, proc.stderr
        return tomllib.loads(secrets.read_text())["transform"]["pseudonym_key"]

    first = run()
    assert len(bytes.fromhex(first)) == 32 and stat.S_IMODE(secrets.stat().st_mode) == 0o600
    secrets.write_text(secrets.read_text() + '\n[other]\nvalue = "kept"\n')
    assert run() == first and tomllib.loads(secrets.read_text())["other"]["value"] == "kept"
    assert "/.dlt/secrets.toml" in (ROOT / ".gitignore").read_text().splitlines()
    bad = transform(tmp_path / "no_warehouse_yet.duckdb", env=env | {"TRANSFORM__PSEUDONYM_KEY": "secret"})
    assert bad.returncode == 2 and "must be 64 hex digits" in bad.stderr and "Traceback" not in bad.stderr


def test_dimensions_have_unique_keys_and_unknown_members(built):
    for table, key in (("dim_customer", "customer_key"), ("dim_store", "store_key"), ("dim_supplier", "supplier_key")):
        ((rows, keys, unknown),) = query(
            built, f"SELECT count(*), count(DISTINCT {key}), count(*) FILTER (WHERE {key} = -1) FROM gold.{table}"
        )
        assert rows == keys and unknown == 1, table
    ((customers,),) = query(built, "SELECT count(*) FROM gold.dim_customer WHERE customer_key <> -1")
    ((people,),) = query(built, "SELECT count(DISTINCT natural_key) FROM bronze.customers")
    assert customers == people


def test_stores_that_share_a_code_stay_two_stores(built, raw):
    stores = read_csv_text(raw / "stores.csv")
    found = dict(
        (row[0], row[1:])
        for row in query(built, "SELECT store_id, store_name, state, is_store_code_shared FROM gold.dim_store")
    )
    assert set(found) - {None} == set(stores["store_id"].cast(pl.Int64))  # every store, none merged
    for duplicate, original, _code in logged(raw, "stores", "duplicate_store_code"):
        for store_id in (duplicate, original):
            raw_row = stores.filter(pl.col("store_id") == str(store_id)).row(0, named=True)
            assert found[store_id] == (raw_row["name"], raw_row["state"], True)
    # a sale keeps the store it was made in
    assert query(
        built,
        """SELECT count(*) FROM gold.fct_sales f JOIN silver.silver_orders o ON o.order_id = f.order_number
           WHERE f.store_key <> o.store_id AND NOT (o.is_store_orphan OR o.is_store_rejected_in_bronze)""",
    ) == [(0,)]


def test_fct_sales_measures_and_aud_amounts_recomputed_from_the_raw_files(built, raw, tmp_path):
    headers = (
        read_many(raw, "orders_header/*/*.csv", SCHEMAS["orders_header"])
        .unique("order_id")
        .select("order_id", "currency", date=pl.col("order_ts").dt.convert_time_zone("UTC").dt.date())
    )
    rates = read_xlsx(raw / "exchange_rates.xlsx", tmp_path).select(
        pl.col("date").cast(pl.Date), "currency", rate=pl.col("rate_to_aud").cast(pl.Float64)
    )
    lines = read_many(raw, "orders_lines/*/*.csv", SCHEMAS["orders_lines"]).filter(
        (pl.col("qty") > 0) & (pl.col("unit_price") > 0) & pl.col("line_discount_pct").is_between(0, 1)
    )
    total = pl.col("qty") * pl.col("unit_price").cast(pl.Float64)
    net = total * (1 - pl.col("line_discount_pct").cast(pl.Float64))
    expected = (
        lines.join(headers, on="order_id", how="left")
        .join(rates, on=["date", "currency"], how="left")
        .select(
            order_number="order_id",
            line_number=pl.col("line_number").cast(pl.Int64),
            line_total=total,
            discount_amount=total - net,
            net_amount=net,
            tax_amount=net * pl.col("tax_pct").cast(pl.Float64),
            gross_amount=net * (1 + pl.col("tax_pct").cast(pl.Float64)),
            rate="rate",
        )
    )
    amounts = ["line_total", "discount_amount", "net_amount", "tax_amount", "gross_amount"]
    facts = pl.DataFrame(
        query(
            built,
            f"SELECT order_number, line_number, {', '.join(f'{a}::DOUBLE, {a}_aud::DOUBLE' for a in amounts)} "
            "FROM gold.fct_sales",
        ),
        schema=["order_number", "line_number", *[n for a in amounts for n in (a, f"{a}_aud")]],
        orient="row",
    )
    both = facts.join(expected, on=["order_number", "line_number"], suffix="_raw")
    assert both.height == facts.height == expected.height
    for amount in amounts:
        assert (both[amount] - both[f"{amount}_raw"]).abs().max() < 0.0001, amount
        assert (both[f"{amount}_aud"] - both[f"{amount}_raw"] * both["rate"]).abs().max() < 0.0002, f"{amount}_aud"


def test_fct_sales_keeps_broken_references_with_unknown_members(built):
    ((orphans,),) = query(
        built,
        "SELECT count(*) FROM silver.silver_order_lines WHERE is_product_orphan OR is_product_rejected_in_bronze",
    )
    ((unknown,),) = query(built, "SELECT count(*) FROM gold.fct_sales WHERE product_key = -1")
    assert orphans > 0 and unknown == orphans  # every product-orphan line is kept, nothing else is unknown
    ((lines, net),) = query(built, "SELECT count(*), sum(net_amount) FROM silver.silver_order_lines")
    assert query(built, "SELECT count(*), sum(net_amount) FROM gold.fct_sales") == [(lines, net)]


def test_a_bad_run_id_or_a_selection_of_nothing_is_a_usage_error(built, workspace, tmp_path):
    """A run id goes into dq_metrics' SQL as text; a --select that matches nothing built nothing and
    published again, so a typo went unnoticed."""
    proc = transform(tmp_path / "not_needed.duckdb", "--run-id", "x'; DROP TABLE gold.dq_metrics; --")
    assert proc.returncode == 2 and "is not a run id" in proc.stderr and "Traceback" not in proc.stderr
    workspace.checkout(built)
    proc = workspace.transform("--select", "no_such_model")
    assert proc.returncode == 2, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "--select no_such_model matches no dbt node" in proc.stderr.strip().splitlines()[-1]


def test_an_order_line_without_its_header_is_kept_with_its_product(built, workspace):
    warehouse = workspace.checkout(built)
    with duckdb.connect(str(warehouse)) as con:
        # a valid line of a known product delivered again under an order id no header has
        ((product_id, file_date, net),) = con.sql("""
            INSERT INTO bronze.orders_lines
            SELECT * REPLACE (987654321 AS order_id, '9999999999.999999' AS _dlt_load_id)
            FROM bronze.orders_lines
            WHERE product_id IN (SELECT product_id FROM bronze.products) AND qty > 0 AND unit_price > 0
              AND line_discount_pct BETWEEN 0 AND 1
            ORDER BY order_id, line_number LIMIT 1
            RETURNING product_id,
                      regexp_extract(src_filename, 'order_dt=([0-9-]+)', 1)::DATE,
                      qty * unit_price * (1 - line_discount_pct)""").fetchall()
    proc = workspace.run_dbt("build", "--select", "silver_order_lines", "silver_orders", "fct_sales", *NO_UNIT_TESTS)
    assert proc.returncode == 0, proc.stdout[-3000:]
    rows = query(
        warehouse,
        """SELECT f.date_key, f.customer_key, f.store_key, p.product_id, p.valid_from <= ? AND ? < p.valid_to,
                  f.currency, f.rate_to_aud, f.net_amount, f.net_amount_aud
           FROM gold.fct_sales f LEFT JOIN gold.dim_product p USING (product_key) WHERE f.order_number = 987654321""",
        file_date,
        file_date,
    )
    assert rows == [(-1, -1, -1, product_id, True, None, None, net, None)]


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
    valid_humidity = pl.col("hum").filter(pl.col("hum").is_between(0, 100))
    hourly = (
        readings.with_columns(
            store_id=pl.col("store_id").cast(pl.Int64),
            hour=pl.col("sensor_ts").str.to_datetime(time_zone="UTC").dt.truncate("1h").dt.replace_time_zone(None),
            temp=pl.col("temperature_c").cast(pl.Float64),
            hum=pl.col("humidity_pct").cast(pl.Float64),
        )
        .with_columns(bad=~pl.col("temp").is_between(-30, 50) | ~pl.col("hum").is_between(0, 100))
        .group_by("store_id", "shelf_id", "hour")
        .agg(
            readings=pl.len(),
            bad=pl.col("bad").sum(),
            max_temp=pl.col("temp").filter(pl.col("temp").is_between(-30, 50)).max(),
            hum_sum=valid_humidity.sum(),
            hum_count=valid_humidity.count(),
        )
    )
    rolling = (
        hourly.sort("hour")
        .rolling("hour", period="24h", group_by=["store_id", "shelf_id"])
        .agg(
            rolling_readings=pl.col("readings").sum(),
            rolling_bad=pl.col("bad").sum(),
            # weighted by readings: the mean over every valid reading of the 24 hours
            rolling_humidity=pl.col("hum_sum").sum() / pl.col("hum_count").sum(),
        )
    )
    expected = hourly.join(rolling, on=["store_id", "shelf_id", "hour"])
    facts = pl.DataFrame(
        query(
            built,
            """SELECT store_key, shelf_id, sensor_hour, reading_count, out_of_range_count, max_temperature_c,
                      rolling_24h_reading_count, rolling_24h_out_of_range_count, rolling_24h_avg_humidity_pct
               FROM gold.fct_sensor_readings""",
        ),
        schema=[
            "store_id",
            "shelf_id",
            "hour",
            "readings",
            "bad",
            "max_temp",
            "rolling_readings",
            "rolling_bad",
            "rolling_humidity",
        ],
        orient="row",
    )
    assert facts.height == expected.height
    both = facts.join(expected, on=["store_id", "shelf_id", "hour"], suffix="_raw")
    assert both.height == facts.height
    for column in ("readings", "bad", "rolling_readings", "rolling_bad"):
        assert (both[column] == both[f"{column}_raw"].cast(pl.Int64)).all(), column
    for column in ("max_temp", "rolling_humidity"):
        assert ((both[column] - both[f"{column}_raw"]).abs().fill_null(0) < 0.0006).all(), column
    assert both["bad"].sum() == len(logged(raw, "sensors", "out_of_range"))


def test_fct_ingestion_audit_accounts_for_every_raw_row(built, raw):
    sources = json.loads((raw / "_manifest.json").read_text())["sources"]
    audit = {
        t: (p, loaded, r)
        for t, p, loaded, r in query(
            built,
            """SELECT table_name, sum(rows_processed), sum(rows_loaded), sum(rows_rejected)
               FROM gold.fct_ingestion_audit WHERE status = 'loaded' GROUP BY 1""",
        )
    }
    for table in ("orders_header", "orders_lines", "events", "sensors", "customers", "products", "shipments"):
        processed, loaded, rejected = audit[table]
        assert processed == sources[table]["rows"] == loaded + rejected, table
    ((rejects,),) = query(built, "SELECT count(*) FROM bronze.rejects")
    assert sum(r for _, _, r in audit.values()) == rejects > 0
    assert query(built, "SELECT count(*) FROM gold.fct_ingestion_audit WHERE size_bytes IS NULL") == [(0,)]


def test_fct_ingestion_audit_seconds_add_up_to_the_load_time(built):
    """A file's seconds are its own: over the files read in one batch they add up to the batch's
    time (first read to validation), never to more."""
    batches = query(
        built,
        """SELECT load_id, table_name, finished_at, sum(seconds), epoch(finished_at - min(started_at)), count(*)
           FROM gold.fct_ingestion_audit GROUP BY load_id, table_name, finished_at""",
    )
    assert any(files > 100 for *_, files in batches)  # the daily partitions are read many files per batch
    for load_id, table, _finished, seconds, batch_time, files in batches:
        assert abs(seconds - batch_time) < 0.00001 * files + 0.000001, (load_id, table)


# --- business views -------------------------------------------------------------------------------------

VIEWS = (
    "vw_sales_performance",
    "vw_customer_360",
    "vw_product_performance",
    "vw_delivery_performance",
    "vw_store_environment",
    "vw_data_quality_dashboard",
    "vw_data_quality_anomalies",
    "vw_data_completeness",
    "vw_schema_drift",
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


def test_sales_performance_counts_distinct_orders_per_row(built):
    # the view counts orders in two phases (one row per order and row, then per row) so that
    # DuckDB can spill it; here the distinct count in one go, which it must equal row for row
    found = query(
        built, "SELECT order_date, store_number, channel, category, orders, order_lines FROM gold.vw_sales_performance"
    )
    expected = query(
        built,
        """SELECT d.calendar_date, s.store_id, f.channel, p.category, count(DISTINCT f.order_number), count(*)
           FROM gold.fct_sales f JOIN gold.dim_date d USING (date_key) JOIN gold.dim_store s USING (store_key)
           JOIN gold.dim_product p USING (product_key) GROUP BY ALL""",
    )
    assert sorted(found, key=str) == sorted(expected, key=str)
    assert any(orders < lines for *_, orders, lines in found)  # orders of several lines in one row


TIME_ZONES = ("UTC", "Australia/Sydney", "America/Los_Angeles")


def fingerprint(con: duckdb.DuckDBPyConnection, schema: str, relation: str) -> tuple:
    """Row count and an order-independent hash of every value (instants as epoch microseconds)."""
    columns = con.sql(f'DESCRIBE "{schema}"."{relation}"').fetchall()
    values = [f'epoch_us("{c}")' if t == "TIMESTAMP WITH TIME ZONE" else f'"{c}"' for c, t, *_ in columns]
    return con.sql(f'SELECT count(*), sum(hash({", ".join(values)})::HUGEINT) FROM "{schema}"."{relation}"').fetchone()


def test_every_view_and_gold_table_reads_the_same_in_every_time_zone(built):
    with duckdb.connect(str(built), read_only=True) as con:
        relations = con.sql("""SELECT table_schema, table_name FROM information_schema.tables
                               WHERE table_schema = 'gold' OR (table_schema = 'silver' AND table_type = 'VIEW')
                               ORDER BY ALL""").fetchall()
        assert len(relations) > 20
        con.sql("BEGIN TRANSACTION")  # now() is the transaction's start: the same in every read
        seen = {}
        for zone in TIME_ZONES:
            con.sql(f"SET TimeZone = '{zone}'")
            seen[zone] = {relation: fingerprint(con, *relation) for relation in relations}
        con.sql("ROLLBACK")
    for zone in TIME_ZONES[1:]:
        differ = [name for name, value in seen[zone].items() if value != seen["UTC"][name]]
        assert differ == [], f"read under TimeZone={zone}"


def test_views_work_in_a_copy_under_another_name(built, tmp_path):
    restored = tmp_path / "restored_backup.duckdb"
    shutil.copy(built, restored)
    with duckdb.connect(str(restored), read_only=True) as con:
        views = con.sql("SELECT schema_name, view_name FROM duckdb_views() WHERE NOT internal").fetchall()
        counts = {view: con.sql(f'SELECT count(*) FROM "{view[0]}"."{view[1]}"').fetchone() for view in views}
    assert len(views) > 10
    # a BI tool attaching the file under its own name
    with duckdb.connect() as con:
        con.sql(f"ATTACH '{restored}' AS bi (READ_ONLY)")
        for schema, view in views:
            assert con.sql(f'SELECT count(*) FROM bi."{schema}"."{view}"').fetchone() == counts[(schema, view)]


def test_yoy_benchmark_compares_like_periods(built):
    rows = query(built, (ROOT / "benchmarks" / "queries" / "yoy_growth_by_store.sql").read_text())
    ((first_day,),) = query(built, "SELECT min(calendar_date) FROM gold.fct_sales JOIN gold.dim_date USING (date_key)")
    compared = 0
    for code, name, year, start, end, _sales, previous, growth in rows:
        covered = start.replace(year=start.year - 1) >= first_day
        assert (growth is not None) <= covered, (code, year)  # growth only against a period the data covers
        if covered:
            ((expected,),) = query(
                built,
                """SELECT sum(f.net_amount_aud) FROM gold.fct_sales f JOIN gold.dim_date d USING (date_key)
                   JOIN gold.dim_store s USING (store_key)
                   WHERE s.store_code = ? AND s.store_name = ? AND d.calendar_date BETWEEN ? AND ?""",
                code,
                name,
                start.replace(year=start.year - 1),
                end.replace(year=end.year - 1),
            )
            assert previous == (expected or 0), (code, year)
            compared += 1
    assert compared and any(growth is None for *_, growth in rows)
