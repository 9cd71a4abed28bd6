"""Silver in dbt, run through dlt's dbt runner (and plain dbt) on a real bronze warehouse."""

from __future__ import annotations

import csv
import json
import re
from datetime import UTC, datetime, timedelta

import polars as pl
import pytest
import yaml
from conftest import ROOT, run_bronze
from dbt_runs import PLAIN_DBT_TARGET, failing_nodes, query, transform

import duckdb
from generators.reference import CARRIER_SLA_DAYS, COUNTRIES
from pipelines.dbt_build import NO_UNIT_TESTS


def test_dbt_build_is_green_on_generated_data(built):
    with duckdb.connect(str(built), read_only=True) as con:
        schemas = {r[0] for r in con.sql("SELECT schema_name FROM information_schema.schemata").fetchall()}
        assert {"silver", "snapshots", "gold"} <= schemas and not any(s.startswith("main_") for s in schemas)
        for table in ("customers", "orders_lines", "events", "sensors", "returns"):
            bronze_rows = con.sql(f"SELECT count(*) FROM bronze.{table}").fetchone()[0]
            assert con.sql(f"SELECT count(*) FROM silver.stg_{table}").fetchone()[0] == bronze_rows
        flagged = con.sql(
            "SELECT count(*) FILTER (WHERE NOT is_email_valid), "
            "count(*) FILTER (WHERE is_contact_incomplete) FROM silver.stg_customers"
        ).fetchone()
        assert all(n > 0 for n in flagged)


def test_reconciliation_finds_every_injected_anomaly(built, raw):
    log = json.loads((raw / "_anomalies.json").read_text())["sources"]
    rows = query(
        built,
        "SELECT source_table, anomaly_class, injected, detected, false_positives, recall "
        "FROM silver.dq_anomaly_reconciliation",
    )
    found = {(s, c): (i, d, fp, r) for s, c, i, d, fp, r in rows}
    expected = {(s, c): entry["count"] for s, classes in log.items() for c, entry in classes.items()}
    assert set(found) == set(expected)
    for key, (injected, detected, false_positives, recall) in found.items():
        assert injected == expected[key] and detected == injected, key
        assert recall == 1 and false_positives == 0, key


def test_deduplication_and_quarantine(built):
    one = lambda sql: query(built, sql)[0][0]  # noqa: E731
    assert one("SELECT count(*) FROM silver.silver_orders") == one(
        "SELECT count(DISTINCT order_id) FROM bronze.orders_header"
    )
    customers, people = (
        one("SELECT count(*) FROM bronze.customers"),
        one("SELECT count(DISTINCT natural_key) FROM bronze.customers"),
    )
    assert one("SELECT count(*) FROM silver.silver_customers") == people
    # every later registration is counted on its person's row
    assert one("SELECT sum(duplicate_registrations) FROM silver.silver_customers") == customers - people > 0
    # nothing disappears: valid + quarantined lines = all lines
    assert one("SELECT count(*) FROM silver.silver_order_lines") + one(
        "SELECT count(*) FROM silver.silver_quarantined_order_lines"
    ) == one("SELECT count(*) FROM bronze.orders_lines")
    # the surviving copy of a duplicated order is the one in its own date's file
    assert (
        one("""SELECT count(*) FROM silver.silver_orders
               WHERE src_filename NOT LIKE 'orders_header/order_dt=' || strftime(order_dt_local, '%Y-%m-%d') || '/%'""")
        == 0
    )


