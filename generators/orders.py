"""Orders (header + lines, CSV per local order date), their shipments (Parquet) and return
candidates.

The whole batch is planned up front: orders per day from the trading calendar, who buys
on each day (active customers by purchase frequency, new customers' first orders), the
channel and the store, lines and parcels. Anomaly positions are drawn over the full
population; rows are then generated and written one month at a time to keep memory
bounded.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import polars as pl
import pyarrow as pa

import schemas
from generators import anomalies, calendar
from generators.anomalies import AnomalyLog
from generators.base_window import BASE_DAYS, DEFAULT_START
from generators.calendar import POS, WEB, Calendar
from generators.config import GeneratorConfig
from generators.dimensions import NEVER, ORPHAN_ID_BASE, Customers, Dimensions
from generators.exchange_rates import RateTable
from generators.formats import (
    US_PER_DAY,
    choice_from,
    day_number,
    decimal_array,
    fixed_point,
    from_day_number,
    grouped_choice,
    labels,
    local_days,
    localise,
    partition_file,
    weighted_choice,
)
from generators.geography import TZ_NAMES, cities
from generators.reference import (
    CAMPAIGN_CATEGORY_LIFT,
    CAMPAIGN_NAMES,
    CAMPAIGNS,
    CARRIER_PACE,
    CARRIER_SLA_DAYS,
    CARRIERS_BY_COUNTRY,
    CATEGORY_MONTH,
    CATEGORY_NAMES,
    CATEGORY_SUMMER_LIFT,
    CLEARANCE_DAYS,
    CLEARANCE_DEPTHS,
    CLEARANCE_SHARE,
    COUNTRIES,
    COUNTRY_CODES,
    COUPON_CODES,
    FREE_SHIPPING_COUPON,
    FREE_SHIPPING_UPTAKE,
    PAYMENT_METHODS,
    PEAK_DELAY,
    POS_HOME_DELIVERY_SHARE,
    POS_HOURS,
    POS_SUNDAY_HOURS,
    RETURN_LAG_GAMMA,
    RETURN_RATES,
    RETURN_REASON_WEIGHTS,
    RETURN_REASONS,
    SELLING_CURRENCIES,
    SHIP_COST,
    SHIPPED_ONLY_REASONS,
    SHIPPING_FEES,
    SPLIT_SHIPMENT_PER_EXTRA_LINE,
    TAX_EXEMPT_CATEGORIES,
    TRANSIT_SIGMA,
    VIP_COUPON,
    VIP_UPTAKE,
    WEB_HOURS,
    WEB_STOREFRONTS,
    WELCOME_COUPON,
    WELCOME_UPTAKE,
    ZONE_DELAY,
)
from schemas import UTC_TS

US_PER_HOUR = 3_600_000_000
# Where an in-store customer shops: the home store, the second store, another store of
# the city, or (travelling) a store abroad.
STORE_CHOICE = (0.82, 0.14, 0.03, 0.01)
GROCERY = CATEGORY_NAMES.index("Grocery")
CURRENCY_OF_COUNTRY = tuple(COUNTRIES[c]["currency"] for c in COUNTRY_CODES)
MARKET_OF_COUNTRY = np.array([SELLING_CURRENCIES.index(c) for c in CURRENCY_OF_COUNTRY])
CHANNELS = ("web", "pos")
FEES_OF_COUNTRY = np.array([SHIPPING_FEES[currency] for currency in CURRENCY_OF_COUNTRY])
REASON_CODES = tuple(code for _, code in RETURN_REASONS)
CARRIERS = tuple(CARRIER_SLA_DAYS)
CARRIER_SLA = np.array([CARRIER_SLA_DAYS[name] for name in CARRIERS], dtype=np.int64)
CARRIER_PACES = np.array([CARRIER_PACE[name] for name in CARRIERS])
# Parcel costs per selling market (cents): base, per kg, and by zone (metro pays no surcharge).
SHIP_BASE = np.array([SHIP_COST[c][0] for c in SELLING_CURRENCIES], dtype=np.float64)
SHIP_PER_KG = np.array([SHIP_COST[c][1] for c in SELLING_CURRENCIES], dtype=np.float64)
SHIP_ZONE_FEE = np.array([(0, *SHIP_COST[c][2]) for c in SELLING_CURRENCIES], dtype=np.float64)
REASON_TEXTS = tuple(text for text, _ in RETURN_REASONS)


@dataclass
class OrderPlan:
    days: list[date]
    day_numbers: np.ndarray
    calendar: Calendar
    per_day: np.ndarray  # orders per day
    customer_row: np.ndarray  # per order (grouped by day, in plan order)
    is_web: np.ndarray
    store_row: np.ndarray
    is_first: np.ndarray  # a new customer's first order
    n_lines: np.ndarray
    shipped: np.ndarray  # web, or in-store with home delivery
    parcels: np.ndarray  # 0 when not shipped
    header_anomalies: dict[str, np.ndarray]
    line_anomalies: dict[str, np.ndarray]
    return_scale: float  # RETURN_RATES x this gives a little more than the returns target
    as_of_us: int  # end of the batch: later deliveries are still in transit

    @property
    def n_orders(self) -> int:
        return int(self.per_day.sum())


@functools.cache
def base_calendar(seed: int) -> Calendar:
    return calendar.build(seed, [DEFAULT_START + timedelta(days=i) for i in range(BASE_DAYS)])


def per_day_counts(
    cfg: GeneratorConfig, rng: np.random.Generator, source: str, cal: Calendar, web_only: bool = False
) -> np.ndarray:
    """Rows per day: the source's target spread over the base window by demand (the web's
    demand alone for web-only sources), the same daily level for increments."""

    def level(c: Calendar) -> np.ndarray:
        return c.demand[:, :, WEB] @ np.array([COUNTRIES[k]["share"] for k in COUNTRY_CODES]) if web_only else c.total

    expected = cfg.target(source) / BASE_DAYS * level(cal) / level(base_calendar(cfg.seed)).mean()
    return np.maximum(1, rng.multinomial(round(expected.sum()), expected / expected.sum()))


def plan(cfg: GeneratorConfig, dims: Dimensions) -> OrderPlan:
    rng = cfg.rng("orders", "plan")
    days = cfg.fact_days()
    cal = calendar.build(cfg.seed, days) if cfg.is_increment else base_calendar(cfg.seed)
    day_numbers = np.array([day_number(d) for d in days], dtype=np.int64)
    per_day = per_day_counts(cfg, rng, "orders_header", cal)
    customer_row, is_web, is_first = _draw_customers(rng, dims, cal, day_numbers, per_day)
    n = customer_row.size
    day = np.repeat(day_numbers, per_day)
    store_row = _choose_stores(
        rng, dims, customer_row, is_web, day, cal.demand[np.repeat(np.arange(len(days)), per_day), :, POS] > 0
    )
    # Online baskets are small (about half a single item); store baskets are bigger.
    web_lines = np.where(rng.random(n) < 0.45, 1, 2 + np.minimum(rng.negative_binomial(1.2, 0.45, n), 12))
    pos_lines = 1 + np.minimum(rng.negative_binomial(2.0, 0.36, n), 24)
    n_lines = np.where(is_web, web_lines, pos_lines).astype(np.int64)
    abroad = dims.stores.country[store_row] != dims.customers.country[customer_row]
    shipped = is_web | ((rng.random(n) < POS_HOME_DELIVERY_SHARE) & ~abroad)
    # Bigger orders ship in two parcels now and then (split shipments).
    split = rng.random(n) < np.minimum(0.5, SPLIT_SHIPMENT_PER_EXTRA_LINE * (n_lines - 1))
    parcels = np.where(shipped, 1 + split, 0).astype(np.int64)
    header_classes = {"orphan_reference": anomalies.class_count("orders_header", "orphan_reference", n)}
    if len(days) > 1:  # a duplicate needs another file to land in
        header_classes["duplicate_order_id"] = anomalies.class_count("orders_header", "duplicate_order_id", n)
    n_line_rows = int(n_lines.sum())
    line_classes = {
        name: anomalies.class_count("orders_lines", name, n_line_rows)
        for name in ("invalid_product_id", "non_positive_qty", "zero_price", "discount_out_of_range")
    }
    return OrderPlan(
        days=days,
        day_numbers=day_numbers,
        calendar=cal,
        per_day=per_day,
        customer_row=customer_row,
        is_web=is_web,
        store_row=store_row,
        is_first=is_first,
        n_lines=n_lines,
        shipped=shipped,
        parcels=parcels,
        header_anomalies=anomalies.plan(rng, n, header_classes),
        line_anomalies=anomalies.plan(rng, n_line_rows, line_classes),
        return_scale=0.0 if cfg.is_increment else _return_scale(cfg, dims, n_lines, is_web),
        as_of_us=(int(day_numbers.max()) + 1) * US_PER_DAY,
    )


def _return_scale(cfg: GeneratorConfig, dims: Dimensions, n_lines: np.ndarray, is_web: np.ndarray) -> float:
    """Scale RETURN_RATES down when they would give far more candidates than the returns
    target (returns.write samples the exact target; the category and channel profile stays)."""
    mass = np.bincount(dims.products.category, weights=dims.products.weights, minlength=len(CATEGORY_NAMES))
    share = mass / mass.sum()
    rate = {ch: sum(share[i] * RETURN_RATES[c][ch] for i, c in enumerate(CATEGORY_NAMES)) for ch in (0, 1)}
    expected = n_lines[is_web].sum() * rate[0] + n_lines[~is_web].sum() * rate[1]
    return float(min(1.0, 1.2 * cfg.target("returns") / max(expected, 1.0)))


def _alive_mass(
    country: np.ndarray,
    intensity: np.ndarray,
    web_propensity: np.ndarray,
    active_from: np.ndarray,
    churn_day: np.ndarray,
    day_numbers: np.ndarray,
) -> np.ndarray:
    """Per day, country and channel: the purchase frequency of the customers active that day."""
    lo, hi = int(day_numbers.min()), int(day_numbers.max()) + 1
    start = np.clip(active_from, lo, hi) - lo
    end = np.clip(churn_day, lo, hi) - lo
    ok = end > start
    k = len(COUNTRY_CODES)
    diff = np.zeros((k, 2, hi - lo + 1))
    for ch, weight in ((WEB, intensity * web_propensity), (POS, intensity * (1 - web_propensity))):
        for ci in range(k):
            rows = np.flatnonzero(ok & (country == ci))
            np.add.at(diff[ci, ch], start[rows], weight[rows])
            np.add.at(diff[ci, ch], end[rows], -weight[rows])
    return np.cumsum(diff, axis=2)[:, :, day_numbers - lo].transpose(2, 0, 1)


def _draw_customers(
    rng: np.random.Generator, dims: Dimensions, cal: Calendar, day_numbers: np.ndarray, per_day: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Who buys on each day and through which channel: new customers' first orders, then
    active customers by purchase frequency x the day's demand in their country and channel."""
    c = dims.customers
    n_days, k = day_numbers.size, len(COUNTRY_CODES)
    first_rows = np.flatnonzero(np.isin(c.first_order_day, day_numbers))
    by_day = np.argsort(day_numbers)
    first_pos = by_day[np.searchsorted(day_numbers[by_day], c.first_order_day[first_rows])]
    order = np.argsort(first_pos, kind="stable")
    first_rows, first_pos = first_rows[order], first_pos[order]
    rank = np.arange(first_pos.size) - np.searchsorted(first_pos, first_pos)
    keep = rank < per_day[first_pos]  # never more first orders than the day holds
    first_rows, first_pos = first_rows[keep], first_pos[keep]
    quota = per_day - np.bincount(first_pos, minlength=n_days)

    # A new customer's later orders come after the first one.
    active_from = np.where(c.first_order_day != NEVER, c.first_order_day + 1, c.active_from)
    mass = _alive_mass(c.country, c.intensity, c.web_propensity, active_from, c.churn_day, day_numbers) * cal.demand
    flat = mass.reshape(n_days, 2 * k)
    totals = flat.sum(axis=1, keepdims=True)
    fallback = cal.demand.reshape(n_days, 2 * k)  # no active customer at all (tiny scales): any customer
    probs = np.where(totals > 0, flat / np.where(totals > 0, totals, 1), fallback / fallback.sum(axis=1, keepdims=True))
    draw_pos = np.repeat(np.arange(n_days), quota)
    cdf = np.cumsum(probs, axis=1)
    cell = np.minimum((rng.random(draw_pos.size)[:, None] > cdf[draw_pos]).sum(axis=1), 2 * k - 1)
    ignore_activity = (totals[:, 0] <= 0)[draw_pos]
    # Proposals come from the customers active in the order's month (in its country, by
    # frequency towards the channel); a proposal not active on the order's day is redrawn.
    month = day_numbers.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    groups: list[tuple[np.ndarray, np.ndarray]] = []
    for m in np.unique(month):
        days_m = day_numbers[month == m]
        live = (active_from <= days_m.max()) & (c.churn_day > days_m.min())
        for ci in range(k):
            members = np.flatnonzero((c.country == ci) & live) if live.any() else np.flatnonzero(c.country == ci)
            for ch in (WEB, POS):
                share = c.web_propensity[members] if ch == WEB else 1 - c.web_propensity[members]
                groups.append((members, np.cumsum(c.intensity[members] * share)))  # in (month, cell) order
    month_index = np.searchsorted(np.unique(month), month[draw_pos])
    group_of = month_index * (2 * k) + cell  # the position of the draw's group in `groups`
    drawn = np.full(draw_pos.size, -1, dtype=np.int64)
    todo = np.arange(draw_pos.size)
    for _ in range(100):  # redraw customers with two orders on that day already (rare)
        todo = todo[np.argsort(group_of[todo], kind="stable")]
        bounds = np.searchsorted(group_of[todo], np.arange(len(groups) + 1))
        for g, (members, cdf_c) in enumerate(groups):
            rows = todo[bounds[g] : bounds[g + 1]]
            for _ in range(1_000):  # rejection: redraw customers not active on the order's day
                if rows.size == 0 or members.size == 0:
                    break
                u = rng.random(rows.size) * cdf_c[-1]
                pick = members[np.minimum(np.searchsorted(cdf_c, u, side="right"), members.size - 1)]
                d = day_numbers[draw_pos[rows]]
                ok = (active_from[pick] <= d) & (d < c.churn_day[pick]) | ignore_activity[rows]
                drawn[rows[ok]] = pick[ok]
                rows = rows[~ok]
        todo = _beyond_daily_limit(
            np.concatenate([first_rows, drawn]), np.concatenate([first_pos, draw_pos]), first_rows.size
        )
        drawn[todo] = -1
        if todo.size == 0:
            break
    drawn[drawn < 0] = 0  # unreachable in practice: a chosen cell always has active customers

    # Both groups in one list, grouped by day: first orders of the day, then the others.
    rows = np.concatenate([first_rows, drawn])
    pos = np.concatenate([first_pos, draw_pos])
    is_first = np.concatenate([np.ones(first_rows.size, bool), np.zeros(drawn.size, bool)])
    web_first = _web_odds(c, cal, first_rows, first_pos, rng)
    is_web = np.concatenate([web_first, (cell % 2) == WEB])
    order = np.argsort(pos, kind="stable")
    return rows[order], is_web[order], is_first[order]


