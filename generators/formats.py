"""Vectorised text formatting and file writing shared by every source family."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa

EPOCH = date(1970, 1, 1)
US_PER_DAY = 86_400_000_000
_BASE36 = np.frombuffer(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", dtype=np.uint8)


def day_number(d: date) -> int:
    """Days since 1970-01-01 (Arrow's date32)."""
    return (d - EPOCH).days


def from_day_number(n: int) -> date:
    return EPOCH + timedelta(days=int(n))


PARTITIONED_FILES = {
    "orders_header": "orders_header/order_dt={day}/part-{batch:05d}.csv",
    "orders_lines": "orders_lines/order_dt={day}/part-{batch:05d}.csv",
    "events": "events/event_dt={day}/events_{batch:04d}.jsonl",
}


def partition_file(cfg, source: str, day: date) -> str:
    """Path (relative to the output folder) of a batch's file for one day of a daily-partitioned source."""
    return PARTITIONED_FILES[source].format(day=day.isoformat(), batch=cfg.batch_no)


def decimal_array(units: np.ndarray, precision: int, scale: int, mask: np.ndarray | None = None) -> pa.Array:
    """Exact Arrow decimals from integer minor units (no float detour)."""
    units = np.ascontiguousarray(units, dtype=np.int64)
    words = np.empty((units.size, 2), dtype=np.int64)
    words[:, 0], words[:, 1] = units, units >> 63  # little-endian 128-bit, sign-extended
    validity = None if mask is None else pa.array(~mask).buffers()[1]
    return pa.Array.from_buffers(
        pa.decimal128(precision, scale), units.size, [validity, pa.py_buffer(words.tobytes())], null_count=-1
    )


def fixed_point(units: pl.Expr | str, scale: int) -> pl.Expr:
    """Integer minor units -> exact decimal text with `scale` digits, e.g. 129900 @4 -> '12.9900'.

    Given a column name, the result keeps that name.
    """
    if isinstance(units, str):
        return fixed_point(pl.col(units), scale).alias(units)
    step = 10**scale
    sign = pl.when(units < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    return sign + (units.abs() // step).cast(pl.String) + "." + (units.abs() % step).cast(pl.String).str.zfill(scale)


def codes(rng: np.random.Generator, n: int, width: int, prefix: str) -> pl.Series:
    """`n` distinct random codes `prefix` + `width` chars of [0-9A-Z]."""
    space = 36**width
    values = np.unique(rng.integers(0, space, size=int(n * 1.1) + 16))
    while values.size < n:  # vanishingly rare top-up
        values = np.unique(np.concatenate([values, rng.integers(0, space, size=n)]))
    values = rng.permutation(values)[:n]
    digits = np.empty((n, width), dtype=np.uint8)
    for pos in range(width - 1, -1, -1):
        digits[:, pos] = _BASE36[values % 36]
        values //= 36
    text = digits.view(f"S{width}").ravel().astype(str)
    return pl.Series(np.char.add(prefix, text))


def utc_text(utc_us: pl.Expr, with_millis: bool = False) -> pl.Expr:
    """UTC instants (Int64 microseconds) -> ISO 8601 text with a Z suffix."""
    fmt = "%Y-%m-%dT%H:%M:%S%.3fZ" if with_millis else "%Y-%m-%dT%H:%M:%SZ"
    return utc_us.cast(pl.Datetime("us")).dt.strftime(fmt)


def localise(
    local_us: np.ndarray, tz_index: np.ndarray, tz_names, text: bool = True
) -> tuple[pl.Series | None, np.ndarray]:
    """Wall-clock times in per-row zones -> (ISO text with offset, or None without `text`;
    UTC microseconds).

    A time in a DST gap (clocks jump forward) moves one hour later; in an overlap (clocks
    go back) the earlier instant is taken.
    """
    parts: list[pl.Series] = []
    order: list[np.ndarray] = []
    utc = np.empty(local_us.size, dtype=np.int64)
    for code in np.unique(tz_index):
        rows = np.flatnonzero(tz_index == code)
        wall = pl.Series(local_us[rows])
        aware = wall.cast(pl.Datetime("us")).dt.replace_time_zone(
            tz_names[code], ambiguous="earliest", non_existent="null"
        )
        if aware.null_count():
            shifted = (
                (wall + 3_600_000_000)
                .cast(pl.Datetime("us"))
                .dt.replace_time_zone(tz_names[code], ambiguous="earliest", non_existent="null")
            )
            aware = aware.fill_null(shifted)
        if text:
            parts.append(aware.dt.strftime("%Y-%m-%dT%H:%M:%S%:z"))
            order.append(rows)
        utc[rows] = aware.dt.convert_time_zone("UTC").dt.replace_time_zone(None).cast(pl.Int64).to_numpy()
    if not text:
        return None, utc
    # The zones' texts back in row order, without leaving Arrow memory.
    return pl.concat(parts).gather(np.argsort(np.concatenate(order))), utc


def local_days(utc_us: np.ndarray, tz_index: np.ndarray, tz_names) -> np.ndarray:
    """The local calendar day (days since 1970) of UTC instants in per-row zones."""
    out = np.empty(utc_us.size, dtype=np.int64)
    for code in np.unique(tz_index):
        rows = np.flatnonzero(tz_index == code)
        local = pl.Series(utc_us[rows]).cast(pl.Datetime("us", "UTC")).dt.convert_time_zone(tz_names[code])
        out[rows] = local.dt.date().cast(pl.Int32).to_numpy()
    return out


def write_csv(frame: pl.DataFrame, path: Path) -> int:
    """Write one CSV file (header, comma, LF, nulls as empty) and return its size in bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.write_csv(path, line_terminator="\n", null_value="")
    return path.stat().st_size


def write_lines(lines: pl.Series, path: Path) -> int:
    """Write one text line per value (JSONL) and return the size in bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    body = "\n".join(lines.to_list()) + "\n" if len(lines) else ""
    path.write_bytes(body.encode("utf-8"))
    return path.stat().st_size


def weighted_choice(rng: np.random.Generator, weights: np.ndarray, size: int) -> np.ndarray:
    """Indices drawn with probability proportional to weights (one cumsum + searchsorted)."""
    cdf = np.cumsum(weights, dtype=np.float64)
    idx = np.searchsorted(cdf, rng.random(size) * cdf[-1], side="right")
    return np.minimum(idx, weights.size - 1)


def grouped_choice(
    rng: np.random.Generator, group_of_item: np.ndarray, weights: np.ndarray, wanted: np.ndarray
) -> np.ndarray:
    """Per wanted group, an item of that group drawn by weight (-1 when the group is empty):
    one sort and one searchsorted for all rows."""
    order = np.argsort(group_of_item, kind="stable")
    groups = group_of_item[order]
    cum = np.cumsum(weights[order], dtype=np.float64)
    start = np.searchsorted(groups, wanted, side="left")
    stop = np.searchsorted(groups, wanted, side="right")
    base = np.where(start > 0, cum[np.maximum(start - 1, 0)], 0.0)
    total = cum[np.maximum(stop - 1, 0)] - base
    idx = np.searchsorted(cum, base + rng.random(wanted.size) * total, side="right")
    idx = np.clip(idx, start, np.maximum(stop - 1, start))
    return np.where(stop > start, order[np.minimum(idx, order.size - 1)], -1)


def labels(names, index: np.ndarray) -> pl.Series:
    """Text per row from a small vocabulary, by index (-1: null). Built in Arrow memory: no
    Python object per row."""
    vocabulary = pl.Series([*names, None], dtype=pl.String)
    return vocabulary.gather(np.where(index < 0, len(names), index))


def choice_from(rng: np.random.Generator, options, size: int) -> np.ndarray:
    """Draw `size` values from ((value, probability), ...)."""
    values = np.array([v for v, _ in options])
    probs = np.array([p for _, p in options], dtype=np.float64)
    return values[weighted_choice(rng, probs, size)]
