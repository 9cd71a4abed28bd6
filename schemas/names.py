"""The names of the 11 raw sources, in their canonical order.

Plain Python on purpose: the generator's argument parser (`--only` choices) reads them
without loading pyarrow; `schemas.raw` keys its Arrow schemas by them.
"""

SOURCES: tuple[str, ...] = (
    "customers",
    "products",
    "stores",
    "suppliers",
    "orders_header",
    "orders_lines",
    "events",
    "sensors",
    "exchange_rates",
    "shipments",
    "returns",
)
