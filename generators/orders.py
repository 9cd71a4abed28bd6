"""Orders (header + lines, CSV per local order date) and their shipments (Parquet).

The whole batch is planned up front (orders per day, lines per order, parcels), so
anomaly positions are drawn over the full population; rows are then generated and
written one month at a time to keep memory bounded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import polars as pl
import pyarrow as pa

import schemas
from generators import anomalies
from generators.anomalies import AnomalyLog
from generators.calendar import HOURS, day_weights
from generators.config import BASE_DAYS, DEFAULT_START, GeneratorConfig
from generators.dimensions import ORPHAN_ID_BASE, Dimensions
from generators.exchange_rates import RateTable
from generators.formats import (
    US_PER_DAY,
    choice_from,
    day_number,
    decimal_array,
    fixed_point,
    from_day_number,
    localise,
    partition_file,
    weighted_choice,
)
from generators.reference import (
    CARRIER_SLA_DAYS,
    CARRIERS_BY_COUNTRY,
    COUNTRIES,
    COUNTRY_CODES,
    COUPON_CODES,
    DISCOUNTS,
    PAYMENT_METHODS,
    RETURN_REASONS,
)
from schemas import UTC_TS

HOME_DELIVERY_SHARE = 0.15  # of in-store orders
US_PER_HOUR = 3_600_000_000


@dataclass
class OrderPlan:
    days: list[date]
    per_day: np.ndarray  # orders per day
    n_lines: np.ndarray  # per order
    store_row: np.ndarray  # per order
    shipped: np.ndarray  # per order: web, or in-store with home delivery
    parcels: np.ndarray  # per order (0 when not shipped)
    header_anomalies: dict[str, np.ndarray]
    line_anomalies: dict[str, np.ndarray]
    late_shipments: np.ndarray
    return_rate: float
    as_of_us: int  # end of the batch: later deliveries are still in transit

    @property
    def n_orders(self) -> int:
        return int(self.per_day.sum())


def expected_per_day(cfg: GeneratorConfig, source: str, days: list[date]) -> np.ndarray:
    base = day_weights([DEFAULT_START + timedelta(days=i) for i in range(BASE_DAYS)])
    return cfg.target(source) / BASE_DAYS * day_weights(days) / base.mean()


def per_day_counts(cfg: GeneratorConfig, rng: np.random.Generator, source: str, days: list[date]) -> np.ndarray:
    expected = expected_per_day(cfg, source, days)
    return np.maximum(1, rng.multinomial(round(expected.sum()), expected / expected.sum()))


def plan(cfg: GeneratorConfig, dims: Dimensions, closed_store_rows: np.ndarray) -> OrderPlan:
    rng = cfg.rng("orders", "plan")
    days = cfg.fact_days()
    per_day = per_day_counts(cfg, rng, "orders_header", days)
    n = int(per_day.sum())
    n_lines = (1 + np.minimum(rng.poisson(2.3, n), 9)).astype(np.int64)
    weights = dims.stores.weights.copy()
    weights[closed_store_rows] = 0.0
    store_row = weighted_choice(rng, weights, n)
    is_web = dims.stores.channel[store_row] == "web"
    shipped = is_web | (rng.random(n) < HOME_DELIVERY_SHARE)
    # Bigger orders ship in several parcels (split shipments).
    parcels = np.where(shipped, 1 + rng.binomial(n_lines - 1, 0.25), 0)
    header_classes = {"orphan_reference": anomalies.class_count("orders_header", "orphan_reference", n)}
    if len(days) > 1:  # a duplicate needs another file to land in
        header_classes["duplicate_order_id"] = anomalies.class_count("orders_header", "duplicate_order_id", n)
    n_line_rows = int(n_lines.sum())
    line_classes = {
        name: anomalies.class_count("orders_lines", name, n_line_rows)
        for name in ("invalid_product_id", "non_positive_qty", "zero_price", "discount_out_of_range")
    }
    n_shipments = int(parcels.sum())
    late = anomalies.plan(rng, n_shipments, {"late": anomalies.class_count("shipments", "late_delivery", n_shipments)})[
        "late"
    ]
    return OrderPlan(
        days=days,
        per_day=per_day,
        n_lines=n_lines,
        store_row=store_row,
        shipped=shipped,
        parcels=parcels,
        header_anomalies=anomalies.plan(rng, n, header_classes),
        line_anomalies=anomalies.plan(rng, n_line_rows, line_classes),
        late_shipments=late,
        # A little above the target: returns.write() samples exactly the target count.
        return_rate=0.0 if cfg.is_increment else 1.15 * cfg.target("returns") / n_line_rows,
        as_of_us=(day_number(max(days)) + 1) * US_PER_DAY,
    )


@dataclass
class OrderChunk:
    headers: pl.DataFrame  # with a `_file_day` column: the partition it is written to
    lines: pl.DataFrame  # with `_file_day`
    shipments: pa.Table
    returns: pl.DataFrame  # return candidates (base schema, no return_id yet)
    orders: pl.DataFrame  # order_id, day, customer_id, utc_us, currency, total: for events


def _sample_active(
    rng: np.random.Generator, weights: np.ndarray, active_from: np.ndarray, active_until: np.ndarray, day: np.ndarray
) -> np.ndarray:
    """Per row, an index drawn by weight among the entities active on that row's day."""
    out = np.empty(day.size, dtype=np.int64)
    for d in np.unique(day):
        rows = np.flatnonzero(day == d)
        active = weights * ((active_from <= d) & (d < active_until))
        out[rows] = weighted_choice(rng, active, rows.size)
    return out


