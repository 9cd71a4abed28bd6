"""Schema evolution through bronze: an increment with new optional columns is loaded and the
tables grow (old rows NULL) in DuckDB, Delta and Parquet; a breaking change (a required column
removed, a type that no longer casts) is refused whole, naming the file and the column."""

from __future__ import annotations

import polars as pl
import pytest
from bronze_checks import manifest, warehouse
from conftest import SCALE, SEED, run_bronze, run_generator
from deltalake import DeltaTable

import duckdb

NEW = ("--add-column", "products.brand", "--add-column", "shipments.service_level")
INCREMENT = ("--start-date", "2026-01-01", "--days", "1")
DAY = "orders_header/order_dt=2026-01-01"


@pytest.fixture(scope="module")
def evolved(raw, bronze, tmp_path_factory):
    """The session bronze copied, then one bronze run over an increment that adds two columns and
    two broken deliveries: a products change file without `category`, and an orders file whose
    `order_ts` is a weekday name instead of an instant."""
    import shutil

    from conftest import copy_bronze

    data = tmp_path_factory.mktemp("evolved") / "raw"
    shutil.copytree(raw, data)
    target = copy_bronze(bronze, tmp_path_factory.mktemp("evolved_t") / "t")
    run_generator("--seed", SEED, "--scale", SCALE, "--out", str(data), *INCREMENT, *NEW)
    change = next((data / "products_changes").rglob("*.csv"))
    frame = pl.read_csv(change, infer_schema=False)
    missing = data / "products_changes" / "change_dt=2026-01-02" / "part-99999.csv"
    missing.parent.mkdir(parents=True)
    frame.drop("category", "brand").write_csv(missing)
    orders = pl.read_csv(next((data / DAY).glob("*.csv")), infer_schema=False)
    retyped = data / DAY / "part-99999.csv"
    orders.with_columns(order_ts=pl.lit("Thursday")).write_csv(retyped)
    proc = run_bronze(data, target, check=False)
    return data, target, proc, {"missing": str(missing.relative_to(data)), "retyped": str(retyped.relative_to(data))}


def test_new_optional_columns_are_loaded_and_old_rows_are_null(evolved):
    data, target, proc, _ = evolved
    changes = pl.read_csv(next((data / "products_changes" / "change_dt=2026-01-01").glob("*.csv")), infer_schema=False)
    with warehouse(target) as con:
        brands = dict(con.sql("SELECT product_id::VARCHAR, brand FROM bronze.products").fetchall())
        history_brands = con.sql("SELECT count(brand) FROM bronze.products_history").fetchone()[0]
        shipments = con.sql("SELECT count(*), count(service_level) FROM bronze.shipments").fetchone()
    assert {brands[p] for p in changes["product_id"]} == set(changes["brand"])
    assert sum(v is not None for v in brands.values()) == changes.height  # every older row NULL
    assert history_brands == changes.height
    new_shipments = sum(pl.read_parquet(p).height for p in (data / "shipments").glob("part-*731*.parquet"))
    assert shipments[1] == new_shipments and shipments[0] > new_shipments
    m = manifest(target).filter(pl.col("path").str.contains("part-00731"))
    assert set(m.filter(pl.col("table_name") == "products")["reason"]) == {"new_columns: brand"}
    assert set(m.filter(pl.col("table_name") == "shipments")["reason"]) == {"new_columns: service_level"}


def test_the_schema_change_is_a_new_dlt_schema_version(evolved):
    _, target, _, _ = evolved
    with warehouse(target) as con:
        versions = con.sql(
            "SELECT version, schema::VARCHAR FROM bronze._dlt_version "
            "WHERE schema_name = 'retail_bronze' ORDER BY version"
        ).fetchall()
    assert '"brand"' in versions[-1][1] and '"brand"' not in versions[0][1]


def test_the_lake_tables_evolve_too(evolved):
    _, target, _, _ = evolved
    delta = DeltaTable(str(target / "lake" / "bronze" / "delta" / "products")).to_pyarrow_table()
    assert "brand" in delta.column_names
    assert 0 < delta["brand"].drop_null().__len__() < delta.num_rows
    parquet = duckdb.sql(
        f"SELECT count(brand), count(*) FROM read_parquet('{target}/lake/bronze/parquet/products/*.parquet', "
        "union_by_name = true)"
    ).fetchone()
    assert 0 < parquet[0] < parquet[1]


@pytest.mark.parametrize(
    "case, reason",
    [
        ("missing", "header_mismatch: missing ['category']"),
        ("retyped", "type_mismatch: no value of column order_ts casts to timestamp"),
    ],
)
def test_a_breaking_change_is_refused_whole_naming_file_and_column(evolved, case, reason):
    _, target, proc, paths = evolved
    assert proc.returncode == 4, proc.stderr[-2000:]
    listed = [line for line in proc.stdout.splitlines() + proc.stderr.splitlines() if paths[case] in line]
    assert listed and reason.split(":")[0] in listed[0], proc.stdout[-2000:] + proc.stderr[-2000:]
    entry = manifest(target).filter(pl.col("path") == paths[case]).to_dicts()[0]
    assert entry["status"] == "rejected" and entry["reason"].startswith(reason) and entry["rows_loaded"] == 0
    table = "products" if case == "missing" else "orders_header"
    with warehouse(target) as con:
        loaded = con.sql(f"SELECT count(*) FROM bronze.{table} WHERE src_filename = ?", params=[paths[case]])
        assert loaded.fetchone()[0] == 0
        rejected = con.sql("SELECT count(*) FROM bronze.rejects WHERE src_filename = ?", params=[paths[case]])
        assert rejected.fetchone()[0] == entry["rows_read"]  # every row kept with its reason, none lost
