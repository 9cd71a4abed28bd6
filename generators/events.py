"""Clickstream events (JSONL per UTC event date): an envelope plus a payload whose shape
depends on event_type. The JSON text is assembled column-wise, never per row.

Events come in sessions of a few minutes: a landing page (or a login), browsing (product
views, searches, pages), sometimes a cart. A few percent of sessions convert: they end
with add_to_cart then checkout, seconds before that customer's own web order. The feed is
a sample of sessions (SPEC's ~2M events against ~700k web orders; see docs/decisions.md)."""

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
    day_number,
    fixed_point,
    from_day_number,
    labels,
    partition_file,
    utc_text,
    weighted_choice,
)
from generators.orders import OrderPlan, per_day_counts
from generators.pools import search_terms
from generators.reference import (
    ANONYMOUS_SESSION_SHARE,
    CATEGORY_NAMES,
    COUNTRY_CODES,
    EVENT_GAP_MEDIAN_S,
    LOGIN_METHODS,
    REFERRERS,
    SESSION_CONVERSION,
    SESSION_MEAN_EXTRA_EVENTS,
    WEB_HOURS,
)
from schemas import EVENT_REQUIRED_FIELDS, EVENT_TYPES

# Browsing events after the landing one; carts only in sessions that reach a cart.
BROWSE_MIX = (("product_view", 0.55), ("page_view", 0.25), ("search", 0.20))
CART_SHARE = 0.12  # of non-converting sessions that put something in the cart
REMOVE_SHARE = 0.25  # of cart sessions that take it out again
LOGIN_SHARE = 0.35  # of signed-in sessions that start with a login event
US_PER_S = 1_000_000
# Standard UTC offsets of the countries (hours), to place sessions in local evenings.
UTC_OFFSET_HOURS = {"AU": 10, "US": -6, "GB": 0, "CA": -5}


@dataclass
class EventPlan:
    per_day: np.ndarray
    anomalies: dict[str, np.ndarray]


def plan(cfg: GeneratorConfig, orders: OrderPlan) -> EventPlan:
    rng = cfg.rng("events", "plan")
    per_day = per_day_counts(cfg, rng, "events", orders.calendar, web_only=True)
    n = int(per_day.sum())
    counts = {name: anomalies.class_count("events", name, n) for name in ("malformed_json", "missing_envelope_field")}
    return EventPlan(per_day=per_day, anomalies=anomalies.plan(rng, n, counts))


def _json_str(expr: pl.Expr) -> pl.Expr:
    return pl.lit('"') + expr + pl.lit('"')