def _beyond_daily_limit(customer: np.ndarray, day_pos: np.ndarray, skip: int, limit: int = 2) -> np.ndarray:
    """Positions (minus `skip`, the fixed first orders) of a customer's orders beyond `limit` on one day."""
    key = day_pos * (customer.max() + 2) + customer + 1
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    rank = np.arange(key.size) - np.searchsorted(sorted_key, sorted_key)
    excess = order[(rank >= limit) & (customer[order] >= 0)]
    return np.sort(excess[excess >= skip] - skip)


def _web_odds(c: Customers, cal: Calendar, rows: np.ndarray, pos: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Channel of given orders: the customer's online share against the day's channel demand."""
    web = c.web_propensity[rows] * cal.demand[pos, c.country[rows], WEB]
    store = (1 - c.web_propensity[rows]) * cal.demand[pos, c.country[rows], POS]
    return rng.random(rows.size) * (web + store) < web


def _choose_stores(
    rng: np.random.Generator,
    dims: Dimensions,
    customer_row: np.ndarray,
    is_web: np.ndarray,
    day: np.ndarray,
    trading: np.ndarray,
) -> np.ndarray:
    """Web orders go to a storefront of the customer's country; in-store orders to the home
    store mostly, else the second store, another store in town or, travelling, one abroad.
    A store not trading that day (not open yet, closed, or a public holiday in its country;
    `trading` is per order and country) sends its customers to the second store, else the flagship."""
    s, c = dims.stores, dims.customers
    n = customer_row.size
    country = c.country[customer_row]
    store = np.empty(n, dtype=np.int64)
    fronts = s.web_rows.shape[1]
    front_share = np.array([share for _, share in WEB_STOREFRONTS[:fronts]])
    store[is_web] = s.web_rows[country[is_web], weighted_choice(rng, front_share, int(is_web.sum()))]
    pos = np.flatnonzero(~is_web)
    kind = weighted_choice(rng, np.array(STORE_CHOICE), pos.size)
    physical = np.flatnonzero(s.channel == "pos")
    area = s.floor_area[physical].astype(np.float64)
    in_town = grouped_choice(rng, s.city[physical], area, c.city[customer_row[pos]])
    k = len(COUNTRY_CODES)
    other_country = (country[pos] + rng.integers(1, k, pos.size)) % k
    abroad = grouped_choice(rng, s.country[physical], area, other_country)
    candidate = np.select(
        [kind == 0, kind == 1, (kind == 2) & (in_town >= 0), (kind == 3) & (abroad >= 0)],
        [
            c.home_store[customer_row[pos]],
            c.alt_store[customer_row[pos]],
            physical[np.maximum(in_town, 0)],
            physical[np.maximum(abroad, 0)],
        ],
        c.alt_store[customer_row[pos]],
    )
    d = day[pos]

    def trades(rows: np.ndarray) -> np.ndarray:
        return s.is_open(rows, d) & trading[pos, s.country[rows]]

    candidate = np.where(trades(candidate), candidate, c.alt_store[customer_row[pos]])
    candidate = np.where(trades(candidate), candidate, s.flagship[country[pos]])
    store[pos] = candidate
    return store


def _seconds_of_day(rng: np.random.Generator, is_web: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Local time of day by channel: stores within trading hours (shorter on Sundays), the web
    with an evening peak and a thin night."""
    sunday = (day + 3) % 7 == 6  # 1970-01-01 was a Thursday
    hour = np.empty(day.size, dtype=np.int64)
    for mask, profile in (
        (is_web, WEB_HOURS),
        (~is_web & ~sunday, POS_HOURS),
        (~is_web & sunday, POS_SUNDAY_HOURS),
    ):
        rows = np.flatnonzero(mask)
        hour[rows] = weighted_choice(rng, np.array(profile, dtype=np.float64), rows.size)
    return hour * 3600 + rng.integers(0, 3600, day.size)


@dataclass
class OrderChunk:
    headers: pl.DataFrame  # with a `_file_day` column: the partition it is written to
    lines: pl.DataFrame  # with `_file_day`
    shipments: pa.Table
    returns: pl.DataFrame  # return candidates (base schema + `_correction`, no return_id yet)
    orders: pl.DataFrame  # per order: what events need to point checkouts at it


def _category_probabilities(p: OrderPlan, dims: Dimensions, chunk_days: range) -> np.ndarray:
    """(chunk days, countries, categories): the category mix of a line, from the catalogue's
    popularity, the month, the season of the hemisphere and the campaign of the day."""
    mass = np.bincount(dims.products.category, weights=dims.products.weights, minlength=len(CATEGORY_NAMES))
    out = np.empty((len(chunk_days), len(COUNTRY_CODES), len(CATEGORY_NAMES)))
    for i, pos in enumerate(chunk_days):
        d = p.days[pos]
        summer = np.cos(2 * np.pi * (d.month - 7) / 12)  # +1 in July, -1 in January (north)
        for ci, code in enumerate(COUNTRY_CODES):
            season = -summer if COUNTRIES[code]["south"] else summer
            lift = CAMPAIGN_CATEGORY_LIFT.get(CAMPAIGN_NAMES[p.calendar.campaign[pos, ci]], {})
            factor = np.array(
                [
                    CATEGORY_MONTH[cat][d.month - 1]
                    * (1 + CATEGORY_SUMMER_LIFT.get(cat, 0.0) * season)
                    * lift.get(cat, 1.0)
                    for cat in CATEGORY_NAMES
                ]
            )
            out[i, ci] = mass * factor / (mass * factor).sum()
    return out


def _draw_products(
    rng: np.random.Generator,
    dims: Dimensions,
    probs: np.ndarray,
    day_index: np.ndarray,
    country: np.ndarray,
    day: np.ndarray,
) -> np.ndarray:
    """A product per line: its category by the day's mix, then a product of that category by
    popularity among those on sale that day."""
    products = dims.products
    cdf = np.cumsum(probs[day_index, country], axis=1)
    category = np.minimum((rng.random(day.size)[:, None] > cdf).sum(axis=1), len(CATEGORY_NAMES) - 1)
    row = np.empty(day.size, dtype=np.int64)
    todo = np.arange(day.size)
    for _ in range(500):  # rejection: redraw products not on sale on the line's day
        if todo.size == 0:
            break
        pick = grouped_choice(rng, products.category, products.weights, category[todo])
        pick = np.maximum(pick, 0)
        ok = (products.active_from[pick] <= day[todo]) & (day[todo] < products.active_until[pick])
        row[todo[ok]] = pick[ok]
        todo = todo[~ok]
    if todo.size:  # a category with nothing on sale that day: any product on sale
        for i in todo:
            live = np.flatnonzero((products.active_from <= day[i]) & (day[i] < products.active_until))
            row[i] = live[np.argmax(products.weights[live])]
    return row


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
    day = p.day_numbers[day_pos]
    is_web = p.is_web[sl]
    # Local wall-clock time by channel; sorted so ids follow time.
    seconds = _seconds_of_day(rng, is_web, day)
    order = np.lexsort((seconds, day))
    seconds, is_web = seconds[order], is_web[order]
    cust_row, store_row, is_first = p.customer_row[sl][order], p.store_row[sl][order], p.is_first[sl][order]
    stores, customers, products = dims.stores, dims.customers, dims.products
    local_us = day * US_PER_DAY + seconds.astype(np.int64) * 1_000_000
    tz = np.where(is_web, customers.tz_index[cust_row], stores.tz_index[store_row])
    ts_text, utc_us = localise(local_us, tz, TZ_NAMES)
    order_id = cfg.id_offset + first + 1 + np.arange(n, dtype=np.int64)
    customer_id = customers.ids[cust_row]
    store_id = stores.ids[store_row]
    country = stores.country[store_row]
    currency = labels(CURRENCY_OF_COUNTRY, country)
    campaign = p.calendar.campaign[day_pos, country]

    # Lines
    n_lines = p.n_lines[sl][order]
    line_order = np.repeat(np.arange(n), n_lines)
    line_first = int(p.n_lines[:first].sum())
    n_line_rows = line_order.size
    line_number = (np.arange(n_line_rows) - np.repeat(np.cumsum(n_lines) - n_lines, n_lines) + 1).astype(np.int32)
    line_day = day[line_order]
    probs = _category_probabilities(p, dims, chunk_days)
    prod_row = _draw_products(rng, dims, probs, day_pos[line_order] - chunk_days.start, country[line_order], line_day)
    category = products.category[prod_row]
    product_id = products.ids[prod_row]
    grocery = category == GROCERY
    qty = np.where(
        grocery, np.minimum(rng.geometric(0.5, n_line_rows), 12), np.minimum(rng.geometric(0.8, n_line_rows), 6)
    )
    qty = qty.astype(np.int32)
    unit_price = products.unit_price(prod_row, MARKET_OF_COUNTRY[country[line_order]], line_day)
    coupon, coupon_units = _coupons(rng, is_web, is_first, campaign, customers.is_vip[cust_row])
    discount = np.maximum(_markdowns(rng, dims, campaign[line_order], prod_row, line_day), coupon_units[line_order])
    # Tax: groceries exempt; otherwise the rate where the goods go (the store, or the customer for web orders).
    taxed_city = np.where(is_web, customers.city[cust_row], stores.city[store_row])[line_order]
    tax = np.where(
        np.isin(category, [CATEGORY_NAMES.index(c) for c in TAX_EXEMPT_CATEGORIES]), 0, cities().tax_units[taxed_city]
    )

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
    net = np.maximum(qty, 0) * unit_price / 10_000 * (1 - np.clip(discount, 0, 10_000) / 10_000)
    subtotal_cents = np.bincount(line_order, weights=net * 100, minlength=n)
    fees = FEES_OF_COUNTRY[country]  # (orders, 3)
    home = p.shipped[sl][order] & ~is_web
    fee_cents = np.where(is_web, np.where(subtotal_cents >= fees[:, 1], 0, fees[:, 0]), np.where(home, fees[:, 2], 0))
    fee_cents = np.where(coupon == COUPON_CODES.index(FREE_SHIPPING_COUPON), 0, fee_cents)
    methods = sorted({m for options in PAYMENT_METHODS.values() for m, _ in options})
    payment = np.empty(n, dtype=np.int64)
    for ch, rows in (("web", np.flatnonzero(is_web)), ("pos", np.flatnonzero(~is_web))):
        options = PAYMENT_METHODS[ch]
        pick = weighted_choice(rng, np.array([share for _, share in options]), rows.size)
        payment[rows] = np.array([methods.index(m) for m, _ in options])[pick]

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
            "channel": labels(CHANNELS, (~is_web).astype(np.int64)),
            "payment_method": labels(methods, payment),
            "coupon_code": labels(COUPON_CODES, coupon),
            "currency": currency,
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
        target = p.day_numbers[target_pos]
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
            "_file_day": line_day,
        }
    ).with_columns(fixed_point(c, 4) for c in ("unit_price", "line_discount_pct", "tax_pct"))

    weight = np.bincount(line_order, weights=np.maximum(qty, 0) * products.weight_kg[prod_row], minlength=n)
    parcels = p.parcels[sl][order]
    shipments, delivered, late = _shipments(
        cfg, rng, dims, p, first, parcels, order_id, utc_us, cust_row, country, weight, log
    )
    clean = np.ones(n_line_rows, dtype=bool)
    for rows in la.values():
        clean[rows] = False
    returns = _return_candidates(
        rng, p, clean, line_oid, product_id, category, qty, is_web[line_order], utc_us[line_order],
        delivered[line_order], late[line_order],
    )  # fmt: skip
    first_product = prod_row[np.cumsum(n_lines) - n_lines]
    orders = pl.DataFrame(
        {
            "order_id": order_id,
            "utc_us": utc_us,
            "customer_id": customer_id,
            "is_web": is_web,
            "currency": currency,
            "total_cents": np.round(subtotal_cents).astype(np.int64) + fee_cents,
            "product_row": first_product,
        }
    )
    return OrderChunk(headers=headers, lines=lines, shipments=shipments, returns=returns, orders=orders)


