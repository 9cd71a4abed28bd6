"""Customers, products, stores and suppliers: the dimension sources (CSV).

Each builder returns the frame as written (with its anomalies) plus the clean
attributes the fact generators need (weights, activity windows, time zones).
Dimensions depend on the seed and scale only, never on the batch, so an increment
rebuilds exactly the base rows it references and changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

import schemas
from generators import anomalies
from generators.anomalies import AnomalyLog
from generators.config import BASE_DAYS, DEFAULT_START, GeneratorConfig
from generators.formats import US_PER_DAY, codes, day_number, fixed_point, utc_text, weighted_choice
from generators.pools import company_names, country_pools
from generators.reference import (
    CATEGORIES,
    CATEGORY_WEIGHTS,
    COUNTRIES,
    COUNTRY_CODES,
    CURRENCIES,
    EMAIL_DOMAINS,
    PRODUCT_ADJECTIVES,
    PRODUCT_CURRENCIES,
    STORE_SUFFIXES,
    SUPPLIER_COUNTRIES,
)

WINDOW_START = day_number(DEFAULT_START)
WINDOW_END = WINDOW_START + BASE_DAYS  # exclusive
HISTORY_START = day_number(date(2015, 1, 1))
NEVER = np.iinfo(np.int32).max
# References that point nowhere (orphan anomalies) use ids from this range, which no
# real row of any scale reaches.
ORPHAN_ID_BASE = 100_000_000


@dataclass
class Customers:
    frame: pl.DataFrame
    ids: np.ndarray
    weights: np.ndarray
    join_day: np.ndarray
    country: np.ndarray
    clean: np.ndarray  # rows without an anomaly, eligible for change files


@dataclass
class Products:
    frame: pl.DataFrame
    ids: np.ndarray
    weights: np.ndarray
    price_aud: np.ndarray  # list price in AUD, 1/10000 units (before any price anomaly)
    active_from: np.ndarray  # day numbers
    active_until: np.ndarray  # exclusive; NEVER when not discontinued
    category: np.ndarray
    clean: np.ndarray  # rows without an anomaly, eligible for change files


@dataclass
class Stores:
    frame: pl.DataFrame
    ids: np.ndarray
    weights: np.ndarray
    channel: np.ndarray
    country: np.ndarray
    tz_index: np.ndarray
    tz_names: list[str]
    sensor_stores: np.ndarray  # row positions of instrumented stores
    clean: np.ndarray


@dataclass
class Dimensions:
    customers: Customers
    products: Products
    stores: Stores
    suppliers: pl.DataFrame


def build(cfg: GeneratorConfig, log: AnomalyLog) -> Dimensions:
    return Dimensions(
        customers=build_customers(cfg, log),
        products=build_products(cfg, log),
        stores=build_stores(cfg, log),
        suppliers=build_suppliers(cfg),
    )


def _country_draw(rng: np.random.Generator, n: int) -> np.ndarray:
    shares = np.array([COUNTRIES[c]["share"] for c in COUNTRY_CODES])
    return weighted_choice(rng, shares, n)


def _states(rng: np.random.Generator, country: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row: state code, sales region and IANA time zone of a state drawn by weight."""
    state = np.empty(country.size, dtype=object)
    region = np.empty(country.size, dtype=object)
    tz = np.empty(country.size, dtype=object)
    for ci, code in enumerate(COUNTRY_CODES):
        rows = np.flatnonzero(country == ci)
        table = COUNTRIES[code]["states"]
        pick = weighted_choice(rng, np.array([w for *_, w in table]), rows.size)
        state[rows] = np.array([s for s, *_ in table], dtype=object)[pick]
        region[rows] = np.array([r for _, r, *_ in table], dtype=object)[pick]
        tz[rows] = np.array([t for *_, t, _ in table], dtype=object)[pick]
    return state, region, tz


