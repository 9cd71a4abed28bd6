"""Every bronze table: what Bronze reads and how each raw source is loaded (one spec per
source), and the names and schemas of the tables Bronze writes beside them (manifest,
rejects, anomaly log, returns change log). The one home of bronze table names."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pyarrow as pa

import schemas

# Where bronze lands: the dlt pipeline and its dataset (the warehouse schema).
PIPELINE_NAME = "retail_bronze"
DATASET = "bronze"

# Audit and lineage columns added to every loaded row.
INGESTION_TS = "ingestion_ts"
SRC_FILENAME = "src_filename"
SRC_LINE = "src_line"  # 1-based physical line (CSV: line 1 is the header); row number for XLSX/Parquet/Delta
SRC_ROW_HASH = "src_row_hash"  # md5 of the raw record text: stable across runs
AUDIT_FIELDS = [
    pa.field(INGESTION_TS, schemas.UTC_TS, nullable=False),
    pa.field(SRC_FILENAME, pa.string(), nullable=False),
    pa.field(SRC_LINE, pa.int64(), nullable=False),
    pa.field(SRC_ROW_HASH, pa.string(), nullable=False),
]
# Partition column derived from the raw path's date partition (YYYY-MM): daily
# partitions would hold files of a few dozen KB at scale 1.0, months hold MBs.
PARTITION_MONTH = "src_partition_month"
RETURNS_DELETED = "is_deleted"  # hard-delete marker applied to bronze returns

RAW_TEXT = "raw_text"  # a rejected record's text as it was in the raw file

# Tables Bronze writes beside the sources.
MANIFEST_TABLE = "file_manifest"  # one row per raw file and attempt
REJECTS_TABLE = "rejects"  # rows that do not cast to their contract, with a reason code
RETURNS_CHANGES_TABLE = "returns_changes"  # every applied returns change, in order (the lake replays it)

MANIFEST_SCHEMA = pa.schema(
    [
        pa.field("path", pa.string(), nullable=False),
        pa.field("table_name", pa.string(), nullable=False),
        pa.field("size_bytes", pa.int64()),
        pa.field("mtime_ns", pa.int64()),
        pa.field("sha256", pa.string()),
        pa.field("rows_read", pa.int64(), nullable=False),
        pa.field("rows_loaded", pa.int64(), nullable=False),
        pa.field("rows_rejected", pa.int64(), nullable=False),
        pa.field("status", pa.string(), nullable=False),  # FILE_STATUSES
        pa.field("reason", pa.string()),
        pa.field("started_at", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("finished_at", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("load_id", pa.string(), nullable=False),
    ]
)
# What became of a raw file. `failed` files are read again by the next run; `rejected` (every
# record rejected: the file's columns differ from the contract) and `conflict` (changed after
# it was loaded into an append-only table) are settled and need a new delivery.
FILE_STATUSES = ("loaded", "empty", "failed", "rejected", "conflict")
FAILED_STATUSES = ("failed", "rejected", "conflict")

REJECT_SCHEMA = pa.schema(
    [
        pa.field("table_name", pa.string(), nullable=False),
        pa.field(SRC_FILENAME, pa.string(), nullable=False),
        pa.field(SRC_LINE, pa.int64()),
        pa.field("reason", pa.string(), nullable=False),
        pa.field(RAW_TEXT, pa.string()),
        pa.field(INGESTION_TS, schemas.UTC_TS, nullable=False),
    ]
)


@dataclass(frozen=True)
class TableSpec:
    name: str
    format: str  # csv | jsonl | xlsx | parquet | delta
    globs: tuple[str, ...]
    write_disposition: Literal["append", "merge"] = "append"
    primary_key: tuple[str, ...] = ()
    partition_from_path: str | None = None  # hive key in the path whose value gives PARTITION_MONTH
    partition_columns: tuple[str, ...] = ()
    extra_fields: tuple[pa.Field, ...] = field(default_factory=tuple)
    # The contract columns present in this delivery (returns: a Delta version before the
    # schema evolved lacks return_reason_code); None means all of them.
    present: tuple[str, ...] | None = None
    # Merged dimensions whose every delivered version Silver needs (SCD2 history that survives
    # any rebuild): the same rows are also appended to `history_table`, one row per version.
    history_table: str | None = None

    @property
    def contract(self) -> pa.Schema:
        full = schemas.RAW_SCHEMAS[self.name]
        return full if self.present is None else pa.schema([f for f in full if f.name in self.present])

    @property
    def bronze_schema(self) -> pa.Schema:
        """The loaded row: the contract, extra parsed columns, partition column, audit columns."""
        fields = list(self.contract) + list(self.extra_fields)
        if self.partition_from_path:
            fields.append(pa.field(PARTITION_MONTH, pa.string(), nullable=False))
        return pa.schema(fields + AUDIT_FIELDS)


TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in [
        TableSpec(
            "customers",
            "csv",
            ("customers.csv", "customers_changes/*/*.csv"),
            "merge",
            ("customer_id",),
            history_table="customers_history",
        ),
        TableSpec(
            "products",
            "csv",
            ("products.csv", "products_changes/*/*.csv"),
            "merge",
            ("product_id",),
            history_table="products_history",
        ),
        TableSpec("stores", "csv", ("stores.csv", "stores_changes/*/*.csv"), "merge", ("store_id",)),
        TableSpec("suppliers", "csv", ("suppliers.csv",), "merge", ("supplier_id",)),
        TableSpec(
            "orders_header",
            "csv",
            ("orders_header/*/*.csv",),
            partition_from_path="order_dt",
            partition_columns=(PARTITION_MONTH,),
        ),
        TableSpec(
            "orders_lines",
            "csv",
            ("orders_lines/*/*.csv",),
            partition_from_path="order_dt",
            partition_columns=(PARTITION_MONTH,),
        ),
        # Events keep the raw line and its typed envelope; Silver parses the payload.
        TableSpec(
            "events",
            "jsonl",
            ("events/*/*.jsonl",),
            partition_from_path="event_dt",
            partition_columns=(PARTITION_MONTH,),
            extra_fields=tuple(schemas.EVENT_ENVELOPE),
        ),
        # Sensors: partitioned by month only; rows stay clustered by store (files are read store
        # by store), so store filters skip files by their statistics. Partitioning by store too
        # would make 2,880 partitions of ~130 KB files at scale 1.0 and cost delta-rs 4 GB of
        # memory (one open writer per partition); see docs/decisions.md.
        TableSpec(
            "sensors", "csv", ("sensors/*/*/*.csv",), partition_from_path="month", partition_columns=(PARTITION_MONTH,)
        ),
        # Increments beyond the base calendar bring the rates of their days as change files.
        TableSpec(
            "exchange_rates",
            "xlsx",
            ("exchange_rates.xlsx", "exchange_rates_changes/*/*.xlsx"),
            "merge",
            ("date", "currency"),
        ),
        TableSpec("shipments", "parquet", ("shipments/*.parquet",)),
        TableSpec("returns", "delta", ("returns",), "merge", ("return_id",)),
    ]
}


# The generator's anomaly log (ground truth for data-quality reconciliation in Silver)
# is loaded too: one row per injected anomaly, replaced whenever the file changes.
ANOMALY_LOG_FILE = "_anomalies.json"
ANOMALY_TABLE = "anomaly_log"
# Key columns that describe an anomaly rather than identify its row.
ANOMALY_DETAIL_COLUMNS = {
    "kind",
    "fields",
    "column",
    "field",
    "original_customer_id",
    "natural_key",
    "original_store_id",
    "store_code",
    "carrier",
}
ANOMALY_SCHEMA = pa.schema(
    [
        pa.field("source", pa.string(), nullable=False),
        pa.field("anomaly_class", pa.string(), nullable=False),
        pa.field("row_key", pa.string(), nullable=False),  # identity values joined with "|"
        pa.field("key_json", pa.string(), nullable=False),  # every logged key column, as JSON
        pa.field("description", pa.string()),
        pa.field(SRC_FILENAME, pa.string(), nullable=False),
    ]
)
