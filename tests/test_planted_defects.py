"""The dbt tests can fail: each is shown failing on the defect it guards against, planted in
the data (a copy of the built warehouse) or in the models (a copy of the dbt project)."""

from __future__ import annotations

import hashlib

from dbt_runs import failing_nodes, query

import duckdb
from pipelines.dbt_build import NO_UNIT_TESTS


def test_data_tests_fail_on_data_that_breaks_the_rules(built, workspace):
    """Rules the generated data may break a little: beyond their tolerated rate the build fails,
    with one line per failing test and no traceback (the transform CLI's report)."""
    breakages = {
        "foreign_key_rate_stg_orders_lines_product_id": (
            "UPDATE bronze.orders_lines SET product_id = 900000000 + line_number WHERE order_id % 20 = 0"
        ),
        "email_format_stg_customers_email": (
            "UPDATE bronze.customers SET email = replace(email, '@', '') WHERE customer_id % 20 = 0"
        ),
        "in_range_stg_orders_lines_line_discount_pct": (
            "UPDATE bronze.orders_lines SET line_discount_pct = 1.5 WHERE order_id % 50 = 1"
        ),
        # lines whose order is missing, beyond the rate kept with the unknown order
        "foreign_key_rate_stg_orders_lines_order_id": (
            "UPDATE bronze.orders_lines SET order_id = order_id + 800000000 WHERE order_id % 20 = 3"
        ),
    }
    warehouse = workspace.checkout(built)
    with duckdb.connect(str(warehouse)) as con:
        for breakage in breakages.values():
            con.sql(breakage)
    proc = workspace.transform("--select", "stg_orders_lines", "stg_customers")
    assert proc.returncode == 6 and "dbt build failed" in proc.stderr and "Traceback" not in proc.stderr
    for failing_test in breakages:
        assert failing_test in proc.stderr, failing_test


def test_tests_fail_on_planted_model_defects(built, dbt_project_copy):
    """Each defect is a past or plausible bug, and must fail the test that guards against it.
    They share one build, so none may fail another's guard: that guard's failure would then not
    show its own defect caught. Planted alone, each fails no other defect's guard but for the
    product versions' one: fct_sales, built on two current versions of a product, holds its lines
    twice and fails the reconciliation with Silver too. So fct_sales is built first, on the built
    dimensions, and the broken ones after it. The guards are tested last, apart from the builds,
    so that no failure skips the others."""
    defects = {
        # impossible coordinates pass through staging un-nulled
        "assert_store_coordinates_flagged": (
            "models/staging/bronze/stg_stores.sql",
            "case when bad_coordinates then null else latitude end",
            "latitude",
        ),
        # the old store de-duplication: a store that reuses a code disappears from dim_store
        "relationships_fct_sales_store_key__store_key__ref_dim_store_": (
            "models/gold/dim_store.sql",
            "from {{ ref('silver_stores') }}\n",
            "from {{ ref('silver_stores') }}\nwhere not is_store_code_reused\n",
        ),
        # net sales in AUD converted from the amount before discount
        "assert_fct_sales_reconciles_with_silver": (
            "models/gold/fct_sales.sql",
            "cast(l.net_amount * o.rate_to_aud as decimal(18, 4)) as net_amount_aud",
            "cast(l.line_total * o.rate_to_aud as decimal(18, 4)) as net_amount_aud",
        ),
        # every product version stays open: two current versions, overlapping windows
        "one_current_version_dim_product_product_id": (
            "macros/versions_from_history.sql",
            "coalesce(lead(effective_from) over versions, timestamp '9999-12-31') as valid_to",
            "timestamp '9999-12-31' as valid_to",
        ),
    }
    warehouse = dbt_project_copy.checkout(built)
    with duckdb.connect(str(warehouse)) as con:  # a product with a second version (a change file's row)
        con.sql("""INSERT INTO bronze.products_history
                   SELECT * REPLACE ('products_changes/change_dt=2025-06-01/part-00517.csv' AS src_filename,
                                     current_price + 1 AS current_price)
                   FROM bronze.products_history WHERE product_id = (SELECT min(product_id) FROM bronze.products)""")
    store_and_product_models = ["stg_stores", "dim_store", "products_snapshot", "dim_product"]
    with dbt_project_copy.planted(*defects.values()) as project:
        # --full-refresh: the incremental facts would otherwise select no row (no new bronze load)
        assert project.dbt("run", "--full-refresh", "--select", "fct_sales").returncode == 0
        assert project.dbt("run", "--select", *store_and_product_models).returncode == 0
        guards = [*defects, "no_overlapping_windows_dim_product_product_id"]
        failed = failing_nodes(project.dbt("test", "--select", *guards))
    for test in guards:
        assert test in failed, f"{test} did not fail:\n{failed}"


