"""The canonical raw schemas (PyArrow), defined once and imported everywhere.

`SOURCES` comes from the plain-Python `schemas.names`; the Arrow schemas load from
`schemas.raw` on first use, so reading the source names alone never imports pyarrow
(the generator's --help and usage errors stay fast).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from schemas.names import SOURCES

if TYPE_CHECKING:
    from schemas.raw import (
        CUSTOMERS,
        EVENT_ENVELOPE,
        EVENT_REQUIRED_FIELDS,
        EVENT_TYPES,
        EVENTS,
        EXCHANGE_RATES,
        ORDERS_HEADER,
        ORDERS_LINES,
        PRIMARY_KEYS,
        PRODUCTS,
        RAW_SCHEMAS,
        RETURNS,
        RETURNS_V0,
        SENSORS,
        SHIPMENTS,
        STORES,
        SUPPLIERS,
        UTC_TS,
    )

__all__ = [
    "CUSTOMERS",
    "EVENT_ENVELOPE",
    "EVENT_REQUIRED_FIELDS",
    "EVENT_TYPES",
    "EVENTS",
    "EXCHANGE_RATES",
    "ORDERS_HEADER",
    "ORDERS_LINES",
    "PRIMARY_KEYS",
    "PRODUCTS",
    "RAW_SCHEMAS",
    "RETURNS",
    "RETURNS_V0",
    "SENSORS",
    "SHIPMENTS",
    "SOURCES",
    "STORES",
    "SUPPLIERS",
    "UTC_TS",
]


def __getattr__(name: str) -> object:
    """The Arrow names of `schemas.raw`, imported on first use (PEP 562)."""
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module("schemas.raw"), name)