def generate_chunk(
    cfg: GeneratorConfig, dims: Dimensions, rates: RateTable, p: OrderPlan, chunk_days: range, log: AnomalyLog
) -> OrderChunk:
    """Orders of the plan's days [chunk_days.start, chunk_days.stop)."""
    rng = cfg.rng("orders", chunk_days.start)
    first = int(p.per_day[: chunk_days.start].sum())
    counts = p.per_day[chunk_days.start : chunk_days.stop]
    n = int(counts.sum())
    sl = slice(first, first + n)
    day_pos = np.repeat(np.arange(chunk_days.start, chunk_days.stop), counts)
    day = np.array([day_number(p.days[i]) for i in range(len(p.days))], dtype=np.int64)[day_pos]

    # Local wall-clock time drawn from the hourly profile; sorted so ids follow time.
    seconds = weighted_choice(rng, HOURS, n) * 3600 + rng.integers(0, 3600, n)
    order = np.lexsort((seconds, day))
    seconds, store_row = seconds[order], p.store_row[sl]
    store_row = store_row[order]
    local_us = day * US_PER_DAY + seconds.astype(np.int64) * 1_000_000
    stores = dims.stores
    ts_text, utc_us = localise(local_us, stores.tz_index[store_row], stores.tz_names)
    order_id = cfg.id_offset + first + 1 + np.arange(n, dtype=np.int64)
    customers = dims.customers
    cust_row = _sample_active(
        rng, customers.weights, customers.join_day + 1, np.full(customers.ids.size, np.iinfo(np.int64).max), day
    )
    customer_id = customers.ids[cust_row]
    store_id = stores.ids[store_row]
    channel = stores.channel[store_row]
    country = stores.country[store_row]
    currency = np.array([COUNTRIES[c]["currency"] for c in COUNTRY_CODES], dtype=object)[country]
    rate = rates.to_aud(rates.index(currency), day)

    # Lines
    n_lines = p.n_lines[sl][order]
    line_order = np.repeat(np.arange(n), n_lines)
    line_first = int(p.n_lines[:first].sum())
    n_line_rows = line_order.size
    line_number = (np.arange(n_line_rows) - np.repeat(np.cumsum(n_lines) - n_lines, n_lines) + 1).astype(np.int32)
    products = dims.products
    prod_row = _sample_active(rng, products.weights, products.active_from, products.active_until, day[line_order])
    product_id = products.ids[prod_row]
    qty = np.minimum(rng.geometric(0.62, n_line_rows), 12).astype(np.int32)
    unit_cents = np.maximum(1, np.round(products.price_aud[prod_row] / 100 / rate[line_order]))
    unit_price = unit_cents.astype(np.int64) * 100
    discount = choice_from(rng, DISCOUNTS, n_line_rows).astype(np.int64)
    tax = np.round(np.array([COUNTRIES[c]["tax_pct"] for c in COUNTRY_CODES]) * 10_000).astype(np.int64)
    tax = tax[country[line_order]]

    la = {k: anomalies.in_chunk(v, line_first, line_first + n_line_rows) for k, v in p.line_anomalies.items()}
    bad = la["invalid_product_id"]
    product_id[bad] = ORPHAN_ID_BASE + rng.integers(0, ORPHAN_ID_BASE, bad.size)
    bad = la["non_positive_qty"]
    qty[bad] = np.where(np.arange(bad.size) % 2 == 0, -qty[bad], 0)
    unit_price[la["zero_price"]] = 0
    bad = la["discount_out_of_range"]
    discount[bad] = np.where(np.arange(bad.size) % 2 == 0, 12_500, -500)
    line_oid = order_id[line_order]
    for name, rows in la.items():
        log.add("orders_lines", name, line_oid[rows], line_number[rows])

    # Headers
    subtotal_cents = np.bincount(line_order, weights=np.maximum(qty, 0) * unit_price / 100, minlength=n)
    home = p.shipped[sl][order] & (channel == "pos")
    fee_cents = np.where(channel == "web", np.where(subtotal_cents >= 10_000, 0, 995), np.where(home, 1495, 0))
    payment = np.empty(n, dtype=object)
    for ch in ("web", "pos"):
        rows = np.flatnonzero(channel == ch)
        payment[rows] = choice_from(rng, PAYMENT_METHODS[ch], rows.size)
    coupon = np.where(
        rng.random(n) < 0.1, np.array(COUPON_CODES, dtype=object)[rng.integers(0, len(COUPON_CODES), n)], None
    )

    ha = {k: anomalies.in_chunk(v, first, first + n) for k, v in p.header_anomalies.items()}
    orphan = ha["orphan_reference"]
    column = np.where(np.arange(orphan.size) % 2 == 0, "customer_id", "store_id")
    orphan_ids = ORPHAN_ID_BASE + rng.integers(0, ORPHAN_ID_BASE, orphan.size)
    customer_id_out = customer_id.copy()
    store_id_out = store_id.copy()
    customer_id_out[orphan[column == "customer_id"]] = orphan_ids[column == "customer_id"]
    store_id_out[orphan[column == "store_id"]] = orphan_ids[column == "store_id"]
    log.add("orders_header", "orphan_reference", order_id[orphan], column)

    headers = pl.DataFrame(
        {
            "order_id": order_id,
            "order_ts": ts_text,
            "order_dt_local": pl.Series(day.astype(np.int32)).cast(pl.Date),
            "customer_id": customer_id_out,
            "store_id": store_id_out,
            "channel": pl.Series(channel, dtype=pl.String),
            "payment_method": pl.Series(payment, dtype=pl.String),
            "coupon_code": pl.Series(coupon.tolist(), dtype=pl.String),
            "currency": pl.Series(currency, dtype=pl.String),
            "shipping_fee": fee_cents.astype(np.int64),
            "_file_day": day,
        }
    ).with_columns(shipping_fee=fixed_point("shipping_fee", 2))

    # A duplicated order arrives again in a neighbouring day's file of this chunk.
    dup = ha.get("duplicate_order_id", np.empty(0, np.int64))
    if dup.size:
        # The next day of the batch (or the previous one at the chunk's end), by position
        # in the batch's day list, so a late partition is never paired with a missing day.
        pos = day_pos[dup]
        target_pos = np.where(pos < chunk_days.stop - 1, pos + 1, pos - 1)
        target = np.array([day_number(p.days[i]) for i in target_pos], dtype=np.int64)
        copies = headers[dup].with_columns(_file_day=pl.Series(target))
        headers = pl.concat([headers, copies]).sort("_file_day", maintain_order=True)
        files = [partition_file(cfg, "orders_header", from_day_number(t)) for t in target]
        log.add("orders_header", "duplicate_order_id", order_id[dup], files)

    lines = pl.DataFrame(
        {
            "order_id": line_oid,
            "line_number": line_number,
            "product_id": product_id,
            "qty": qty,
            "unit_price": unit_price,
            "line_discount_pct": discount,
            "tax_pct": tax,
            "_file_day": day[line_order],
        }
    ).with_columns(fixed_point(c, 4) for c in ("unit_price", "line_discount_pct", "tax_pct"))

    shipments = _shipments(cfg, rng, p, first, order, order_id, utc_us, country, log)
    returns = _return_candidates(rng, p, la, line_oid, product_id, qty, utc_us[line_order])
    orders = pl.DataFrame(
        {
            "order_id": order_id,
            "day": day,
            "customer_id": customer_id,
            "utc_us": utc_us,
            "currency": pl.Series(currency, dtype=pl.String),
            "total_cents": np.round(subtotal_cents).astype(np.int64) + fee_cents,
        }
    )
    return OrderChunk(headers=headers, lines=lines, shipments=shipments, returns=returns, orders=orders)