def _coupons(
    rng: np.random.Generator, is_web: np.ndarray, is_first: np.ndarray, campaign: np.ndarray, is_vip: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """At most one coupon per order, each within its rules: WELCOME10 on a new customer's
    first order, a campaign's code during that campaign, VIP25 for VIPs, FREESHIP on web orders
    outside campaigns. Returns the codes (index into COUPON_CODES, -1: none) and their
    discount in 1/10000."""
    n = is_web.size
    code = np.full(n, -1, dtype=np.int64)
    units = np.zeros(n, dtype=np.int64)
    u = rng.random(n)
    for ci, name in enumerate(CAMPAIGN_NAMES):
        camp_code, pct, (web_uptake, pos_uptake), *_ = CAMPAIGNS[name]
        if camp_code:
            hit = (campaign == ci) & (u < np.where(is_web, web_uptake, pos_uptake))
            code[hit], units[hit] = COUPON_CODES.index(camp_code), pct
    welcome = is_first & (rng.random(n) < WELCOME_UPTAKE)
    code[welcome], units[welcome] = COUPON_CODES.index(WELCOME_COUPON[0]), WELCOME_COUPON[1]
    vip = (code < 0) & is_vip & (rng.random(n) < VIP_UPTAKE)
    code[vip], units[vip] = COUPON_CODES.index(VIP_COUPON[0]), VIP_COUPON[1]
    free = (code < 0) & is_web & (campaign == 0) & (rng.random(n) < FREE_SHIPPING_UPTAKE)
    code[free] = COUPON_CODES.index(FREE_SHIPPING_COUPON)
    return code, units


def _markdowns(
    rng: np.random.Generator, dims: Dimensions, campaign: np.ndarray, prod_row: np.ndarray, day: np.ndarray
) -> np.ndarray:
    """Line discounts: the campaign's share of marked-down lines and depths (a few everyday
    markdowns outside campaigns), and clearance of products about to be discontinued."""
    n = campaign.size
    out = np.zeros(n, dtype=np.int64)
    u = rng.random(n)
    for ci, name in enumerate(CAMPAIGN_NAMES):
        *_, share, depths = CAMPAIGNS[name]
        rows = np.flatnonzero((campaign == ci) & (u < share))
        out[rows] = choice_from(rng, depths, rows.size)
    until = dims.products.active_until[prod_row]
    clearing = (until != NEVER) & (until - day <= CLEARANCE_DAYS) & (rng.random(n) < CLEARANCE_SHARE)
    out[clearing] = np.maximum(out[clearing], choice_from(rng, CLEARANCE_DEPTHS, int(clearing.sum())))
    return out


def _shipments(
    cfg: GeneratorConfig,
    rng: np.random.Generator,
    dims: Dimensions,
    p: OrderPlan,
    first: int,
    parcels: np.ndarray,
    order_id: np.ndarray,
    utc_us: np.ndarray,
    cust_row: np.ndarray,
    country: np.ndarray,
    weight_kg: np.ndarray,
    log: AnomalyLog,
) -> tuple[pa.Table, np.ndarray, np.ndarray]:
    """Parcels of the shipped orders: carriers by market share, cost by weight and zone,
    transit by carrier, zone and season, delivered in the customer's daytime, Monday to
    Saturday. Returns the table and, per order, when its last parcel arrived (-1: not
    shipped; NEVER-like large: in transit) and whether a parcel broke its SLA."""
    n = order_id.size
    ship_first = int(p.parcels[:first].sum())
    owner = np.repeat(np.arange(n), parcels)
    m = owner.size
    carrier = np.empty(m, dtype=np.int64)  # index into CARRIERS
    for ci, code in enumerate(COUNTRY_CODES):
        rows = np.flatnonzero(country[owner] == ci)
        options = CARRIERS_BY_COUNTRY[code]
        pick = weighted_choice(rng, np.array([share for _, share in options]), rows.size)
        carrier[rows] = np.array([CARRIERS.index(name) for name, _ in options])[pick]
    sla_days = CARRIER_SLA[carrier]
    pace = CARRIER_PACES[carrier]
    # Picked and packed within hours (a day or two at peak).
    shipped_at = utc_us[owner] + (rng.lognormal(np.log(14), 0.5, m).clip(1, 60) * US_PER_HOUR).astype(np.int64)
    shipped_at = shipped_at // 1_000_000 * 1_000_000
    cust = cust_row[owner]
    tz = dims.customers.tz_index[cust]
    ship_day = local_days(shipped_at, tz, TZ_NAMES)
    zone = _zones(dims, cust)
    ship_date = ship_day.astype("datetime64[D]")
    month = ship_date.astype("datetime64[M]").astype(np.int64) % 12 + 1
    dom = (ship_date - ship_date.astype("datetime64[M]")).astype(np.int64) + 1
    peak = ((month == 11) & (dom >= 25)) | ((month == 12) & (dom <= 24))
    transit = sla_days * pace * rng.lognormal(0.0, TRANSIT_SIGMA, m) * np.array(ZONE_DELAY)[zone]
    transit = np.maximum(1, np.round(np.where(peak, transit * PEAK_DELAY, transit))).astype(np.int64)
    arrive_day = ship_day + transit
    arrive_day += ((arrive_day + 3) % 7 == 6).astype(np.int64)  # no deliveries on Sundays
    local = arrive_day * US_PER_DAY + rng.integers(8 * 3600, 19 * 3600, m) * 1_000_000
    _, delivered_at = localise(local, tz, TZ_NAMES, text=False)
    delivered_at = np.maximum(delivered_at, shipped_at + US_PER_HOUR)
    in_transit = delivered_at >= p.as_of_us
    late = ~in_transit & (delivered_at > shipped_at + sla_days * US_PER_DAY)
    shipment_id = cfg.id_offset + ship_first + 1 + np.arange(m, dtype=np.int64)
    log.add("shipments", "late_delivery", shipment_id[late], np.array(CARRIERS, dtype=object)[carrier[late]])
    log.add("shipments", "in_transit", shipment_id[in_transit])

    market = MARKET_OF_COUNTRY[country[owner]]
    parcel_kg = weight_kg[owner] / parcels[owner] * rng.uniform(0.7, 1.3, m) + 0.3
    cost_cents = np.round(SHIP_BASE[market] + SHIP_PER_KG[market] * parcel_kg + SHIP_ZONE_FEE[market, zone])

    last = np.full(n, -1, dtype=np.int64)
    np.maximum.at(last, owner, np.where(in_transit, np.iinfo(np.int64).max, delivered_at))
    order_late = np.zeros(n, dtype=bool)
    order_late[owner[late]] = True
    table = pa.Table.from_arrays(
        [
            pa.array(shipment_id),
            pa.array(order_id[owner]),
            pa.array(CARRIERS, pa.string()).take(pa.array(carrier)),
            pa.array(shipped_at).cast(UTC_TS),
            pa.array(delivered_at // 1_000_000 * 1_000_000, mask=in_transit).cast(UTC_TS),
            decimal_array(cost_cents.astype(np.int64), 12, 2),
        ],
        schema=schemas.SHIPMENTS,
    )
    return table, last, order_late


def _zones(dims: Dimensions, cust: np.ndarray) -> np.ndarray:
    """Delivery zone of each customer's city (metro, regional, remote)."""
    return cities().zone[dims.customers.city[cust]].astype(np.int64)


def _return_candidates(
    rng: np.random.Generator,
    p: OrderPlan,
    clean: np.ndarray,
    line_oid: np.ndarray,
    product_id: np.ndarray,
    category: np.ndarray,
    qty: np.ndarray,
    is_web: np.ndarray,
    order_utc: np.ndarray,
    delivered: np.ndarray,
    late: np.ndarray,
) -> pl.DataFrame:
    """Clean lines that come back: more often online and for apparel, almost never for
    groceries; mostly within two weeks of delivery (shipped orders) or purchase, never
    before the parcel arrived nor after the batch end; reasons that fit the category and
    the delivery."""
    shipped = delivered >= 0
    arrived = shipped & (delivered < np.iinfo(np.int64).max)
    rate = np.array([RETURN_RATES[c] for c in CATEGORY_NAMES])[category, np.where(is_web, 0, 1)] * p.return_scale
    pick = np.flatnonzero(clean & (~shipped | arrived) & (rng.random(line_oid.size) < rate))
    start = np.where(shipped[pick], delivered[pick], order_utc[pick])
    lag = (rng.gamma(*RETURN_LAG_GAMMA, pick.size).clip(0, 45) * US_PER_DAY).astype(np.int64) + 3 * US_PER_HOUR
    return_ts = start + lag
    keep = return_ts < p.as_of_us
    pick, return_ts = pick[keep], return_ts[keep]
    reason, correction = _reasons(rng, category[pick], shipped[pick], late[pick], is_web[pick])
    return pl.DataFrame(
        {
            "order_id": line_oid[pick],
            "product_id": product_id[pick],
            "return_ts": pl.Series(return_ts // 1_000_000 * 1_000_000).cast(pl.Datetime("us", "UTC")),
            "qty": (1 + (rng.random(pick.size) * qty[pick]).astype(np.int32)).astype(np.int32),
            "reason": labels(REASON_TEXTS, reason),
            "_correction": labels(REASON_TEXTS, correction),
        }
    )


def _reasons(
    rng: np.random.Generator, category: np.ndarray, shipped: np.ndarray, late: np.ndarray, is_web: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Two draws per return from the reasons that fit it (indices into RETURN_REASONS): the
    reason, and the one a later correction (the Delta merge) sets."""
    weights = np.array([RETURN_REASON_WEIGHTS[c] for c in CATEGORY_NAMES], dtype=np.float64)[category]
    codes = REASON_CODES
    for code in SHIPPED_ONLY_REASONS:
        weights[~shipped, codes.index(code)] = 0.0
    weights[~late, codes.index("LATE")] = 0.0
    weights[is_web, codes.index("NOT_AS_DESCRIBED")] *= 1.5
    cdf = np.cumsum(weights, axis=1)
    draws = [
        np.minimum((rng.random(category.size)[:, None] * cdf[:, -1:] > cdf).sum(axis=1), len(codes) - 1)
        for _ in range(2)
    ]
    return draws[0], draws[1]
