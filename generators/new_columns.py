"""New optional columns for schema-evolution drills (`--add-column TABLE.COLUMN`).

An increment given `--add-column products.brand` writes its files of that table with one
more column, last, which the base files and `schemas/` (the base contract) do not have.
This module names them; `generators.new_column_values` computes them. Plain Python on
purpose: argument parsers offer these choices without loading polars or pyarrow."""

# TABLE.COLUMN -> what the column holds
NEW_COLUMNS: dict[str, str] = {
    "products.brand": "the brand (first word of the product name)",
    "customers.loyalty_tier": "Bronze / Silver / Gold, Platinum for VIPs",
    "orders_header.device_type": "mobile / desktop / app for web orders, in_store",
    "shipments.service_level": "express or standard, by carrier",
}
