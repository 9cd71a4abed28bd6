"""Bronze from a generated dataset: every raw record is loaded or rejected with a reason,
the three destinations agree, and the anomalies Bronze owns are all rejected."""

from __future__ import annotations

import json

import polars as pl
import pyarrow as pa
import pytest
from bronze_checks import TABLES, manifest, raw_records, three_destinations, warehouse
from conftest import run_bronze
from deltalake import DeltaTable
from raw_readers import logged

import schemas
from pipelines.bronze.tables import TABLES as TABLES_SPEC


def test_every_raw_file_is_accounted_for(raw, bronze):
    m = manifest(bronze)
    files = {
        str(p.relative_to(raw))
        for p in raw.rglob("*")
        if p.is_file()
        and p.suffix in (".csv", ".jsonl", ".parquet", ".xlsx")
        and not p.parts[len(raw.parts)].startswith(("returns", "_"))
    }
    assert files <= set(m["path"])
    assert (m["status"] == "loaded").all(), m.filter(pl.col("status") != "loaded")
    for row in m.iter_rows(named=True):
        if row["path"] == "_anomalies.json":  # its records are the logged anomalies
            log = json.loads((raw / row["path"]).read_text())["sources"]
            assert row["rows_read"] == row["rows_loaded"] == sum(c["count"] for s in log.values() for c in s.values())
            continue
        if row["path"].startswith("returns/") or row["path"].endswith(".xlsx"):
            continue
        assert row["rows_read"] == raw_records(raw / row["path"]), row["path"]
        assert row["rows_read"] == row["rows_loaded"] + row["rows_rejected"], row["path"]


def test_rows_per_file_match_the_manifest(bronze):
    with warehouse(bronze) as con:
        for table in TABLES:
            loaded = dict(con.sql(f"SELECT src_filename, count(*) FROM bronze.{table} GROUP BY 1").fetchall())
            recorded = dict(
                con.sql(
                    "SELECT path, rows_loaded FROM bronze.file_manifest WHERE table_name = ? AND rows_loaded > 0",
                    params=[table],
                ).fetchall()
            )
            if table == "returns":  # merged: a later version replaces earlier rows
                assert sum(loaded.values()) <= sum(recorded.values())
                continue
            assert loaded == recorded, table
        rejected = dict(con.sql("SELECT src_filename, count(*) FROM bronze.rejects GROUP BY 1").fetchall())
        recorded = dict(
            con.sql("SELECT path, rows_rejected FROM bronze.file_manifest WHERE rows_rejected > 0").fetchall()
        )
        assert rejected == recorded


def test_every_reject_has_a_reason_and_its_raw_text(bronze):
    with warehouse(bronze) as con:
        rejects = con.sql("SELECT * FROM bronze.rejects").pl()
    assert rejects.height > 0
    # fill_null(False): polars' all() skips nulls, and a null reason or line must fail
    assert (
        rejects["reason"]
        .str.contains(
            r"^(bad_json|missing_field:\w+|cast_error:\w+|null_key:\w+|bad_encoding|"
            r"column_count|header_mismatch)$"
        )
        .fill_null(False)
        .all()
    )
    assert rejects["raw_text"].is_not_null().all()
    assert (rejects["src_line"] > 0).fill_null(False).all()


def test_bronze_rejects_exactly_the_anomalies_it_owns(raw, bronze):
    with warehouse(bronze) as con:
        rejects = con.sql("SELECT table_name, src_filename, src_line, reason, raw_text FROM bronze.rejects").pl()
    events = rejects.filter(pl.col("table_name") == "events")
    bad_json = {
        (f, n) for f, n in events.filter(pl.col("reason") == "bad_json").select("src_filename", "src_line").iter_rows()
    }
    assert bad_json == logged(raw, "events", "malformed_json")
    missing = {
        (f, n, r.split(":")[1])
        for f, n, r in events.filter(pl.col("reason").str.starts_with("missing_field:"))
        .select("src_filename", "src_line", "reason")
        .iter_rows()
    }
    assert missing == logged(raw, "events", "missing_envelope_field")
    prices = rejects.filter((pl.col("table_name") == "products") & (pl.col("reason") == "cast_error:current_price"))
    non_numeric = {pid for pid, kind in logged(raw, "products", "invalid_price") if kind == "non_numeric"}
    assert {int(t.split(",")[0]) for t in prices["raw_text"]} == non_numeric
    # Nothing else is rejected: well-typed anomalies stay for Silver to judge.
    assert set(rejects["table_name"]) <= {"events", "products"}


def test_well_typed_anomalies_stay_in_bronze(raw, bronze):
    with warehouse(bronze) as con:
        orphans = {
            r[0]
            for r in con.sql(
                "SELECT order_id FROM bronze.orders_header WHERE customer_id >= 100000000 OR store_id >= 100000000"
            ).fetchall()
        }
        dups = con.sql(
            "SELECT count(*) FROM (SELECT order_id FROM bronze.orders_header GROUP BY 1 HAVING count(*) > 1)"
        ).fetchone()[0]
        blank_ts = con.sql("SELECT count(*) FROM bronze.sensors WHERE sensor_ts IS NULL").fetchone()[0]
    assert orphans == {r[0] for r in logged(raw, "orders_header", "orphan_reference")}
    assert dups == len(logged(raw, "orders_header", "duplicate_order_id"))
    assert blank_ts == len(logged(raw, "sensors", "missing_sensor_ts"))


@pytest.mark.parametrize("table", TABLES)
def test_three_destinations_hold_identical_rows(bronze, table):
    prints = three_destinations(bronze, table)
    assert prints["duckdb"][0] > 0
    assert prints["duckdb"] == prints["delta"] == prints["parquet"], prints


