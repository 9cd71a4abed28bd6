"""Clickstream events (JSONL per UTC event date): an envelope plus a payload whose shape
depends on event_type. The JSON text is assembled column-wise, never per row."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from generators import anomalies
from generators.anomalies import AnomalyLog
from generators.config import GeneratorConfig
from generators.dimensions import Dimensions
from generators.formats import (
    US_PER_DAY,
    choice_from,
    day_number,
    fixed_point,
    from_day_number,
    partition_file,
    utc_text,
    weighted_choice,
)
from generators.orders import per_day_counts
from generators.pools import search_terms
from schemas import EVENT_REQUIRED_FIELDS

EVENT_MIX = (
    ("page_view", 0.42),
    ("product_view", 0.25),
    ("search", 0.08),
    ("add_to_cart", 0.10),
    ("remove_from_cart", 0.03),
    ("checkout", 0.05),
    ("login", 0.07),
)
REFERRERS = ("direct", "google", "email", "social", "affiliate")
LOGIN_METHODS = ("password", "google", "apple")
EVENTS_PER_SESSION = 6


@dataclass
class EventPlan:
    per_day: np.ndarray
    anomalies: dict[str, np.ndarray]


def plan(cfg: GeneratorConfig) -> EventPlan:
    rng = cfg.rng("events", "plan")
    per_day = per_day_counts(cfg, rng, "events", cfg.fact_days())
    n = int(per_day.sum())
    counts = {name: anomalies.class_count("events", name, n) for name in ("malformed_json", "missing_envelope_field")}
    return EventPlan(per_day=per_day, anomalies=anomalies.plan(rng, n, counts))


def _json_str(expr: pl.Expr) -> pl.Expr:
    return pl.lit('"') + expr + pl.lit('"')


def generate_chunk(
    cfg: GeneratorConfig,
    dims: Dimensions,
    p: EventPlan,
    days: list,
    chunk_days: range,
    orders: pl.DataFrame,
    log: AnomalyLog,
) -> pl.DataFrame:
    """Event lines of days [chunk_days.start, chunk_days.stop) with a `_file_day` column."""
    rng = cfg.rng("events", chunk_days.start)
    first = int(p.per_day[: chunk_days.start].sum())
    counts = p.per_day[chunk_days.start : chunk_days.stop]
    n = int(counts.sum())
    day_numbers = np.array([day_number(d) for d in days[chunk_days.start : chunk_days.stop]], dtype=np.int64)
    day = np.repeat(day_numbers, counts)
    ts = np.sort(day * US_PER_DAY + rng.integers(0, US_PER_DAY // 1000, n) * 1000)  # ms precision, in time order
    event_id = cfg.id_offset + first + 1 + np.arange(n, dtype=np.int64)

    # Sessions: a visitor (customer or anonymous) per session, several events each, within a day.
    sessions_per_day = np.maximum(1, counts // EVENTS_PER_SESSION)
    session_first = np.repeat(np.cumsum(sessions_per_day) - sessions_per_day, counts)
    session = session_first + (rng.random(n) * np.repeat(sessions_per_day, counts)).astype(np.int64)
    n_sessions = int(sessions_per_day.sum())
    customers = dims.customers
    visitor = customers.ids[weighted_choice(rng, customers.weights, n_sessions)]
    anonymous = rng.random(n_sessions) < 0.3
    session_day = np.repeat(day_numbers, sessions_per_day)
    session_name = (
        pl.lit(f"S{cfg.batch_no}-")
        + pl.Series(session_day).cast(pl.String)
        + "-"
        + pl.Series(np.arange(n_sessions) - np.repeat(np.cumsum(sessions_per_day) - sessions_per_day, sessions_per_day))
        .cast(pl.String)
        .str.zfill(5)
    )
    session_ids = pl.select(session_name.alias("s")).to_series().gather(session)
    user = (
        pl.Series(visitor[session])
        .to_frame("u")
        .select(pl.when(pl.Series(~anonymous[session])).then(pl.col("u").cast(pl.String)).otherwise(pl.lit("null")))
    )
    event_type = choice_from(rng, EVENT_MIX, n)

    # Payload ingredients (only the ones of the row's type are used).
    products = dims.products
    prod_row = weighted_choice(rng, products.weights, n)
    order_first = np.searchsorted(orders["day"].to_numpy(), day, side="left")
    order_last = np.searchsorted(orders["day"].to_numpy(), day, side="right")
    order_row = order_first + (rng.random(n) * np.maximum(order_last - order_first, 1)).astype(np.int64)
    order_row = np.minimum(order_row, orders.height - 1)
    terms = search_terms(cfg.seed)
    categories = sorted(set(products.category))
    frame = pl.DataFrame(
        {
            "event_id": event_id,
            "ts": ts,
            "type": pl.Series(event_type, dtype=pl.String),
            "user": user.to_series(),
            "session": session_ids,
            "product_id": products.ids[prod_row],
            "sku": products.frame["sku"].gather(prod_row),
            "qty": rng.integers(1, 4, n),
            "query": pl.Series(terms[rng.integers(0, terms.size, n)], dtype=pl.String),
            "results": rng.integers(0, 240, n),
            "page": pl.Series(
                np.array([c.lower().replace(" & ", "-").replace(" ", "-") for c in categories], dtype=object)[
                    rng.integers(0, len(categories), n)
                ],
                dtype=pl.String,
            ),
            "referrer": pl.Series(
                np.array(REFERRERS, dtype=object)[rng.integers(0, len(REFERRERS), n)], dtype=pl.String
            ),
            "duration_ms": rng.integers(300, 120_000, n),
            "order_id": orders["order_id"].gather(order_row),
            "total": orders["total_cents"].gather(order_row),
            "currency": orders["currency"].gather(order_row),
            "method": pl.Series(np.array(LOGIN_METHODS, dtype=object)[rng.integers(0, 3, n)], dtype=pl.String),
            "_file_day": day,
        }
    )
    s = lambda c: pl.col(c).cast(pl.String)  # noqa: E731
    payload = (
        pl.when(pl.col("type") == "page_view")
        .then(
            '{"page":"/c/'
            + pl.col("page")
            + '","referrer":"'
            + pl.col("referrer")
            + '","duration_ms":'
            + s("duration_ms")
            + "}"
        )
        .when(pl.col("type") == "product_view")
        .then('{"product_id":' + s("product_id") + ',"sku":"' + pl.col("sku") + '"}')
        .when(pl.col("type") == "search")
        .then('{"query":"' + pl.col("query") + '","results":' + s("results") + "}")
        .when(pl.col("type").is_in(["add_to_cart", "remove_from_cart"]))
        .then('{"product_id":' + s("product_id") + ',"qty":' + s("qty") + "}")
        .when(pl.col("type") == "checkout")
        .then(
            '{"order_id":'
            + s("order_id")
            + ',"total":'
            + fixed_point(pl.col("total"), 2)
            + ',"currency":"'
            + pl.col("currency")
            + '"}'
        )
        .otherwise('{"method":"' + pl.col("method") + '"}')
    )
    envelope = {
        "event_id": '"event_id":' + s("event_id"),
        "event_ts": '"event_ts":' + _json_str(utc_text(pl.col("ts"), with_millis=True)),
        "event_type": '"event_type":' + _json_str(pl.col("type")),
        "user_id": '"user_id":' + pl.col("user"),
        "session_id": '"session_id":' + _json_str(pl.col("session")),
    }
    assert tuple(envelope) == EVENT_REQUIRED_FIELDS

    ea = {k: anomalies.in_chunk(v, first, first + n) for k, v in p.anomalies.items()}
    missing = ea["missing_envelope_field"]
    dropped_index = rng.integers(0, len(EVENT_REQUIRED_FIELDS), missing.size)
    dropped = np.array(EVENT_REQUIRED_FIELDS, dtype=object)[dropped_index]
    drop = np.zeros(n, dtype=np.int8)
    drop[missing] = 1 + dropped_index
    frame = frame.with_columns(_drop=drop)
    parts = [pl.when(pl.col("_drop") != i + 1).then(expr) for i, expr in enumerate(envelope.values())]
    line = "{" + pl.concat_str(parts + ['"payload":' + payload], separator=",", ignore_nulls=True) + "}"
    broken = ea["malformed_json"]
    kind = np.zeros(n, dtype=np.int8)
    kind[broken] = 1 + np.arange(broken.size) % 2  # 1: truncated, 2: trailing comma
    frame = frame.with_columns(_kind=kind).select(
        pl.when(pl.col("_kind") == 1)
        .then(line.str.slice(0, line.str.len_chars() // 2))
        .when(pl.col("_kind") == 2)
        .then(line.str.slice(0, line.str.len_chars() - 1) + ",}")
        .otherwise(line)
        .alias("json"),
        "_file_day",
    )

    position = np.arange(n) - np.repeat(np.cumsum(counts) - counts, counts)
    files = np.array([partition_file(cfg, "events", from_day_number(d)) for d in day_numbers], dtype=object)
    file_of = np.repeat(files, counts)
    log.add("events", "malformed_json", file_of[broken], position[broken] + 1)
    log.add("events", "missing_envelope_field", file_of[missing], position[missing] + 1, dropped)
    return frame
