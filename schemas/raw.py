"""Canonical PyArrow schemas of the 11 raw sources: the contract every layer imports.

Every raw timestamp carries an offset (or is UTC); the contract normalises it to
``timestamp[us, tz=UTC]``. Key columns are non-nullable: a row whose key is missing
cannot be loaded as that entity.
"""

from __future__ import annotations

import pyarrow as pa

from schemas.names import SOURCES

UTC_TS = pa.timestamp("us", tz="UTC")


def _f(name: str, type_: pa.DataType, nullable: bool = True) -> pa.Field:
    return pa.field(name, type_, nullable=nullable)


CUSTOMERS = pa.schema(
    [
        _f("customer_id", pa.int64(), nullable=False),
        _f("natural_key", pa.string(), nullable=False),
        _f("first_name", pa.string()),
        _f("last_name", pa.string()),
        _f("email", pa.string()),
        _f("phone", pa.string()),
        _f("address_line1", pa.string()),
        _f("address_line2", pa.string()),
        _f("city", pa.string()),
        _f("state_region", pa.string()),
        _f("postcode", pa.string()),
        _f("country_code", pa.string()),
        _f("latitude", pa.float64()),
        _f("longitude", pa.float64()),
        _f("birth_date", pa.date32()),
        _f("join_ts", UTC_TS),
        _f("is_vip", pa.bool_()),
        _f("gdpr_consent", pa.bool_()),
    ]
)

PRODUCTS = pa.schema(
    [
        _f("product_id", pa.int64(), nullable=False),
        _f("sku", pa.string(), nullable=False),
        _f("name", pa.string()),
        _f("category", pa.string()),
        _f("subcategory", pa.string()),
        _f("current_price", pa.decimal128(12, 4)),
        _f("currency", pa.string()),
        _f("is_discontinued", pa.bool_()),
        _f("introduced_dt", pa.date32()),
        _f("discontinued_dt", pa.date32()),
    ]
)

STORES = pa.schema(
    [
        _f("store_id", pa.int64(), nullable=False),
        _f("store_code", pa.string(), nullable=False),
        _f("name", pa.string()),
        _f("channel", pa.string()),
        _f("region", pa.string()),
        _f("state", pa.string()),
        _f("latitude", pa.float64()),
        _f("longitude", pa.float64()),
        _f("open_dt", pa.date32()),
        _f("close_dt", pa.date32()),
        # Selling floor area (NULL for web shops): the store's size, independent of its sales.
        _f("floor_area_sqm", pa.int32()),
    ]
)

SUPPLIERS = pa.schema(
    [
        _f("supplier_id", pa.int64(), nullable=False),
        _f("supplier_code", pa.string(), nullable=False),
        _f("name", pa.string()),
        _f("country_code", pa.string()),
        _f("lead_time_days", pa.int32()),
        _f("preferred", pa.bool_()),
    ]
)

ORDERS_HEADER = pa.schema(
    [
        _f("order_id", pa.int64(), nullable=False),
        _f("order_ts", UTC_TS),
        _f("order_dt_local", pa.date32()),
        _f("customer_id", pa.int64()),
        _f("store_id", pa.int64()),
        _f("channel", pa.string()),
        _f("payment_method", pa.string()),
        _f("coupon_code", pa.string()),
        _f("currency", pa.string()),
        _f("shipping_fee", pa.decimal128(12, 2)),
    ]
)

ORDERS_LINES = pa.schema(
    [
        _f("order_id", pa.int64(), nullable=False),
        _f("line_number", pa.int32(), nullable=False),
        _f("product_id", pa.int64()),
        _f("qty", pa.int32()),
        _f("unit_price", pa.decimal128(12, 4)),
        _f("line_discount_pct", pa.decimal128(5, 4)),
        _f("tax_pct", pa.decimal128(5, 4)),
    ]
)

# Events are stored raw as one JSON document per line; the envelope below is the
# contract for the parsed line, the payload's shape depends on event_type.
EVENTS = pa.schema([_f("json", pa.string(), nullable=False)])

EVENT_ENVELOPE = pa.schema(
    [
        _f("event_id", pa.int64(), nullable=False),
        _f("event_ts", UTC_TS, nullable=False),
        _f("event_type", pa.string(), nullable=False),
        _f("user_id", pa.int64()),  # present but null for anonymous visitors
        _f("session_id", pa.string(), nullable=False),
    ]
)
# Keys every event line must carry (user_id may be null but must be present).
EVENT_REQUIRED_FIELDS: tuple[str, ...] = tuple(EVENT_ENVELOPE.names)
EVENT_TYPES: tuple[str, ...] = (
    "page_view",
    "product_view",
    "search",
    "add_to_cart",
    "remove_from_cart",
    "checkout",
    "login",
)

SENSORS = pa.schema(
    [
        _f("sensor_ts", UTC_TS),
        _f("store_id", pa.int64()),
        _f("shelf_id", pa.string()),
        _f("temperature_c", pa.decimal128(5, 2)),
        _f("humidity_pct", pa.decimal128(5, 2)),
        _f("battery_mv", pa.int32()),
    ]
)

EXCHANGE_RATES = pa.schema(
    [
        _f("date", pa.date32(), nullable=False),
        _f("currency", pa.string(), nullable=False),
        _f("rate_to_aud", pa.decimal128(18, 8)),
    ]
)

SHIPMENTS = pa.schema(
    [
        _f("shipment_id", pa.int64(), nullable=False),
        _f("order_id", pa.int64()),
        _f("carrier", pa.string()),
        _f("shipped_at", UTC_TS),
        _f("delivered_at", UTC_TS),
        _f("ship_cost", pa.decimal128(12, 2)),
    ]
)

RETURNS_V0 = pa.schema(
    [
        _f("return_id", pa.int64(), nullable=False),
        _f("order_id", pa.int64()),
        _f("product_id", pa.int64()),
        _f("return_ts", UTC_TS),
        _f("qty", pa.int32()),
        _f("reason", pa.string()),
    ]
)
# The evolved returns schema: a later Delta version adds return_reason_code.
RETURNS = RETURNS_V0.append(_f("return_reason_code", pa.string()))

# Each source's schema by name, in the order of SOURCES (schemas/names.py), which is checked on import.
RAW_SCHEMAS: dict[str, pa.Schema] = {
    "customers": CUSTOMERS,
    "products": PRODUCTS,
    "stores": STORES,
    "suppliers": SUPPLIERS,
    "orders_header": ORDERS_HEADER,
    "orders_lines": ORDERS_LINES,
    "events": EVENTS,
    "sensors": SENSORS,
    "exchange_rates": EXCHANGE_RATES,
    "shipments": SHIPMENTS,
    "returns": RETURNS,
}
if tuple(RAW_SCHEMAS) != SOURCES:
    raise ImportError(f"schemas.raw names {tuple(RAW_SCHEMAS)}, schemas.names {SOURCES}: make them the same list")

PRIMARY_KEYS: dict[str, tuple[str, ...]] = {
    "customers": ("customer_id",),
    "products": ("product_id",),
    "stores": ("store_id",),
    "suppliers": ("supplier_id",),
    "orders_header": ("order_id",),
    "orders_lines": ("order_id", "line_number"),
    "events": (),  # event_id lives inside the JSON line
    "sensors": (),  # a time series: no key
    "exchange_rates": ("date", "currency"),
    "shipments": ("shipment_id",),
    "returns": ("return_id",),
}