def test_quarantine_records_every_broken_rule_by_its_exact_name(built):
    """Recomputed from bronze: each rule a line breaks is one reason, a negative price is not a zero price."""
    expected = query(
        built,
        """SELECT order_id, line_number,
                  list_filter([
                      CASE WHEN qty IS NULL THEN 'missing_qty' WHEN qty <= 0 THEN 'non_positive_qty' END,
                      CASE WHEN unit_price IS NULL THEN 'missing_price' WHEN unit_price = 0 THEN 'zero_price'
                           WHEN unit_price < 0 THEN 'negative_price' END,
                      CASE WHEN line_discount_pct IS NULL THEN 'missing_discount'
                           WHEN line_discount_pct < 0 OR line_discount_pct > 1 THEN 'discount_out_of_range' END],
                      x -> x IS NOT NULL)
           FROM bronze.orders_lines ORDER BY 1, 2""",
    )
    broken = {(o, n): reasons for o, n, reasons in expected if reasons}
    found = {
        (o, n): r
        for o, n, r in query(
            built, "SELECT order_id, line_number, quarantine_reasons FROM silver.silver_quarantined_order_lines"
        )
    }
    assert broken and found == broken


def test_plain_dbt_works_for_dbt_users(built, workspace):
    warehouse = workspace.checkout(built)
    with duckdb.connect(str(warehouse)) as con:
        con.sql("DROP VIEW silver.stg_suppliers")
    proc = workspace.dbt_executable("build", "--select", "stg_suppliers")
    assert proc.returncode == 0, proc.stdout[-2000:]
    # it landed in the warehouse RETAIL_WAREHOUSE names
    assert query(warehouse, "SELECT count(*) FROM silver.stg_suppliers") == query(
        warehouse, "SELECT count(*) FROM bronze.suppliers"
    )


def test_seeds_match_the_generator():
    with open(ROOT / "dbt" / "seeds" / "carrier_sla.csv") as handle:
        seed = {row["carrier"]: int(row["sla_days"]) for row in csv.DictReader(handle)}
    assert seed == CARRIER_SLA_DAYS
    with open(ROOT / "dbt" / "seeds" / "store_subdivisions.csv") as handle:
        subdivisions = {(r["country_code"], r["state"], r["region"], r["time_zone"]) for r in csv.DictReader(handle)}
    assert subdivisions == {(c, s, r, tz) for c, d in COUNTRIES.items() for s, (r, tz, _) in d["states"].items()}