def _shipments(
    cfg: GeneratorConfig,
    rng: np.random.Generator,
    p: OrderPlan,
    first: int,
    order: np.ndarray,
    order_id: np.ndarray,
    utc_us: np.ndarray,
    country: np.ndarray,
    log: AnomalyLog,
) -> pa.Table:
    n = order.size
    parcels = p.parcels[first : first + n][order]
    ship_first = int(p.parcels[:first].sum())
    owner = np.repeat(np.arange(n), parcels)
    m = owner.size
    carrier = np.empty(m, dtype=object)
    for ci, code in enumerate(COUNTRY_CODES):
        rows = np.flatnonzero(country[owner] == ci)
        options = np.array(CARRIERS_BY_COUNTRY[code], dtype=object)
        carrier[rows] = options[rng.integers(0, options.size, rows.size)]
    sla_us = np.array([CARRIER_SLA_DAYS[c] for c in carrier], dtype=np.int64) * US_PER_DAY
    shipped_at = utc_us[owner] + rng.integers(2 * US_PER_HOUR, 48 * US_PER_HOUR, m)
    transit = (rng.uniform(0.3, 1.0, m) * sla_us).astype(np.int64)
    late = anomalies.in_chunk(p.late_shipments, ship_first, ship_first + m)
    transit[late] = sla_us[late] + rng.integers(US_PER_DAY, 7 * US_PER_DAY, late.size)
    delivered_at = shipped_at + transit
    in_transit = delivered_at >= p.as_of_us
    shipment_id = cfg.id_offset + ship_first + 1 + np.arange(m, dtype=np.int64)
    late = late[~in_transit[late]]
    log.add("shipments", "late_delivery", shipment_id[late], carrier[late])
    log.add("shipments", "in_transit", shipment_id[in_transit])
    cost_cents = np.round(rng.gamma(3.0, 350.0, m)).astype(np.int64) + 495
    return pa.Table.from_arrays(
        [
            pa.array(shipment_id),
            pa.array(order_id[owner]),
            pa.array(carrier, pa.string()),
            pa.array(shipped_at // 1_000_000 * 1_000_000).cast(UTC_TS),
            pa.array(delivered_at // 1_000_000 * 1_000_000, mask=in_transit).cast(UTC_TS),
            decimal_array(cost_cents, 12, 2),
        ],
        schema=schemas.SHIPMENTS,
    )


def _return_candidates(
    rng: np.random.Generator,
    p: OrderPlan,
    la: dict[str, np.ndarray],
    line_oid: np.ndarray,
    product_id: np.ndarray,
    qty: np.ndarray,
    order_utc: np.ndarray,
) -> pl.DataFrame:
    """Some clean lines come back 1-45 days later (never after the batch end)."""
    eligible = np.ones(line_oid.size, dtype=bool)
    for rows in la.values():
        eligible[rows] = False
    pick = np.flatnonzero(eligible & (rng.random(line_oid.size) < p.return_rate))
    return_ts = order_utc[pick] + rng.integers(US_PER_DAY, 45 * US_PER_DAY, pick.size)
    pick, return_ts = pick[return_ts < p.as_of_us], return_ts[return_ts < p.as_of_us]
    reason = np.array([r for r, _ in RETURN_REASONS], dtype=object)[rng.integers(0, len(RETURN_REASONS), pick.size)]
    return pl.DataFrame(
        {
            "order_id": line_oid[pick],
            "product_id": product_id[pick],
            "return_ts": pl.Series(return_ts // 1_000_000 * 1_000_000).cast(pl.Datetime("us", "UTC")),
            "qty": (1 + (rng.random(pick.size) * qty[pick]).astype(np.int32)).astype(np.int32),
            "reason": pl.Series(reason, dtype=pl.String),
        }
    )
