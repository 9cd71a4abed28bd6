"""Anomaly injection planning and the anomaly log (the ground truth of data quality).

Every injected row is recorded with the keys that identify it, so detection in later
layers can be measured exactly: per source and class, `count` equals len(`rows`).
"""

from __future__ import annotations

import numpy as np

# (source, class) -> (rate, key columns, description). A rate is the fraction of the
# source's rows; every class gets at least one row so that tiny scales still carry it.
# Rates of None mean the class follows from the data (e.g. shipments still in transit).
CLASSES: dict[tuple[str, str], tuple[float | None, tuple[str, ...], str]] = {
    ("customers", "malformed_email"): (
        0.0075,
        ("customer_id", "kind"),
        "email is not a well-formed address: kind is missing_at, double_at, no_tld or space",
    ),
    ("customers", "duplicate_natural_key"): (
        0.002,
        ("customer_id", "original_customer_id", "natural_key"),
        "the same person registered twice: a second customer_id carries another row's natural_key",
    ),
    ("customers", "missing_contact"): (
        0.01,
        ("customer_id", "fields"),
        "required contact fields are empty: phone, or address_line1, or city and postcode",
    ),
    ("products", "invalid_price"): (
        0.003,
        ("product_id", "kind"),
        "current_price is missing, zero, negative or non-numeric (kind: missing, zero, negative, non_numeric)",
    ),
    ("products", "discontinued_without_date"): (
        0.004,
        ("product_id",),
        "is_discontinued is true but discontinued_dt is empty",
    ),
    ("stores", "impossible_coordinates"): (
        0.004,
        ("store_id", "kind"),
        "latitude outside -90..90 and/or longitude outside -180..180 (kind: latitude, longitude, both)",
    ),
    ("stores", "duplicate_store_code"): (
        0.002,
        ("store_id", "original_store_id", "store_code"),
        "a store reuses another store's store_code",
    ),
    ("orders_header", "orphan_reference"): (
        0.01,
        ("order_id", "column"),
        "customer_id or store_id references no existing row (column says which)",
    ),
    ("orders_header", "duplicate_order_id"): (
        0.0005,
        ("order_id", "file"),
        "an order is delivered again in another day's file; file is where the extra copy is",
    ),
    ("orders_lines", "invalid_product_id"): (
        0.01,
        ("order_id", "line_number"),
        "product_id references no existing product",
    ),
    ("orders_lines", "non_positive_qty"): (0.0002, ("order_id", "line_number"), "qty is zero or negative"),
    ("orders_lines", "zero_price"): (0.0002, ("order_id", "line_number"), "unit_price is zero"),
    ("orders_lines", "discount_out_of_range"): (
        0.0002,
        ("order_id", "line_number"),
        "line_discount_pct is outside 0..1",
    ),
    ("events", "malformed_json"): (
        0.0005,
        ("file", "line"),
        "the line is not valid JSON (truncated document or trailing comma)",
    ),
    ("events", "missing_envelope_field"): (
        0.002,
        ("file", "line", "field"),
        "a required envelope key is absent (field says which)",
    ),
    ("sensors", "out_of_range"): (
        0.003,
        ("file", "line", "column"),
        "temperature_c outside -30..50 or humidity_pct outside 0..100 (column says which)",
    ),
    ("sensors", "missing_sensor_ts"): (0.0005, ("file", "line"), "sensor_ts is empty"),
    ("shipments", "in_transit"): (
        None,
        ("shipment_id",),
        "delivered_at is empty: the parcel had not arrived by the end of the batch",
    ),
    ("shipments", "late_delivery"): (
        None,
        ("shipment_id", "carrier"),
        "delivered_at is later than shipped_at + the carrier's SLA days "
        "(follows from transit times: carrier, zone, season)",
    ),
}


def class_count(source: str, name: str, n_rows: int) -> int:
    rate = CLASSES[(source, name)][0]
    if rate is None:
        raise ValueError(f"{source}.{name} follows from the data: it has no planned count")
    if n_rows <= 0:
        return 0
    return min(n_rows, max(1, round(rate * n_rows)))


def plan(rng: np.random.Generator, n_rows: int, counts: dict[str, int]) -> dict[str, np.ndarray]:
    """Disjoint random row positions per class (sorted), drawn from the whole population.

    Positions are global over a source so that rates hold exactly at any scale and
    the rows are spread at random, never the first N.
    """
    total = sum(counts.values())
    if total > n_rows:
        raise ValueError(f"cannot place {total} anomalies in {n_rows} rows")
    picked = rng.choice(n_rows, size=total, replace=False) if total else np.empty(0, np.int64)
    out, start = {}, 0
    for name, k in counts.items():
        out[name] = np.sort(picked[start : start + k]).astype(np.int64)
        start += k
    return out


def in_chunk(positions: np.ndarray, start: int, stop: int) -> np.ndarray:
    """The positions of a global plan that fall in [start, stop), made chunk-local."""
    lo, hi = np.searchsorted(positions, [start, stop])
    return positions[lo:hi] - start


class AnomalyLog:
    """Collects the identifying keys of every injected row, per source and class."""

    def __init__(self) -> None:
        self._rows: dict[tuple[str, str], list[list]] = {}

    def add(self, source: str, name: str, *columns) -> None:
        """Record rows given column-wise (arrays or lists of equal length)."""
        if (source, name) not in CLASSES:
            raise KeyError(f"unknown anomaly class {source}.{name}")
        cols = [np.asarray(c).tolist() for c in columns]
        rows = [list(r) for r in zip(*cols, strict=True)]
        self._rows.setdefault((source, name), []).extend(rows)

    def sources(self) -> set[str]:
        return {s for s, _ in self._rows}

    def section(self, source: str) -> dict:
        """The log of one source: every class of that source, even when empty."""
        out = {}
        for (src, name), (_, key, description) in CLASSES.items():
            if src != source:
                continue
            rows = sort_rows(self._rows.get((src, name), []))
            out[name] = {"description": description, "key": list(key), "count": len(rows), "rows": rows}
        return out


def sort_rows(rows: list[list]) -> list[list]:
    """Rows in key order. Each key column holds one type, so lists compare natively (fast);
    a mixed column falls back to numbers before text."""
    try:
        return sorted(rows)
    except TypeError:
        return sorted(rows, key=_sort_key)


def _sort_key(row: list) -> tuple:
    return tuple((0, v, "") if isinstance(v, (int, float)) else (1, 0, str(v)) for v in row)
