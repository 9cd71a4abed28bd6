"""The values of the new optional columns (generators.new_columns names them).

Values follow from the row itself, so re-running the increment gives the same bytes."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
import pyarrow as pa


def _brand() -> pl.Expr:
    return pl.col("name").str.split(" ").list.first()


def _loyalty_tier() -> pl.Expr:
    bucket = (pl.col("customer_id").cast(pl.Int64) * 2_654_435_761) % 100
    return (
        pl.when(pl.col("is_vip"))
        .then(pl.lit("Platinum"))
        .when(bucket < 60)
        .then(pl.lit("Bronze"))
        .when(bucket < 90)
        .then(pl.lit("Silver"))
        .otherwise(pl.lit("Gold"))
    )


def _device_type() -> pl.Expr:
    bucket = (pl.col("order_id") * 2_654_435_761) % 100
    web = pl.when(bucket < 55).then(pl.lit("mobile")).when(bucket < 85).then(pl.lit("desktop")).otherwise(pl.lit("app"))
    return pl.when(pl.col("channel") == "web").then(web).otherwise(pl.lit("in_store"))


def _service_level() -> pl.Expr:
    fast = pl.col("carrier").is_in(["StarTrack", "FedEx", "Royal Mail", "DPD"])
    return pl.when(fast).then(pl.lit("express")).otherwise(pl.lit("standard"))


# TABLE.COLUMN (a key of NEW_COLUMNS) -> (Arrow type, the value as an expression over the row)
VALUES: dict[str, tuple[pa.DataType, Callable[[], pl.Expr]]] = {
    "products.brand": (pa.string(), _brand),
    "customers.loyalty_tier": (pa.string(), _loyalty_tier),
    "orders_header.device_type": (pa.string(), _device_type),
    "shipments.service_level": (pa.string(), _service_level),
}


def add(frame: pl.DataFrame, table: str, names: tuple[str, ...]) -> pl.DataFrame:
    """The frame with the requested new columns of `table` appended (unchanged otherwise)."""
    for name in names:
        owner, column = name.split(".")
        if owner == table:
            frame = frame.with_columns(VALUES[name][1]().alias(column))
    return frame


def add_to_arrow(table: pa.Table, source: str, names: tuple[str, ...]) -> pa.Table:
    """The Arrow table with the requested new columns of `source` appended, other columns untouched."""
    for name in names:
        owner, column = name.split(".")
        if owner == source:
            type_, value = VALUES[name]
            frame = pl.DataFrame(pl.from_arrow(table))
            values = frame.select(value().alias(column)).to_series().to_arrow().cast(type_)
            table = table.append_column(pa.field(column, type_), values)
    return table