def test_audit_columns(bronze, raw):
    with warehouse(bronze) as con:
        for table in TABLES:
            bad = con.sql(f"""SELECT count(*) FROM bronze.{table}
                              WHERE ingestion_ts IS NULL OR src_filename IS NULL
                                 OR length(src_row_hash) IS DISTINCT FROM 32 OR coalesce(src_line < 1, TRUE)""")
            assert bad.fetchone()[0] == 0, table
        tz = con.sql(
            "SELECT data_type FROM information_schema.columns WHERE table_schema = 'bronze' "
            "AND column_name = 'ingestion_ts' LIMIT 1"
        ).fetchone()[0]
        assert tz == "TIMESTAMP WITH TIME ZONE"
        sample = con.sql("SELECT src_filename, src_line, src_row_hash FROM bronze.orders_lines LIMIT 1").fetchone()
    import hashlib

    line = (raw / sample[0]).read_text().splitlines()[sample[1] - 1]
    assert hashlib.md5(line.encode()).hexdigest() == sample[2]  # the hash of the raw record itself


def test_every_loaded_row_is_its_raw_record(raw, bronze):
    """Each loaded row of the text sources holds the record at its src_filename and src_line: its
    hash, its text columns (taken from the batch as read) and its key (cast by the validation
    query) all come from that one line, in every file."""
    import csv
    import hashlib

    for table in ("customers", "orders_header", "orders_lines", "sensors", "events"):
        contract = TABLES_SPEC[table].contract
        text = [f.name for f in contract if pa.types.is_string(f.type)]
        key = next(
            f.name for f in (schemas.EVENT_ENVELOPE if table == "events" else contract) if f.name.endswith("_id")
        )
        with warehouse(bronze) as con:
            rows = con.sql(
                f"SELECT src_filename, src_line, src_row_hash, {', '.join(text + [key])} FROM bronze.{table}"
            )
            loaded = rows.fetchall()
        lines: dict[str, list[str]] = {}
        for path, line, row_hash, *values in loaded:
            if path not in lines:
                lines[path] = (raw / path).read_bytes().decode("utf-8-sig").replace("\r\n", "\n").split("\n")
            record = lines[path][line - 1]
            assert hashlib.md5(record.encode()).hexdigest() == row_hash, (table, path, line)
            if table == "events":
                assert values[0] == record and json.loads(record)[key] == values[1], (table, path, line)
                continue
            fields = dict(zip(lines[path][0].split(","), next(csv.reader([record])), strict=True))
            assert [fields[c] or None for c in text] == values[:-1], (table, path, line)
            assert int(fields[key]) == values[-1], (table, path, line)


def test_lake_layout(bronze):
    parquet = bronze / "lake" / "bronze" / "parquet"
    months = sorted(p.name for p in (parquet / "orders_header").iterdir() if p.is_dir())
    assert months[0] == "src_partition_month=2024-01" and len(months) == 24
    assert DeltaTable(bronze / "lake" / "bronze" / "delta" / "orders_header").metadata().partition_columns == [
        "src_partition_month"
    ]
    assert len(list((parquet / "events").rglob("*.parquet"))) == 24  # one file per month, not per day
    assert list((bronze / "lake" / "_rejects" / "events").glob("*.parquet"))


def test_rerun_loads_nothing(raw, bronze, tmp_path):
    before = manifest(bronze).height
    with warehouse(bronze) as con:
        loads = con.sql("SELECT count(*) FROM bronze._dlt_loads").fetchone()[0]
    proc = run_bronze(raw, bronze)
    assert "nothing new" in proc.stdout
    assert manifest(bronze).height == before
    with warehouse(bronze) as con:
        assert con.sql("SELECT count(*) FROM bronze._dlt_loads").fetchone()[0] == loads
    assert len(DeltaTable(bronze / "lake" / "bronze" / "delta" / "orders_header").history()) == 1


def test_returns_history_is_applied(raw, bronze):
    raw_returns = DeltaTable(raw / "returns")
    current = raw_returns.to_pyarrow_table()
    history = json.loads((raw / "_manifest.json").read_text())["returns_history"]
    with warehouse(bronze) as con:
        loaded = con.sql("SELECT return_id, qty, reason, return_reason_code FROM bronze.returns").pl()
        columns = [r[0] for r in con.sql("DESCRIBE bronze.returns").fetchall()]
    assert "return_reason_code" in columns  # evolved
    assert loaded.height == current.num_rows
    assert not set(history["deleted_return_ids"]) & set(loaded["return_id"])  # deletes applied
    raw_rows = pl.from_arrow(current).select("return_id", "qty", "reason", "return_reason_code")
    assert loaded.sort("return_id").equals(raw_rows.sort("return_id"))  # upserts applied
    delta = DeltaTable(bronze / "lake" / "bronze" / "delta" / "returns")
    ops = [h["operation"] for h in sorted(delta.history(), key=lambda h: h["version"])]
    # v0 creates, v1 appends (a merge), v2 adds return_reason_code and upserts, v3 deletes
    assert ops == ["WRITE", "MERGE", "ADD COLUMN", "MERGE", "MERGE"]
    last = sorted(delta.history(), key=lambda h: h["version"])[-1]["operationMetrics"]
    assert last["num_target_rows_deleted"] == len(history["deleted_return_ids"])
    assert (
        "return_reason_code"
        not in DeltaTable(bronze / "lake" / "bronze" / "delta" / "returns", version=0).schema().to_arrow().names
    )