def test_gdpr_test_fails_on_leaks(built, dbt_project_copy):
    """Personal data the old test could not see: the email of a non-consenting duplicate
    registration (not in silver_customers), and the plain sha256 of an email."""
    warehouse = dbt_project_copy.checkout(built)
    with duckdb.connect(str(warehouse)) as con:
        ((customer_id, email),) = con.sql("""
            SELECT customer_id, email FROM silver.stg_customers
            WHERE customer_id IN (SELECT customer_id FROM silver.silver_customer_id_map WHERE is_duplicate_registration)
              AND is_email_valid
              AND email NOT IN (SELECT email FROM silver.silver_customers WHERE email IS NOT NULL)
            ORDER BY customer_id LIMIT 1""").fetchall()
        for table in ("customers", "customers_history"):
            con.sql(f"UPDATE bronze.{table} SET gdpr_consent = false WHERE customer_id = ?", params=[customer_id])
        other = con.sql(
            "SELECT email FROM silver.silver_customers WHERE NOT gdpr_consent AND is_email_valid ORDER BY 1 LIMIT 1"
        ).fetchone()[0]
        leaks = [email, hashlib.sha256(other.encode()).hexdigest()]
        # ... each spills into a product name, and so into gold
        con.sql(
            """UPDATE bronze.products_history SET name = CASE product_id WHEN (SELECT min(product_id)
                       FROM bronze.products_history) THEN ? ELSE ? END
                   WHERE product_id IN (SELECT product_id FROM bronze.products_history ORDER BY 1 LIMIT 2)""",
            params=leaks,
        )
    # the names reach gold through the product snapshot and dim_product; the test reads every gold model
    gdpr_test = "assert_no_personal_data_of_non_consenting_customers_in_gold"
    proc = dbt_project_copy.dbt(
        "build", "--select", "products_snapshot", "dim_product", gdpr_test, "--store-failures", *NO_UNIT_TESTS
    )
    assert proc.returncode == 1 and failing_nodes(proc).count(gdpr_test) == 1, proc.stdout[-3000:]
    found = {
        leaked
        for (leaked,) in query(
            warehouse,
            "SELECT leaked FROM dbt_test__audit.assert_no_personal_data_of_non_consenting_customers_in_gold",
        )
    }
    assert set(leaks) <= found


def test_a_missing_rate_fails_the_build(built, dbt_project_copy):
    """A missing rate used to leave the AUD amounts of shipments and returns NULL silently."""
    rate_of = {
        "fct_shipments": "SELECT o.currency, s.shipped_at::DATE FROM bronze.shipments s",
        "fct_returns": "SELECT o.currency, o.order_ts::DATE FROM bronze.returns s",
    }
    warehouse = dbt_project_copy.checkout(built)
    with duckdb.connect(str(warehouse)) as con:
        con.sql("SET TimeZone = 'UTC'")
        for used_by in rate_of.values():
            ((currency, day),) = con.sql(
                f"{used_by} JOIN bronze.orders_header o USING (order_id) ORDER BY 1, 2 LIMIT 1"
            ).fetchall()
            con.sql("DELETE FROM bronze.exchange_rates WHERE currency = ? AND date = ?", params=[currency, day])
    # --full-refresh: fct_shipments is incremental
    proc = dbt_project_copy.dbt("build", "--full-refresh", "--select", *rate_of, *NO_UNIT_TESTS)
    for fact in rate_of:
        assert f"not_null_{fact}_rate_to_aud" in failing_nodes(proc), proc.stdout[-3000:]
