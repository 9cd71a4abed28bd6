"""Data tests scoped to new bronze loads on an incremental build (docs/decisions.md §29): a scoped
row-level test still fails on a bad row of a new load, and a uniqueness test still fails on a
new row whose key an old load already delivered."""

from __future__ import annotations

import pytest
from dbt_runs import query

import duckdb

# Each runs bronze and/or an every-node dbt build of its own: `make test-drills` (CI runs both tiers).
pytestmark = pytest.mark.drill


def plant_new_load(warehouse, *inserts: str) -> str:
    """A bronze load after every other (a row in bronze._dlt_loads), holding the rows `inserts`
    add (each INSERT ... SELECT reads `$load` as the new load id); the new load id."""
    ((newest,),) = query(warehouse, "SELECT max(load_id) FROM bronze._dlt_loads")
    load = f"{float(newest) + 60:.7f}"
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "INSERT INTO bronze._dlt_loads SELECT * REPLACE ($load AS load_id) FROM bronze._dlt_loads "
            "WHERE load_id = $newest",
            {"load": load, "newest": newest},
        )
        for insert in inserts:
            con.execute(insert, {"load": load})
    return load


def test_an_incremental_build_tests_the_new_load_and_its_keys_against_old_ones(built, workspace):
    warehouse = workspace.checkout(built)
    ((tested_through,),) = query(warehouse, "SELECT max(tested_through) FROM transform.tested_loads")
    plant_new_load(
        warehouse,
        # a line with a tax rate outside 0..1 (in_range, no tolerance: a row-level test, scoped)
        """INSERT INTO bronze.orders_lines SELECT * REPLACE (999 AS line_number, 2 AS tax_pct, $load AS _dlt_load_id)
           FROM bronze.orders_lines WHERE (order_id, line_number) = (SELECT min((order_id, line_number))
                                                                     FROM bronze.orders_lines)""",
        # a line again under the key of an old one (unique_combination across the old and new loads)
        """INSERT INTO bronze.orders_lines SELECT * REPLACE (src_line + 1000000 AS src_line, $load AS _dlt_load_id)
           FROM bronze.orders_lines WHERE (order_id, line_number) = (SELECT max((order_id, line_number))
                                                                     FROM bronze.orders_lines)""",
    )
    proc = workspace.transform()
    assert f"row-level tests on the bronze loads after {tested_through}" in proc.stdout, proc.stdout[-2000:]
    assert proc.returncode == 6 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    for failing_test in (
        "in_range_stg_orders_lines_tax_pct",
        "unique_combination_stg_orders_lines_order_id__line_number",
    ):
        assert failing_test in proc.stderr, failing_test
    # a failed build leaves the mark: the next build tests the same loads again
    assert query(warehouse, "SELECT max(tested_through) FROM transform.tested_loads") == [(tested_through,)]
