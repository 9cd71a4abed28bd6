"""Incremental through all layers (docs/decisions.md §28). The increment reaches bronze in two
deliveries onto the built base: first its fact files (two new days and a partition three days
late), then, late, its dimension change files (they close product versions that sales of the
first delivery were keyed to) with the rows of a customer, a product and a store that base
orders referenced as orphans. After each delivery the incremental build must select only the
new rows and the old rows whose keys the delivery changes, and at the end Silver and Gold
must equal a full-refresh rebuild of the same bronze."""

from __future__ import annotations

import json
import os
import re
import shutil
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter
from conftest import ROOT, run_bronze
from dbt_runs import copy_warehouse, query

import duckdb

# Each runs bronze and/or an every-node dbt build of its own: `make test-drills` (CI runs both tiers).
pytestmark = pytest.mark.drill

LOAD_COLUMNS = ("ingestion_ts", "bronze_load_id")  # which bronze load brought a row, and when
COMPARED = (
    "silver.silver_orders",
    "silver.silver_order_lines",
    "silver.silver_quarantined_order_lines",
    "silver.silver_events",
    "silver.silver_sensor_readings",
    "silver.silver_shipments",
    "gold.fct_sales",
    "gold.fct_returns",
    "gold.fct_shipments",
    "gold.fct_sensor_readings",
    "gold.fct_ingestion_audit",
)
INCREMENTAL = tuple(m for m in COMPARED if m not in ("gold.fct_returns", "gold.fct_ingestion_audit"))
LATE_CHANGE_DT = "change_dt=2026-01-02"  # the day after the increment's own change files
ANOMALY_LOG = "_anomalies.json"
# What new_bronze_loads() compiles to in an incremental build: the model's own watermark.
WATERMARK = re.compile(r"\(select coalesce\(max\(seen\.bronze_load_id\), ''\) from [^()]+ as seen\)")


def compiled_select(model: str) -> str:
    """The SQL dbt compiled for a model (with is_incremental() evaluated against the warehouse)."""
    target = Path(os.environ.get("DBT_TARGET_PATH", ROOT / "dbt" / "target"))
    if not target.is_absolute():
        target = ROOT / "dbt" / target
    layer, name = model.split(".")
    return (target / "compiled" / "retail_lakehouse" / "models" / layer / f"{name}.sql").read_text()