def _coordinates(rng: np.random.Generator, country: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lat_lo = np.array([COUNTRIES[c]["lat"][0] for c in COUNTRY_CODES])[country]
    lat_hi = np.array([COUNTRIES[c]["lat"][1] for c in COUNTRY_CODES])[country]
    lon_lo = np.array([COUNTRIES[c]["lon"][0] for c in COUNTRY_CODES])[country]
    lon_hi = np.array([COUNTRIES[c]["lon"][1] for c in COUNTRY_CODES])[country]
    lat = np.round(lat_lo + rng.random(country.size) * (lat_hi - lat_lo), 6)
    lon = np.round(lon_lo + rng.random(country.size) * (lon_hi - lon_lo), 6)
    return lat, lon


def _from_pools(rng: np.random.Generator, country: np.ndarray, field: str, seed: int) -> np.ndarray:
    out = np.empty(country.size, dtype=object)
    for ci, code in enumerate(COUNTRY_CODES):
        rows = np.flatnonzero(country == ci)
        pool = getattr(country_pools(code, seed), field)
        out[rows] = pool[rng.integers(0, pool.size, rows.size)]
    return out


def _power_law_weights(rng: np.random.Generator, n: int, exponent: float) -> np.ndarray:
    """Zipf-like popularity: a random permutation of 1/rank^exponent."""
    return rng.permutation(1.0 / np.arange(1, n + 1, dtype=np.float64) ** exponent)


def _digits(rng: np.random.Generator, n: int, width: int) -> pl.Series:
    return pl.Series(rng.integers(0, 10**width, n)).cast(pl.String).str.zfill(width)


def _later_is_duplicate(dups: np.ndarray, originals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Within each (duplicate, original) pair the higher id is the duplicate: the entity
    registered again later, so the survivor of a de-duplication is the first one."""
    later, first = np.maximum(dups, originals), np.minimum(dups, originals)
    order = np.argsort(later, kind="stable")
    return later[order], first[order]


def _phones(rng: np.random.Generator, country: np.ndarray) -> pl.Series:
    """Mobile numbers in each country's format, e.g. +61 412 345 678, +1 415 555 0134."""
    out = np.empty(country.size, dtype=object)
    for ci, code in enumerate(COUNTRY_CODES):
        rows = np.flatnonzero(country == ci)
        prefix, *groups = COUNTRIES[code]["phone"]
        text = pl.Series([prefix] * rows.size, dtype=pl.String)
        for gi, width in enumerate(g for g in groups if g):
            text = text + ("" if gi == 0 else " ") + _digits(rng, rows.size, width)
        out[rows] = text.to_numpy()
    return pl.Series(out, dtype=pl.String)


def _others(rng: np.random.Generator, n: int, taken: np.ndarray, k: int) -> np.ndarray:
    """k distinct row positions outside `taken` (the originals a duplicate copies)."""
    free = np.setdiff1d(np.arange(n), taken)
    return rng.choice(free, size=k, replace=False)


def build_customers(cfg: GeneratorConfig, log: AnomalyLog) -> Customers:
    rng = cfg.dimension_rng("customers")
    n = cfg.target("customers")
    ids = np.arange(1, n + 1, dtype=np.int64)
    country = _country_draw(rng, n)
    state, _, _ = _states(rng, country)
    first = _from_pools(rng, country, "first_names", cfg.seed)
    last = _from_pools(rng, country, "last_names", cfg.seed)
    weights = _power_law_weights(rng, n, 0.9)
    # 60% joined before the window, 40% during it (they only buy after joining).
    joined_before = rng.random(n) < 0.6
    join_day = np.where(
        joined_before, rng.integers(HISTORY_START, WINDOW_START, n), rng.integers(WINDOW_START, WINDOW_END - 7, n)
    )
    join_us = join_day.astype(np.int64) * US_PER_DAY + rng.integers(0, US_PER_DAY // 1_000_000, n) * 1_000_000
    birth_day = WINDOW_START - rng.integers(18 * 365, 85 * 365, n)
    lat, lon = _coordinates(rng, country)
    domains = np.empty(n, dtype=object)
    for ci, code in enumerate(COUNTRY_CODES):
        rows = np.flatnonzero(country == ci)
        domains[rows] = np.array(EMAIL_DOMAINS[code], dtype=object)[rng.integers(0, 5, rows.size)]
    separator = np.array([".", "_", ""], dtype=object)[rng.integers(0, 3, n)]
    suffix = np.where(rng.random(n) < 0.5, rng.integers(1, 99, n).astype(str), "")
    unit = pl.when(pl.Series(rng.random(n) < 0.2)).then("Unit " + pl.Series(rng.integers(1, 40, n)).cast(pl.String))

    frame = pl.DataFrame(
        {
            "customer_id": ids,
            "natural_key": codes(rng, n, 8, "CUST-"),
            "first_name": pl.Series(first, dtype=pl.String),
            "last_name": pl.Series(last, dtype=pl.String),
            "_sep": pl.Series(separator, dtype=pl.String),
            "_suffix": pl.Series(suffix, dtype=pl.String),
            "_domain": pl.Series(domains, dtype=pl.String),
            "phone": _phones(rng, country),
            "_number": pl.Series(rng.integers(1, 400, n)).cast(pl.String),
            "_street": pl.Series(_from_pools(rng, country, "streets", cfg.seed), dtype=pl.String),
            "address_line2": pl.select(unit.alias("u")).to_series(),
            "city": pl.Series(_from_pools(rng, country, "cities", cfg.seed), dtype=pl.String),
            "state_region": pl.Series(state, dtype=pl.String),
            "postcode": pl.Series(_from_pools(rng, country, "postcodes", cfg.seed), dtype=pl.String),
            "country_code": pl.Series(np.array(COUNTRY_CODES, dtype=object)[country], dtype=pl.String),
            "latitude": lat,
            "longitude": lon,
            "birth_date": pl.Series(birth_day.astype(np.int32)).cast(pl.Date),
            "join_ts": join_us,
            "is_vip": weights >= np.quantile(weights, 0.95),
            "gdpr_consent": rng.random(n) < 0.85,
        }
    )
    local_part = (
        pl.col("first_name").str.to_lowercase().str.replace_all("[^a-z]", "")
        + pl.col("_sep")
        + pl.col("last_name").str.to_lowercase().str.replace_all("[^a-z]", "")
        + pl.col("_suffix")
    )
    frame = frame.with_columns(
        email=local_part + "@" + pl.col("_domain"),
        address_line1=pl.col("_number") + " " + pl.col("_street"),
        join_ts=utc_text(pl.col("join_ts")),
    )

    counts = {
        name: anomalies.class_count("customers", name, n)
        for name in ("malformed_email", "duplicate_natural_key", "missing_contact")
    }
    where = anomalies.plan(rng, n, counts)
    frame = _break_emails(frame, where["malformed_email"], log)
    originals = _others(rng, n, np.concatenate(list(where.values())), counts["duplicate_natural_key"])
    dups, originals = _later_is_duplicate(where["duplicate_natural_key"], originals)
    frame = _copy_rows(frame, dups, originals, ["natural_key", "first_name", "last_name", "birth_date"])
    # The second registration comes after the first (30-400 days, before the window ends).
    later = np.minimum(
        join_us[originals] + rng.integers(30, 400, dups.size) * US_PER_DAY, (WINDOW_END - 8) * US_PER_DAY
    )
    later = np.maximum(later, join_us[originals] + US_PER_DAY // 24)
    join_day[dups] = later // US_PER_DAY
    frame = _assign(
        frame, "join_ts", dups, pl.Series(later).cast(pl.Datetime("us")).dt.strftime("%Y-%m-%dT%H:%M:%SZ").to_list()
    )
    log.add("customers", "duplicate_natural_key", ids[dups], ids[originals], frame["natural_key"].gather(dups))
    frame = _blank_contacts(frame, where["missing_contact"], log)

    clean = np.setdiff1d(np.arange(n), np.concatenate(list(where.values()) + [originals]))
    return Customers(
        frame=frame.select(schemas.CUSTOMERS.names),
        ids=ids,
        weights=weights,
        join_day=join_day,
        country=country,
        clean=clean,
    )


def _assign(frame: pl.DataFrame, column: str, rows: np.ndarray, values) -> pl.DataFrame:
    """frame[column][rows] = values (a sequence; None means null)."""
    series = frame[column].clone()
    series.scatter(np.asarray(rows, dtype=np.int64), pl.Series(list(values), dtype=series.dtype))
    return frame.with_columns(series)


def _copy_rows(frame: pl.DataFrame, rows: np.ndarray, source_rows: np.ndarray, columns: list[str]) -> pl.DataFrame:
    for column in columns:
        frame = _assign(frame, column, rows, frame[column].gather(source_rows))
    return frame


EMAIL_BREAKS = ("missing_at", "double_at", "no_tld", "space")


def _break_emails(frame: pl.DataFrame, rows: np.ndarray, log: AnomalyLog) -> pl.DataFrame:
    kinds = np.array(EMAIL_BREAKS, dtype=object)[np.arange(rows.size) % len(EMAIL_BREAKS)]
    emails = frame["email"].gather(rows).to_list()
    broken = []
    for email, kind in zip(emails, kinds, strict=True):  # a handful of rows: per-row text surgery is fine
        local, domain = email.split("@")
        broken.append(
            {
                "missing_at": f"{local}{domain}",
                "double_at": f"{local}@@{domain}",
                "no_tld": f"{local}@{domain.split('.')[0]}",
                "space": f"{local} x@{domain}",
            }[kind]
        )
    log.add("customers", "malformed_email", frame["customer_id"].to_numpy()[rows], kinds)
    return _assign(frame, "email", rows, broken)


def _blank_contacts(frame: pl.DataFrame, rows: np.ndarray, log: AnomalyLog) -> pl.DataFrame:
    groups = (("phone",), ("address_line1",), ("city", "postcode"))
    which = np.arange(rows.size) % len(groups)
    for gi, fields in enumerate(groups):
        for field in fields:
            frame = _assign(frame, field, rows[which == gi], [None] * int((which == gi).sum()))
    log.add("customers", "missing_contact", frame["customer_id"].to_numpy()[rows], ["+".join(groups[g]) for g in which])
    return frame


def _price_units(rng: np.random.Generator, median_aud: np.ndarray) -> np.ndarray:
    """Log-normal list prices ending in .99 (or .49 under 10), as 1/10000 units."""
    raw = median_aud * rng.lognormal(0.0, 0.6, median_aud.size)
    whole = np.maximum(np.floor(raw), 1).astype(np.int64)
    cents = np.where(raw < 10, 49, 99)
    return whole * 10_000 + cents * 100


def build_products(cfg: GeneratorConfig, log: AnomalyLog) -> Products:
    rng = cfg.dimension_rng("products")
    n = cfg.target("products")
    ids = np.arange(1, n + 1, dtype=np.int64)
    names = list(CATEGORIES)
    category = weighted_choice(rng, np.array([CATEGORY_WEIGHTS[c] for c in names]), n)
    subcategory = np.empty(n, dtype=object)
    noun = np.empty(n, dtype=object)
    for ci, cat in enumerate(names):
        rows = np.flatnonzero(category == ci)
        subs = list(CATEGORIES[cat][1])
        pick = rng.integers(0, len(subs), rows.size)
        subcategory[rows] = np.array(subs, dtype=object)[pick]
        for si, sub in enumerate(subs):
            nouns = np.array(CATEGORIES[cat][1][sub], dtype=object)
            sub_rows = rows[pick == si]
            noun[sub_rows] = nouns[rng.integers(0, nouns.size, sub_rows.size)]
    brands = np.array([c.split()[0] for c in company_names(cfg.seed)], dtype=object)
    adjective = np.array(PRODUCT_ADJECTIVES, dtype=object)[rng.integers(0, len(PRODUCT_ADJECTIVES), n)]
    price_aud = _price_units(rng, np.array([CATEGORIES[c][0] for c in names])[category])
    currency = np.array([c for c, _ in PRODUCT_CURRENCIES], dtype=object)[
        weighted_choice(rng, np.array([p for _, p in PRODUCT_CURRENCIES]), n)
    ]
    start_rate = np.array([CURRENCIES[c][0] for c in currency])
    list_price = np.where(
        currency == "AUD", price_aud, (np.floor(price_aud / start_rate / 10_000) * 10_000 + 9_900).astype(np.int64)
    )
    introduced = np.where(
        rng.random(n) < 0.8,
        rng.integers(HISTORY_START, WINDOW_START, n),
        rng.integers(WINDOW_START, WINDOW_END - 60, n),
    ).astype(np.int64)
    earliest_stop = np.maximum(introduced + 90, WINDOW_START - 365)
    discontinued = (rng.random(n) < 0.06) & (earliest_stop < WINDOW_END - 1)
    stop_day = np.where(discontinued, rng.integers(np.minimum(earliest_stop, WINDOW_END - 2), WINDOW_END - 1), NEVER)

    frame = pl.DataFrame(
        {
            "product_id": ids,
            "sku": codes(rng, n, 6, "SKU-"),
            "name": pl.Series(brands[rng.integers(0, brands.size, n)] + " " + adjective + " " + noun, dtype=pl.String),
            "category": pl.Series(np.array(names, dtype=object)[category], dtype=pl.String),
            "subcategory": pl.Series(subcategory, dtype=pl.String),
            "current_price": list_price,
            "currency": pl.Series(currency, dtype=pl.String),
            "is_discontinued": discontinued,
            "introduced_dt": pl.Series(introduced.astype(np.int32)).cast(pl.Date),
            "discontinued_dt": pl.Series(np.where(discontinued, stop_day, 0).astype(np.int32)).cast(pl.Date),
        }
    ).with_columns(
        current_price=fixed_point(pl.col("current_price"), 4),
        discontinued_dt=pl.when(pl.col("is_discontinued")).then(pl.col("discontinued_dt")),
    )

    where = anomalies.plan(rng, n, {"invalid_price": anomalies.class_count("products", "invalid_price", n)})
    kinds = np.array(("missing", "zero", "negative", "non_numeric"), dtype=object)
    kind = kinds[np.arange(where["invalid_price"].size) % kinds.size]
    bad_price = [
        None if k == "missing" else "0.0000" if k == "zero" else "N/A" if k == "non_numeric" else "-" + v
        for k, v in zip(kind, frame["current_price"].gather(where["invalid_price"]).to_list(), strict=True)
    ]
    frame = _assign(frame, "current_price", where["invalid_price"], bad_price)
    log.add("products", "invalid_price", ids[where["invalid_price"]], kind)

    eligible = np.setdiff1d(np.flatnonzero(discontinued), where["invalid_price"])
    k = min(eligible.size, anomalies.class_count("products", "discontinued_without_date", n))
    undated = np.sort(rng.choice(eligible, size=k, replace=False))
    frame = _assign(frame, "discontinued_dt", undated, [None] * k)
    log.add("products", "discontinued_without_date", ids[undated])

    return Products(
        frame=frame,
        ids=ids,
        weights=_power_law_weights(rng, n, 1.0),
        price_aud=price_aud,
        active_from=introduced,
        active_until=stop_day.astype(np.int64),
        category=np.array(names, dtype=object)[category],
        clean=np.setdiff1d(np.arange(n), np.concatenate([where["invalid_price"], undated])),
    )


def build_stores(cfg: GeneratorConfig, log: AnomalyLog) -> Stores:
    rng = cfg.dimension_rng("stores")
    n = cfg.target("stores")
    ids = np.arange(1, n + 1, dtype=np.int64)
    n_web = max(len(COUNTRY_CODES), round(0.01 * n))
    is_web = np.zeros(n, dtype=bool)
    is_web[rng.choice(n, n_web, replace=False)] = True
    country = _country_draw(rng, n)
    country[is_web] = np.arange(n_web) % len(COUNTRY_CODES)  # every country has a web shop
    state, region, tz = _states(rng, country)
    city = _from_pools(rng, country, "cities", cfg.seed)
    suffix = np.array(STORE_SUFFIXES, dtype=object)[rng.integers(0, len(STORE_SUFFIXES), n)]
    name = np.where(
        is_web,
        "Online " + np.array(COUNTRY_CODES, dtype=object)[country] + " " + np.arange(1, n + 1).astype(str),
        city + " " + suffix,
    )
    lat, lon = _coordinates(rng, country)
    open_day = rng.integers(day_number(date(1995, 1, 1)), WINDOW_START - 180, n)
    closed = ~is_web & (rng.random(n) < 0.01) & (open_day < WINDOW_START - 400)
    close_day = np.where(closed, rng.integers(np.minimum(open_day + 365, WINDOW_START - 1), WINDOW_START), 0)
    # Web shops take about half of all orders; physical stores vary in size.
    weights = np.where(is_web, 0.0, rng.lognormal(0.0, 0.7, n))
    weights[is_web] = weights.sum() / n_web
    weights[closed] = 0.0
    tz_names = sorted(set(tz))
    tz_index = np.searchsorted(np.array(tz_names, dtype=object), tz)

    frame = pl.DataFrame(
        {
            "store_id": ids,
            "store_code": pl.Series("ST-" + np.array(COUNTRY_CODES, dtype=object)[country], dtype=pl.String)
            + pl.Series(ids).cast(pl.String).str.zfill(5),
            "name": pl.Series(name, dtype=pl.String),
            "channel": pl.Series(np.where(is_web, "web", "pos"), dtype=pl.String),
            "region": pl.Series(region, dtype=pl.String),
            "state": pl.Series(state, dtype=pl.String),
            "latitude": lat,
            "longitude": lon,
            "open_dt": pl.Series(open_day.astype(np.int32)).cast(pl.Date),
            "close_dt": pl.Series(close_day.astype(np.int32)).cast(pl.Date),
        }
    ).with_columns(close_dt=pl.when(pl.Series(closed)).then(pl.col("close_dt")))

    counts = {
        name_: anomalies.class_count("stores", name_, n) for name_ in ("impossible_coordinates", "duplicate_store_code")
    }
    where = anomalies.plan(rng, n, counts)
    bad = where["impossible_coordinates"]
    kind = np.array(("latitude", "longitude", "both"), dtype=object)[np.arange(bad.size) % 3]
    bad_lat = np.where(kind != "longitude", np.round(90.5 + rng.random(bad.size) * 60, 6), lat[bad])
    bad_lon = np.where(kind != "latitude", np.round(-180.5 - rng.random(bad.size) * 90, 6), lon[bad])
    frame = _assign(_assign(frame, "latitude", bad, bad_lat), "longitude", bad, bad_lon)
    log.add("stores", "impossible_coordinates", ids[bad], kind)
    dups = where["duplicate_store_code"]
    originals = _others(rng, n, np.concatenate(list(where.values())), dups.size)
    dups, originals = _later_is_duplicate(dups, originals)
    frame = _copy_rows(frame, dups, originals, ["store_code"])
    log.add("stores", "duplicate_store_code", ids[dups], ids[originals], frame["store_code"].gather(dups))

    physical = np.flatnonzero(~is_web & ~closed)
    n_sensor = min(physical.size, max(2, round(120 * cfg.scale)))
    return Stores(
        frame=frame,
        ids=ids,
        weights=weights,
        channel=np.where(is_web, "web", "pos"),
        country=country,
        tz_index=tz_index,
        tz_names=tz_names,
        sensor_stores=np.sort(rng.choice(physical, n_sensor, replace=False)),
        clean=np.setdiff1d(np.flatnonzero(~closed), np.concatenate([bad, dups, originals])),
    )


def build_suppliers(cfg: GeneratorConfig) -> pl.DataFrame:
    rng = cfg.dimension_rng("suppliers")
    n = cfg.target("suppliers")
    ids = np.arange(1, n + 1, dtype=np.int64)
    table = SUPPLIER_COUNTRIES
    pick = weighted_choice(rng, np.array([w for _, w, _ in table]), n)
    lo = np.array([r[0] for *_, r in table])[pick]
    hi = np.array([r[1] for *_, r in table])[pick]
    companies = company_names(cfg.seed)
    legal = np.array(("Pty Ltd", "Ltd", "Co.", "Inc.", "GmbH", "Trading"), dtype=object)
    return pl.DataFrame(
        {
            "supplier_id": ids,
            "supplier_code": "SUP-" + pl.Series(ids).cast(pl.String).str.zfill(5),
            "name": pl.Series(
                companies[rng.integers(0, companies.size, n)] + " " + legal[rng.integers(0, legal.size, n)],
                dtype=pl.String,
            ),
            "country_code": pl.Series(np.array([c for c, *_ in table], dtype=object)[pick], dtype=pl.String),
            "lead_time_days": pl.Series(rng.integers(lo, hi + 1), dtype=pl.Int32),
            "preferred": rng.random(n) < 0.2,
        }
    )