def _sessions(
    rng: np.random.Generator, counts: np.ndarray, day_numbers: np.ndarray, orders: pl.DataFrame
) -> dict[str, np.ndarray]:
    """Sessions filling each day's event count exactly: converting sessions first (one per
    sampled web order of that UTC day), then browsing sessions; the last one may be cut."""
    utc_us = orders["utc_us"].to_numpy()
    utc_day = utc_us // US_PER_DAY
    web = orders["is_web"].to_numpy()
    parts: list[dict[str, np.ndarray]] = []
    for d, quota in zip(day_numbers, counts, strict=True):
        # Orders at least an hour into the UTC day, so their session fits before them in the same file.
        candidates = np.flatnonzero(web & (utc_day == d) & (utc_us - d * US_PER_DAY > 3_600 * US_PER_S))
        wanted = rng.poisson(quota / (1 + SESSION_MEAN_EXTRA_EVENTS) * SESSION_CONVERSION)
        converting = np.sort(rng.choice(candidates, min(wanted, candidates.size), replace=False))
        conv_len = 4 + rng.geometric(1 / SESSION_MEAN_EXTRA_EVENTS, converting.size)
        room = max(0, int(quota) - int(conv_len.sum()))
        browse_len = rng.geometric(1 / (1 + SESSION_MEAN_EXTRA_EVENTS), room + 1)
        cut = np.searchsorted(np.cumsum(browse_len), room, side="left")
        browse_len = browse_len[: cut + 1].copy()
        browse_len[-1] -= int(browse_len.sum()) - room
        browse_len = browse_len[browse_len > 0]
        if conv_len.sum() > quota:  # a tiny day: keep what fits
            keep = np.cumsum(conv_len) <= quota
            converting, conv_len = converting[keep], conv_len[keep]
            browse_len = np.array([quota - conv_len.sum()]) if quota > conv_len.sum() else np.empty(0, np.int64)
        m = converting.size + browse_len.size
        parts.append(
            {
                "day": np.full(m, d, dtype=np.int64),
                "length": np.concatenate([conv_len, browse_len]).astype(np.int64),
                "order_row": np.concatenate([converting, np.full(browse_len.size, -1)]).astype(np.int64),
            }
        )
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


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
    s = _sessions(rng, counts, day_numbers, orders)
    n_sessions = s["day"].size
    converting = s["order_row"] >= 0
    customers, products = dims.customers, dims.products

    # Who: the ordering customer in converting sessions; otherwise a signed-in customer
    # (joined by then, favouring frequent online shoppers) or an anonymous visitor.
    visitor = np.empty(n_sessions, dtype=np.int64)
    conv_rows = s["order_row"][converting]
    visitor[converting] = orders["customer_id"].to_numpy()[conv_rows]
    browse = np.flatnonzero(~converting)
    weight = customers.intensity * customers.web_propensity
    picked = np.empty(browse.size, dtype=np.int64)
    todo = np.arange(browse.size)
    for _ in range(200):
        if todo.size == 0:
            break
        cand = weighted_choice(rng, weight, todo.size)
        ok = customers.active_from[cand] <= s["day"][browse[todo]]
        picked[todo[ok]] = cand[ok]
        todo = todo[~ok]
    picked[todo] = int(np.argmin(customers.active_from))
    visitor[browse] = customers.ids[picked]
    anonymous = np.zeros(n_sessions, dtype=bool)
    anonymous[browse] = rng.random(browse.size) < ANONYMOUS_SESSION_SHARE
    country = np.empty(n_sessions, dtype=np.int64)
    country[converting] = 0
    country[browse] = customers.country[picked]
    id_to_row = np.searchsorted(customers.ids, visitor[converting])
    country[converting] = customers.country[id_to_row]

    # When: a session's events are spaced by log-normal gaps. Converting sessions end with
    # the checkout seconds before the order; others start in the visitor's local day.
    length = s["length"]
    session_of = np.repeat(np.arange(n_sessions), length)
    position = np.arange(n) - np.repeat(np.cumsum(length) - length, length)
    gaps = (rng.lognormal(np.log(EVENT_GAP_MEDIAN_S), 0.9, n).clip(1, 600) * US_PER_S).astype(np.int64)
    gaps[position == 0] = 0
    offset = np.cumsum(gaps) - np.repeat(np.cumsum(gaps)[np.cumsum(length) - length], length)
    duration = np.maximum(offset[np.cumsum(length) - 1], 1)
    day_start = s["day"] * US_PER_DAY
    order_utc = np.zeros(n_sessions, dtype=np.int64)
    order_utc[converting] = orders["utc_us"].to_numpy()[conv_rows]
    local_hour = weighted_choice(rng, np.array(WEB_HOURS, dtype=np.float64), n_sessions)
    shift = np.array([UTC_OFFSET_HOURS[c] for c in COUNTRY_CODES])[country]
    browse_start = (
        day_start + ((local_hour - shift) % 24) * 3_600 * US_PER_S + rng.integers(0, 3_600, n_sessions) * US_PER_S
    )
    checkout_at = order_utc - rng.integers(5, 90, n_sessions) * US_PER_S
    start = np.maximum(np.where(converting, checkout_at - duration, browse_start), day_start)
    # The session stays in its day file (and before its order): squeeze the rare long one.
    end_limit = np.where(converting, checkout_at, day_start + US_PER_DAY - 1_000)
    squeeze = np.minimum(1.0, (end_limit - start) / duration)
    ts = (start[session_of] + (offset * squeeze[session_of]).astype(np.int64)) // 1_000 * 1_000  # ms precision

    # What: the landing event, browsing, the cart, the checkout.
    last = position == length[session_of] - 1
    type_of = {name: i for i, name in enumerate(EVENT_TYPES)}
    browse_types = np.array([type_of[name] for name, _ in BROWSE_MIX])
    event_type = browse_types[weighted_choice(rng, np.array([share for _, share in BROWSE_MIX]), n)]
    landing = position == 0
    login = (~anonymous[session_of] & (rng.random(n) < LOGIN_SHARE))[landing]
    event_type[landing] = np.where(login, type_of["login"], type_of["page_view"])
    carts = ~converting & (rng.random(n_sessions) < CART_SHARE) & (length >= 3)
    cart_event = last & carts[session_of]
    removed = rng.random(int(cart_event.sum())) < REMOVE_SHARE
    event_type[cart_event] = np.where(removed, type_of["remove_from_cart"], type_of["add_to_cart"])
    event_type[(position == length[session_of] - 2) & converting[session_of]] = type_of["add_to_cart"]
    event_type[last & converting[session_of]] = type_of["checkout"]
    # Events are in time order within a day file; ids follow.
    order = np.lexsort((ts, s["day"][session_of]))
    session_of, position, ts, event_type = session_of[order], position[order], ts[order], event_type[order]
    event_id = cfg.id_offset + first + 1 + np.arange(n, dtype=np.int64)

    sessions_per_day = np.bincount(np.searchsorted(day_numbers, s["day"]), minlength=day_numbers.size)
    index_in_day = np.arange(n_sessions) - np.repeat(np.cumsum(sessions_per_day) - sessions_per_day, sessions_per_day)
    session_name = pl.select(
        (
            pl.lit(f"S{cfg.batch_no}-")
            + pl.Series(s["day"]).cast(pl.String)
            + "-"
            + pl.Series(index_in_day).cast(pl.String).str.zfill(5)
        ).alias("s")
    ).to_series()
    user_text = (
        pl.Series(visitor)
        .cast(pl.String)
        .to_frame("u")
        .select(pl.when(pl.Series(~anonymous)).then(pl.col("u")).otherwise(pl.lit("null")))
        .to_series()
    )

    # Payload ingredients (only the ones of the row's type are used).
    prod_row = weighted_choice(rng, products.weights, n)
    in_checkout = converting[session_of] & (event_type == type_of["add_to_cart"])
    order_row = np.where(converting[session_of], s["order_row"][session_of], 0)
    prod_row[in_checkout] = orders["product_row"].to_numpy()[order_row[in_checkout]]
    terms = search_terms(cfg.seed)
    pages = [c.lower().replace(" & ", "-").replace(" ", "-") for c in CATEGORY_NAMES]
    frame = pl.DataFrame(
        {
            "event_id": event_id,
            "ts": ts,
            "type": labels(EVENT_TYPES, event_type),
            "user": user_text.gather(session_of),
            "session": session_name.gather(session_of),
            "product_id": products.ids[prod_row],
            "sku": products.frame["sku"].gather(prod_row),
            "qty": rng.integers(1, 3, n),
            "query": labels(terms, rng.integers(0, terms.size, n)),
            "results": rng.integers(0, 240, n),
            "page": labels(pages, products.category[prod_row]),
            "referrer": labels([r for r, _ in REFERRERS], weighted_choice(rng, np.array([w for _, w in REFERRERS]), n)),
            "duration_ms": (rng.lognormal(np.log(20_000), 0.9, n).clip(300, 600_000)).astype(np.int64),
            "order_id": orders["order_id"].gather(order_row),
            "total": orders["total_cents"].gather(order_row),
            "currency": orders["currency"].gather(order_row),
            "method": labels(
                [m for m, _ in LOGIN_METHODS], weighted_choice(rng, np.array([w for _, w in LOGIN_METHODS]), n)
            ),
            "_file_day": s["day"][session_of],
        }
    )
    text = lambda c: pl.col(c).cast(pl.String)  # noqa: E731
    payload = (
        pl.when(pl.col("type") == "page_view")
        .then(
            '{"page":"/c/'
            + pl.col("page")
            + '","referrer":"'
            + pl.col("referrer")
            + '","duration_ms":'
            + text("duration_ms")
            + "}"
        )
        .when(pl.col("type") == "product_view")
        .then('{"product_id":' + text("product_id") + ',"sku":"' + pl.col("sku") + '"}')
        .when(pl.col("type") == "search")
        .then('{"query":"' + pl.col("query") + '","results":' + text("results") + "}")
        .when(pl.col("type").is_in(["add_to_cart", "remove_from_cart"]))
        .then('{"product_id":' + text("product_id") + ',"qty":' + text("qty") + "}")
        .when(pl.col("type") == "checkout")
        .then(
            '{"order_id":'
            + text("order_id")
            + ',"total":'
            + fixed_point(pl.col("total"), 2)
            + ',"currency":"'
            + pl.col("currency")
            + '"}'
        )
        .otherwise('{"method":"' + pl.col("method") + '"}')
    )
    envelope = {
        "event_id": '"event_id":' + text("event_id"),
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

    position_in_file = np.arange(n) - np.repeat(np.cumsum(counts) - counts, counts)
    files = np.array([partition_file(cfg, "events", from_day_number(d)) for d in day_numbers], dtype=object)
    file_of = np.repeat(files, counts)
    log.add("events", "malformed_json", file_of[broken], position_in_file[broken] + 1)
    log.add("events", "missing_envelope_field", file_of[missing], position_in_file[missing] + 1, dropped)
    return frame