def selected_rows(warehouse: Path, marks: dict[str, str]) -> dict[str, int]:
    """How many rows each incremental model's query selected in the build just run: the SQL that
    build compiled, with each model's watermark as it was before the build, evaluated on the
    warehouse the build left (the inputs every model read, as it read them)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        counts = {}
        for model in INCREMENTAL:
            sql, substituted = WATERMARK.subn(f"'{marks[model]}'", compiled_select(model))
            assert substituted, f"{model}: no watermark in its compiled SQL"
            counts[model] = con.sql(f"SELECT count(*) FROM ({sql}\n)").fetchone()[0]
        return counts


def plant_late_dimension_rows(data: Path, warehouse: Path) -> dict[str, int]:
    """Change files (dated the day after the increment's) with a row for one customer, product
    and store that base orders reference as orphans: unknown members that find their row late.
    The generator's anomaly log is the ground truth of the raw data, so it stops listing the
    references these rows resolve (else the anomaly recall check rightly fails)."""
    orphans = {
        "customers": query(warehouse, "SELECT min(customer_id) FROM silver.silver_orders WHERE is_customer_orphan")[0][
            0
        ],
        "stores": query(warehouse, "SELECT min(store_id) FROM silver.silver_orders WHERE is_store_orphan")[0][0],
        "products": query(warehouse, "SELECT min(product_id) FROM silver.silver_order_lines WHERE is_product_orphan")[
            0
        ][0],
    }
    assert None not in orphans.values(), orphans
    forget_resolved_orphans(data, warehouse, orphans)
    unique = {
        "customers": {"natural_key": "CUST-LATE", "email": "late.arrival@example.com", "gdpr_consent": "false"},
        "stores": {"store_code": "ST-LATE"},
        "products": {"sku": "SKU-LATE"},
    }
    for table, key in (("customers", "customer_id"), ("stores", "store_id"), ("products", "product_id")):
        row = pl.read_csv(data / f"{table}.csv", infer_schema=False).head(1)
        row = row.with_columns(
            pl.lit(str(orphans[table])).alias(key), *(pl.lit(v).alias(c) for c, v in unique[table].items())
        )
        folder = data / f"{table}_changes" / LATE_CHANGE_DT
        folder.mkdir(parents=True)
        row.write_csv(folder / "part-99999.csv")
    return orphans


def plant_rate_correction(data: Path, warehouse: Path) -> dict:
    """A late exchange-rate change file that corrects the rate of the (currency, day) with the
    most orders built so far: bronze merges it over the old row under a newer load."""
    currency, day = query(
        warehouse,
        "SELECT currency, order_date_utc FROM silver.silver_orders WHERE currency <> 'AUD' "
        "GROUP BY ALL ORDER BY count(*) DESC, 1, 2 LIMIT 1",
    )[0]
    ((old,),) = query(
        warehouse, "SELECT rate_to_aud FROM bronze.exchange_rates WHERE currency = ? AND date = ?", currency, day
    )
    new = round(old * Decimal("1.25"), 8)
    folder = data / "exchange_rates_changes" / LATE_CHANGE_DT
    folder.mkdir(parents=True)
    workbook = xlsxwriter.Workbook(str(folder / "part-99999.xlsx"))
    sheet = workbook.add_worksheet("rates")
    sheet.write_row(0, 0, ["date", "currency", "rate_to_aud"])
    sheet.write_datetime(
        1, 0, datetime(day.year, day.month, day.day), workbook.add_format({"num_format": "yyyy-mm-dd"})
    )
    sheet.write_string(1, 1, currency)
    sheet.write_number(1, 2, float(new), workbook.add_format({"num_format": "0.00000000"}))
    workbook.close()
    return {"currency": currency, "day": day, "old": old, "new": new}


def forget_resolved_orphans(data: Path, warehouse: Path, orphans: dict[str, int]) -> None:
    """Drop from the raw anomaly log the orphan references of every bronze row that references
    a planted orphan (any copy of an order header, any line)."""
    resolved_headers = {
        (order_id, column)
        for column, table in (("customer_id", "customers"), ("store_id", "stores"))
        for (order_id,) in query(
            warehouse, f"SELECT DISTINCT order_id FROM bronze.orders_header WHERE {column} = ?", orphans[table]
        )
    }
    resolved_lines = set(
        query(
            warehouse, "SELECT order_id, line_number FROM bronze.orders_lines WHERE product_id = ?", orphans["products"]
        )
    )
    log = json.loads((data / ANOMALY_LOG).read_text())
    for source, name, resolved in (
        ("orders_header", "orphan_reference", resolved_headers),
        ("orders_lines", "invalid_product_id", resolved_lines),
    ):
        entry = log["sources"][source][name]
        kept = [row for row in entry["rows"] if tuple(row) not in resolved]
        assert len(kept) < len(entry["rows"]), (source, name)  # the planted rows resolve logged orphans
        entry["rows"], entry["count"] = kept, len(kept)
    (data / ANOMALY_LOG).write_text(json.dumps(log, indent=1))


def watermarks(warehouse: Path) -> dict[str, str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {m: con.sql(f"SELECT coalesce(max(bronze_load_id), '') FROM {m}").fetchone()[0] for m in INCREMENTAL}


def fingerprints(warehouse: Path) -> dict[str, tuple]:
    """Per model: rows, the sum of every numeric column, and an order-independent hash of every
    column (load columns aside)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        out = {}
        for model in COMPARED:
            described = [(r[0], r[1]) for r in con.sql(f"DESCRIBE {model}").fetchall() if r[0] not in LOAD_COLUMNS]
            sums = [f'sum("{c}")' for c, t in described if t.startswith(("DECIMAL", "BIGINT", "INTEGER"))]
            sums += [f'round(sum("{c}"), 3)' for c, t in described if t == "DOUBLE"]  # summation order
            values = ", ".join(f'"{c}"' for c, _ in described)
            out[model] = con.sql(
                f"SELECT count(*), {', '.join(sums)}, sum(hash({values})::HUGEINT) FROM {model}"
            ).fetchone()
        return out


@pytest.fixture(scope="module")
def deliveries(built, raw, raw_incremented, workspace, tmp_path_factory):
    """The increment delivered in two steps onto the built base, each built incrementally; per
    step the rows each incremental model selected and the watermarks before it. Leaves the
    workspace with the incremental result (saved) and then the full refresh of the same bronze."""
    data = tmp_path_factory.mktemp("deliveries") / "data_raw"
    shutil.copytree(raw_incremented, data)
    held_back = tmp_path_factory.mktemp("held_back")
    for changes in data.glob("*_changes"):
        shutil.move(changes, held_back / changes.name)
    warehouse = workspace.checkout(built)
    steps = {}

    def deliver(step: str):
        run_bronze(data, workspace.folder)
        marks = watermarks(warehouse)
        proc = workspace.transform()
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        steps[step] = {"watermarks": marks, "selected": selected_rows(warehouse, marks)}
        with duckdb.connect(str(warehouse), read_only=True) as con:
            steps[step]["bronze_load"] = con.sql("SELECT max(load_id) FROM bronze._dlt_loads").fetchone()[0]

    deliver("facts")
    for changes in held_back.iterdir():
        shutil.move(changes, data / changes.name)
    orphans = plant_late_dimension_rows(data, warehouse)
    rate = plant_rate_correction(data, warehouse)
    deliver("late dimensions")
    incremental = workspace.save(tmp_path_factory.mktemp("incremental"))
    # the reference: the compared models and everything upstream, rebuilt in full (not tested again)
    proc = workspace.dbt("run", "--full-refresh", "--select", *(f"+{m.split('.')[1]}" for m in COMPARED))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    full = copy_warehouse(workspace.warehouse, tmp_path_factory.mktemp("full_refresh"))
    return {"steps": steps, "incremental": incremental, "full": full, "orphans": orphans, "data": data, "rate": rate}


def test_gold_after_the_increment_equals_a_full_refresh(deliveries):
    incremental, full = fingerprints(deliveries["incremental"]), fingerprints(deliveries["full"])
    differing = {m: (incremental[m], full[m]) for m in COMPARED if incremental[m] != full[m]}
    assert not differing


def test_unknown_members_find_their_late_dimension_rows(deliveries, built):
    """Base orders and lines that referenced the orphans (-1 in Gold) now carry their keys."""
    orphans, warehouse = deliveries["orphans"], deliveries["incremental"]
    keyed = (
        (
            "customer_key",
            "SELECT order_id, line_number FROM silver.silver_order_lines WHERE order_id IN "
            "(SELECT order_id FROM silver.silver_orders WHERE customer_id = ?)",
            orphans["customers"],
        ),
        (
            "store_key",
            "SELECT order_id, line_number FROM silver.silver_order_lines WHERE order_id IN "
            "(SELECT order_id FROM silver.silver_orders WHERE store_id = ?)",
            orphans["stores"],
        ),
        (
            "product_key",
            "SELECT order_id, line_number FROM silver.silver_order_lines WHERE product_id = ?",
            orphans["products"],
        ),
    )
    for column, lines, orphan in keyed:
        sales = f"SELECT s.{column} FROM gold.fct_sales AS s WHERE (s.order_number, s.line_number) IN ({lines})"
        assert {r[0] for r in query(built, sales, orphan)} == {-1}, column
        after = {r[0] for r in query(warehouse, sales, orphan)}
        if column == "product_key":
            after = {
                r[0]
                for r in query(
                    warehouse,
                    f"SELECT product_id FROM gold.dim_product WHERE product_key IN ({','.join(map(str, after))})",
                )
            }
        assert after == {orphan}, column


def new_rows(con, table: str, load_column: str, since: str, where: str = "true") -> int:
    return con.sql(f"SELECT count(*) FROM {table} WHERE {load_column} > ? AND {where}", params=[since]).fetchone()[0]


def test_fact_delivery_selects_only_the_new_rows(deliveries):
    """The first delivery (new days and a late partition): each Silver fact selects exactly the
    bronze rows of the new load; Gold the lines and shipments of the orders it touched (and the
    parcels in transit, whose overdue status moves with the newest ship time)."""
    step = deliveries["steps"]["facts"]
    selected, marks = step["selected"], step["watermarks"]
    since = min(marks.values())
    with duckdb.connect(str(deliveries["incremental"]), read_only=True) as con:
        new_lines = new_rows(con, "bronze.orders_lines", "_dlt_load_id", since)
        assert (
            selected["silver.silver_order_lines"] + selected["silver.silver_quarantined_order_lines"] == new_lines > 0
        )
        for model, table in (
            ("silver.silver_events", "bronze.events"),
            ("silver.silver_shipments", "bronze.shipments"),
            ("silver.silver_sensor_readings", "bronze.sensors"),
        ):
            assert selected[model] == new_rows(con, table, "_dlt_load_id", since) > 0, model
        touched = (
            "SELECT order_id FROM bronze.orders_header WHERE _dlt_load_id > $since "
            "UNION SELECT order_id FROM bronze.orders_lines WHERE _dlt_load_id > $since"
        )
        params = {"since": since}
        assert (
            selected["silver.silver_orders"]
            == con.sql(f"SELECT count(*) FROM ({touched})", params=params).fetchone()[0]
        )
        assert (
            selected["gold.fct_sales"]
            == con.sql(
                f"SELECT count(*) FROM silver.silver_order_lines WHERE order_id IN ({touched})", params=params
            ).fetchone()[0]
        )
        assert (
            selected["gold.fct_shipments"]
            == con.sql(
                f"SELECT count(*) FROM silver.silver_shipments WHERE bronze_load_id > $since OR is_in_transit "
                f"OR order_id IN ({touched})",
                params=params,
            ).fetchone()[0]
        )
        # a small share of each model (the quarantine holds a handful of rows at test scale)
        for model in (m for m in INCREMENTAL if m != "silver.silver_quarantined_order_lines"):
            total = con.sql(f"SELECT count(*) FROM {model}").fetchone()[0]
            assert selected[model] < 0.1 * total, (model, selected[model], total)


def test_late_dimension_delivery_selects_only_the_rows_it_rekeys(deliveries):
    """The second delivery brings no facts: Silver and Gold select exactly the orders and lines
    of the delivered customers (every registration of the same person), stores and products;
    Gold also the lines and shipments converted at the corrected exchange rate."""
    step, data, rate = deliveries["steps"]["late dimensions"], deliveries["data"], deliveries["rate"]
    selected = step["selected"]
    ids = {
        table: [
            int(v) for f in (data / f"{table}_changes").rglob("*.csv") for v in pl.read_csv(f, infer_schema=False)[key]
        ]
        for table, key in (("customers", "customer_id"), ("stores", "store_id"), ("products", "product_id"))
    }
    for model in ("silver.silver_events", "silver.silver_shipments", "silver.silver_sensor_readings"):
        assert selected[model] == 0, model
    with duckdb.connect(str(deliveries["incremental"]), read_only=True) as con:
        con.execute("CREATE TEMP TABLE delivered_customers AS SELECT unnest(?::BIGINT[]) AS id", [ids["customers"]])
        orders = (
            "SELECT order_id FROM silver.silver_orders WHERE store_id IN (SELECT unnest($stores::BIGINT[])) "
            "OR customer_id IN (SELECT customer_id FROM silver.stg_customers_history WHERE natural_key IN "
            "(SELECT natural_key FROM silver.stg_customers_history "
            "WHERE customer_id IN (SELECT id FROM delivered_customers)))"
            " OR customer_id IN (SELECT id FROM delivered_customers)"
        )
        params = {"stores": ids["stores"]}
        repriced = {"currency": rate["currency"], "day": rate["day"]}
        assert (
            selected["silver.silver_orders"]
            == con.sql(f"SELECT count(*) FROM ({orders})", params=params).fetchone()[0]
            > 0
        )
        lines = "SELECT count(*) FROM silver.{} WHERE product_id IN (SELECT unnest($products::BIGINT[]))"
        for model in ("silver_order_lines", "silver_quarantined_order_lines"):
            assert (
                selected[f"silver.{model}"]
                == con.sql(lines.format(model), params={"products": ids["products"]}).fetchone()[0]
            )
        assert (
            selected["gold.fct_sales"]
            == con.sql(
                f"SELECT count(*) FROM silver.silver_order_lines WHERE order_id IN ({orders}) "
                "OR product_id IN (SELECT unnest($products::BIGINT[])) OR order_id IN (SELECT order_id FROM "
                "silver.silver_orders WHERE currency = $currency AND order_date_utc = $day)",
                params={**params, **repriced, "products": ids["products"]},
            ).fetchone()[0]
            > 0
        )
        assert (
            selected["gold.fct_shipments"]
            == con.sql(
                f"SELECT count(*) FROM silver.silver_shipments AS s WHERE is_in_transit OR order_id IN ({orders}) "
                "OR order_id IN (SELECT order_id FROM silver.silver_orders WHERE currency = $currency) "
                "AND CAST(timezone('UTC', s.shipped_at) AS DATE) = $day",
                params={**params, **repriced},
            ).fetchone()[0]
        )


def test_a_corrected_exchange_rate_reaches_the_facts_built_before(deliveries, built):
    """The late rate file corrects a rate the base's sales were converted at: the incremental
    build converts those lines again (and the full refresh agrees, above)."""
    rate, warehouse = deliveries["rate"], deliveries["incremental"]
    lines = (
        "SELECT DISTINCT s.rate_to_aud FROM gold.fct_sales AS s JOIN gold.dim_date AS d ON s.date_key = d.date_key "
        "WHERE s.currency = ? AND d.calendar_date = ?"
    )
    assert query(built, lines, rate["currency"], rate["day"]) == [(rate["old"],)]
    assert query(warehouse, lines, rate["currency"], rate["day"]) == [(rate["new"],)]