def test_seed_values_load_on_every_engine():
    """dbt-spark writes a seed's values into its INSERT statement unescaped: a single quote in a
    value breaks the Spark build (make test-spark) while DuckDB, which binds them, loads it."""
    quoted = [
        f"{path.name}:{number}"
        for path in sorted((ROOT / "dbt" / "seeds").glob("*.csv"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if "'" in line
    ]
    assert not quoted, f"single quotes in seed values (reword them): {quoted}"


def test_missing_warehouse_is_a_clear_error(tmp_path):
    proc = transform(tmp_path / "none.duckdb")
    assert proc.returncode == 5 and "run the bronze pipeline first" in proc.stderr  # bad warehouse (README)


INCREMENTAL_MODELS = (
    "silver.silver_orders",
    "silver.silver_order_lines",
    "silver.silver_quarantined_order_lines",
    "silver.silver_events",
    "silver.silver_sensor_readings",
    "silver.silver_shipments",
    "silver.silver_returns",
    "gold.fct_sensor_readings",
)
LOAD_COLUMNS = ("ingestion_ts", "bronze_load_id")  # which bronze load brought a row, and when


def fingerprints(warehouse) -> dict:
    """Rows and an order-independent hash of each incremental model's values (load columns aside)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        out = {}
        for model in INCREMENTAL_MODELS:
            cols = [r[0] for r in con.sql(f"DESCRIBE {model}").fetchall() if r[0] not in LOAD_COLUMNS]
            values = ", ".join(f'"{c}"' for c in cols)
            out[model] = con.sql(f"SELECT count(*), sum(hash({values})::HUGEINT) FROM {model}").fetchone()
        return out


@pytest.mark.drill
def test_incremental_run_after_an_increment_equals_a_full_build(built, incremented_built, raw_incremented, workspace):
    """The increment (new days, a late partition, change files) loaded onto the built base and
    built incrementally equals a first build of base and increment together."""
    warehouse = workspace.checkout(built)
    before = fingerprints(warehouse)
    run_bronze(raw_incremented, workspace.folder)  # loads only the increment's files
    proc = workspace.transform()
    assert proc.returncode == 0, proc.stderr[-2000:]
    incremental = fingerprints(warehouse)
    for model in (
        "silver.silver_orders",
        "silver.silver_order_lines",
        "silver.silver_events",
        "silver.silver_sensor_readings",
        "gold.fct_sensor_readings",
    ):
        assert incremental[model][0] > before[model][0], model  # the new and late rows landed
    assert incremental == fingerprints(incremented_built)
    # The snapshots hold the increment's changes as new versions, dated by the change file.
    customers = next((raw_incremented / "customers_changes").rglob("*.csv"))
    moved = [int(line.split(",")[0]) for line in customers.read_text().splitlines()[1:]]
    versions = dict(
        query(
            warehouse, "SELECT customer_id, count(*) FROM snapshots.customers_snapshot GROUP BY 1 HAVING count(*) > 1"
        )
    )
    assert set(versions) == set(moved) and set(versions.values()) == {2}
    dates = query(
        warehouse,
        """SELECT DISTINCT valid_from::DATE::VARCHAR FROM snapshots.customers_snapshot
           WHERE customer_id IN (SELECT customer_id FROM snapshots.customers_snapshot WHERE NOT is_current)
             AND is_current""",
    )
    assert dates == [("2026-01-01",)]
    ((current,),) = query(warehouse, "SELECT count(*) FROM snapshots.customers_snapshot WHERE is_current")
    ((customers_now,),) = query(warehouse, "SELECT count(*) FROM silver.stg_customers")
    assert current == customers_now


@pytest.mark.drill
def test_price_history_survives_loading_base_and_increment_before_the_first_build(incremented_built, raw_incremented):
    """Base and increment reached bronze in one load, before any dbt build: the repriced products
    still have two versions, and the sales before the change keep the old price."""
    warehouse = incremented_built
    base = pl.read_csv(raw_incremented / "products.csv", infer_schema=False)
    [change_file] = (raw_incremented / "products_changes").rglob("*.csv")
    change_day = datetime.strptime(change_file.parent.name.removeprefix("change_dt="), "%Y-%m-%d")
    changed = pl.read_csv(change_file, infer_schema=False)
    repriced = changed.join(base, on="product_id", suffix="_base").filter(
        pl.col("current_price") != pl.col("current_price_base")
    )
    assert repriced.height > 0
    for product_id, new_price, old_price in repriced.select("product_id", "current_price", "current_price_base").rows():
        versions = query(
            warehouse,
            "SELECT valid_from, valid_to, list_price::VARCHAR, is_current FROM gold.dim_product "
            "WHERE product_id = ? ORDER BY valid_from",
            int(product_id),
        )
        assert versions == [
            (datetime(1900, 1, 1), change_day, old_price, False),
            (change_day, datetime(9999, 12, 31), new_price, True),
        ], product_id
    sales = query(
        warehouse,
        """SELECT p.product_id, f.order_ts < ?::TIMESTAMPTZ, p.list_price::VARCHAR, count(*) FROM gold.fct_sales f
           JOIN gold.dim_product p USING (product_key) WHERE p.product_id IN ? GROUP BY ALL""",
        change_day.replace(tzinfo=UTC),
        [int(p) for p in repriced["product_id"]],
    )
    prices = {
        int(p): (old, new)
        for p, new, old in repriced.select("product_id", "current_price", "current_price_base").rows()
    }
    assert any(before for _, before, _, _ in sales)  # sales before the change exist...
    for product_id, before, price, _ in sales:  # ...and each pays the price valid at its time
        assert price == prices[product_id][0 if before else 1], (product_id, before)


def test_source_freshness_fails_on_stale_data(built, workspace):
    warehouse = workspace.checkout(built)
    with duckdb.connect(str(warehouse)) as con:  # the last load of orders is 25 hours old
        con.sql("UPDATE bronze.orders_header SET ingestion_ts = ?", params=[datetime.now(UTC) - timedelta(hours=25)])
    proc = workspace.dbt("source", "freshness")
    assert proc.returncode == 1
    assert re.search(r"ERROR STALE freshness of bronze\.orders_header", proc.stdout), proc.stdout[-3000:]
    assert re.search(r"PASS freshness of bronze\.orders_lines", proc.stdout), proc.stdout[-3000:]


def test_dbt_docs_generate(built, workspace):
    workspace.checkout(built)
    catalog = PLAIN_DBT_TARGET / "catalog.json"
    catalog.unlink(missing_ok=True)
    proc = workspace.dbt("docs", "generate")
    assert proc.returncode == 0, proc.stdout[-2000:]
    nodes = json.loads(catalog.read_text())["nodes"]
    assert "model.retail_lakehouse.fct_sales" in nodes and "model.retail_lakehouse.vw_sales_performance" in nodes


def test_every_model_has_its_own_yml_and_every_source_table_a_description():
    models = ROOT / "dbt" / "models"
    for path in [*models.rglob("*.sql"), *models.rglob("*.py")]:
        yml = path.with_suffix(".yml")
        assert yml.exists(), f"{path.relative_to(models)} has no {yml.name}"
        [model] = yaml.safe_load(yml.read_text())["models"]
        assert model["name"] == path.stem and model.get("description"), yml
        assert not path.read_text().lstrip().startswith("--"), f"{path.name}: model prose belongs in description:"
    [sources] = [yaml.safe_load(p.read_text())["sources"] for p in models.rglob("_*sources.yml")]
    for source in sources:
        for table in source["tables"]:
            assert table.get("description"), table["name"]


def test_reference_to_a_row_bronze_rejected_is_not_an_orphan(built, workspace):
    warehouse = workspace.checkout(built)
    with duckdb.connect(str(warehouse)) as con:
        # what bronze does with a product row whose price is "N/A" (tests/test_bronze_*): the row is
        # rejected with its raw text, so the best-selling product has no row
        ((product_id,),) = con.sql("""SELECT product_id FROM bronze.orders_lines WHERE product_id IN
                                          (SELECT product_id FROM bronze.products)
                                      GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1""").fetchall()
        con.sql(
            """INSERT INTO bronze.rejects BY NAME
               SELECT 'products' AS table_name, src_filename, src_line, 'cast_error:current_price' AS reason,
                      concat_ws(',', product_id, sku, name, category, subcategory, 'N/A') AS raw_text,
                      ingestion_ts, _dlt_load_id
               FROM bronze.products WHERE product_id = ?""",
            params=[product_id],
        )
        for table in ("products", "products_history"):
            con.sql(f"DELETE FROM bronze.{table} WHERE product_id = ?", params=[product_id])
    models = ["silver_order_lines", "products_snapshot", "dim_product", "fct_sales", "dq_anomaly_reconciliation"]
    proc = workspace.run_dbt("build", "--full-refresh", "--select", "dq_anomaly_detections", *models, *NO_UNIT_TESTS)
    # The edit is not in the generator's log, so reconciliation reports it (as it should).
    failed = failing_nodes(proc)
    assert proc.returncode == 1 and "assert_every_anomaly_class_fully_detected" in failed, proc.stdout[-3000:]
    flags = query(
        warehouse,
        "SELECT DISTINCT is_product_orphan, is_product_rejected_in_bronze FROM silver.silver_order_lines "
        "WHERE product_id = ?",
        product_id,
    )
    extra = query(
        warehouse, "SELECT false_positives FROM silver.dq_anomaly_reconciliation WHERE anomaly_class = 'invalid_price'"
    )
    assert flags == [(False, True)]
    assert extra == [(1,)]  # the new invalid price is detected, and it is the only surprise
    # its sales are kept with the unknown product (the product has no row to point to)
    ((unknown, lines_sold),) = query(
        warehouse,
        "SELECT count(*) FILTER (WHERE f.product_key = -1), count(*) FROM gold.fct_sales f "
        "JOIN silver.silver_order_lines l ON l.order_id = f.order_number AND l.line_number = f.line_number "
        "WHERE l.product_id = ?",
        product_id,
    )
    assert unknown == lines_sold > 0
