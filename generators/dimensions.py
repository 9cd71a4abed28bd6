"""Customers, products, stores and suppliers: the dimension sources (CSV).

Each builder returns the frame as written (with its anomalies) plus the clean
attributes the fact generators need: where customers live and shop, how often they buy
and when they lapse; what products cost in each market and how popular they are; where
stores stand, how big they are and when they trade. Dimensions depend on the seed and
scale only, never on the batch, so an increment rebuilds exactly the base rows it
references and changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import polars as pl

import schemas
from generators import anomalies, geography
from generators.anomalies import AnomalyLog
from generators.base_window import BASE_DAYS, DEFAULT_START
from generators.config import GeneratorConfig
from generators.formats import US_PER_DAY, codes, day_number, fixed_point, utc_text, weighted_choice
from generators.pools import company_names, country_pools
from generators.reference import (
    AGE_MEAN,
    AGE_RANGE,
    AGE_SD,
    CATEGORIES,
    CATEGORY_NAMES,
    CATEGORY_WEIGHTS,
    COUNTRIES,
    COUNTRY_CODES,
    CURRENCIES,
    EMAIL_DOMAINS,
    FIRST_ORDER_SHARE,
    INTENSITY_CAP,
    INTENSITY_SIGMA,
    JOIN_GROWTH,
    JOIN_HISTORY_YEARS,
    JOIN_MONTH,
    LIFETIME_YEARS,
    MARKET_PRICE_INDEX,
    ONE_AND_DONE_SHARE,
    POPULARITY_CAP,
    POPULARITY_SIGMA,
    PRICE_ELASTICITY,
    PRICE_REVISIONS_PER_YEAR,
    PRODUCT_ADJECTIVES,
    PRODUCT_CURRENCIES,
    SELLING_CURRENCIES,
    STORE_FORMATS,
    SUPPLIER_COUNTRIES,
    VIP_SHARE,
    WEB_PROPENSITY_BETA,
    WEB_STOREFRONTS,
)

WINDOW_START = day_number(DEFAULT_START)
WINDOW_END = WINDOW_START + BASE_DAYS  # exclusive
HISTORY_START = day_number(date(2015, 1, 1))  # products and stores
NEVER = np.iinfo(np.int32).max
# References that point nowhere (orphan anomalies) use ids from this range, which no
# real row of any scale reaches.
ORPHAN_ID_BASE = 100_000_000
PRICE_SLOTS = 3  # price revisions kept per product and market
HOME_STORE_DECAY_KM = 4.0  # customers favour stores within a few km...
HOME_STORE_AREA_POWER = 0.8  # ...and big stores
SHORTLIST = 24  # stores per customer in the draw (the best-scored ones)


@dataclass
class Stores:
    frame: pl.DataFrame
    ids: np.ndarray
    channel: np.ndarray  # 'web' / 'pos'
    country: np.ndarray
    city: np.ndarray  # index into geography.cities(); the head-office city for web shops
    tz_index: np.ndarray  # index into geography.TZ_NAMES
    lat: np.ndarray  # true coordinates (before any anomaly)
    lon: np.ndarray
    floor_area: np.ndarray  # m2; 0 for web shops
    open_day: np.ndarray
    close_day: np.ndarray  # exclusive; NEVER while open
    flagship: np.ndarray  # per country: the row of its flagship store (always open)
    web_rows: np.ndarray  # (countries, storefronts): rows of the web shops
    sensor_stores: np.ndarray  # row positions of instrumented stores
    clean: np.ndarray

    def is_open(self, rows: np.ndarray, day: np.ndarray) -> np.ndarray:
        return (self.open_day[rows] <= day) & (day < self.close_day[rows])


@dataclass
class Customers:
    frame: pl.DataFrame
    ids: np.ndarray
    country: np.ndarray
    city: np.ndarray
    tz_index: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    join_day: np.ndarray
    active_from: np.ndarray  # first local day an order can fall on (join day + 2: any time zone)
    churn_day: np.ndarray  # exclusive: the customer has lapsed from this day
    intensity: np.ndarray  # relative purchase frequency while active
    web_propensity: np.ndarray  # share of orders placed online
    first_order_day: np.ndarray  # a new customer's first order (NEVER: none planned)
    is_vip: np.ndarray
    home_store: np.ndarray  # store rows
    alt_store: np.ndarray  # a second store, open the whole window
    clean: np.ndarray  # rows without an anomaly, eligible for change files


@dataclass
class Products:
    frame: pl.DataFrame
    ids: np.ndarray
    category: np.ndarray  # index into CATEGORY_NAMES
    weights: np.ndarray  # popularity (units)
    weight_kg: np.ndarray
    price_aud: np.ndarray  # AUD reference price, 1/10000 units
    levels: np.ndarray  # (products, SELLING_CURRENCIES, PRICE_SLOTS + 1) local price points, 1/10000 units
    revision_days: np.ndarray  # (products, SELLING_CURRENCIES, PRICE_SLOTS): a level starts on its day
    active_from: np.ndarray  # day numbers
    active_until: np.ndarray  # exclusive; NEVER when not discontinued
    clean: np.ndarray  # rows without an anomaly, eligible for change files
    # Price changes of increments: (first day, product rows, factor), applied in order.
    price_steps: list[tuple[int, np.ndarray, np.ndarray]] = field(default_factory=list)

    def unit_price(self, rows: np.ndarray, currency: np.ndarray, day: np.ndarray) -> np.ndarray:
        """Selling price (1/10000 units) of products in markets (SELLING_CURRENCIES index) on days."""
        level = (self.revision_days[rows, currency] <= day[:, None]).sum(axis=1)
        units = self.levels[rows, currency, level]
        for first_day, changed, factor in self.price_steps:
            by_row = np.ones(self.ids.size)
            by_row[changed] = factor
            hit = (day >= first_day) & (by_row[rows] != 1.0)
            units[hit] = price_point(units[hit] / 10_000 * by_row[rows[hit]], rows[hit])
        return units


@dataclass
class Dimensions:
    customers: Customers
    products: Products
    stores: Stores
    suppliers: pl.DataFrame


def build(cfg: GeneratorConfig, log: AnomalyLog) -> Dimensions:
    stores = build_stores(cfg, log)
    return Dimensions(
        customers=build_customers(cfg, log, stores),
        products=build_products(cfg, log),
        stores=stores,
        suppliers=build_suppliers(cfg),
    )


def price_point(value: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Retail price points (1/10000 units): x.49/x.99 under 10, whole amounts less a cent
    (x.99) or five cents (x.95, a fifth of products) up to 1,000, then steps of 50."""
    value = np.asarray(value, dtype=np.float64)
    cents = np.where(
        value < 10,
        np.maximum(np.round(value * 2), 1) * 50 - 1,
        np.where(value < 1000, np.round(value), np.round(value / 50) * 50) * 100 - np.where(rows % 5 == 0, 5, 1),
    )
    return cents.astype(np.int64) * 100


def _from_pools(rng: np.random.Generator, country: np.ndarray, field_name: str, seed: int) -> np.ndarray:
    out = np.empty(country.size, dtype=object)
    for ci, code in enumerate(COUNTRY_CODES):
        rows = np.flatnonzero(country == ci)
        pool = getattr(country_pools(code, seed), field_name)
        out[rows] = pool[rng.integers(0, pool.size, rows.size)]
    return out


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


def _join_days(rng: np.random.Generator, n: int) -> np.ndarray:
    """Sign-up days since the loyalty programme started: growing every year, peaking in Q4."""
    first = WINDOW_START - round(JOIN_HISTORY_YEARS * 365.25)
    days = np.arange(first, WINDOW_END - 7)
    month = (days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12).astype(np.int64)
    weights = (1 + JOIN_GROWTH) ** ((days - first) / 365.25) * np.array(JOIN_MONTH)[month]
    return days[weighted_choice(rng, weights, n)].astype(np.int64)


def home_stores(
    rng: np.random.Generator, country: np.ndarray, city: np.ndarray, lat: np.ndarray, lon: np.ndarray, stores: Stores
) -> tuple[np.ndarray, np.ndarray]:
    """A home store near each customer (favouring big stores) and a second store that trades
    the whole window: among the stores of the customer's city, else of the country.

    Each is drawn with probability proportional to exp(score) (Gumbel-max) among the
    customer's SHORTLIST best-scored stores: a store further down practically never wins,
    and random numbers for every (customer, store) pair would cost more than the distances."""
    physical = stores.channel == "pos"
    candidates = physical & (stores.close_day > WINDOW_START)
    steady = physical & (stores.open_day <= WINDOW_START) & (stores.close_day == NEVER)
    home = np.empty(country.size, dtype=np.int64)
    alt = np.empty(country.size, dtype=np.int64)
    pull = HOME_STORE_AREA_POWER * np.log(np.maximum(stores.floor_area, 1)).astype(np.float32)
    for k in np.unique(city):
        rows = np.flatnonzero(city == k)
        c = country[rows[0]]
        local = candidates & (stores.city == k)
        pool = np.flatnonzero(local if local.any() else candidates & (stores.country == c))
        if np.count_nonzero(steady[pool]) < 2:  # the second store: a steady one of the country
            pool = np.union1d(pool, np.flatnonzero(steady & (stores.country == c)))
        # Distances on a local plane (km): exact enough within a city, and cheap.
        x, y = geography.plane_km(lat[rows], lon[rows], float(lat[rows[0]]))
        sx, sy = geography.plane_km(stores.lat[pool], stores.lon[pool], float(lat[rows[0]]))
        width = min(SHORTLIST, pool.size)
        for part in np.array_split(np.arange(rows.size), max(1, rows.size * pool.size // 2_000_000 + 1)):
            score = pull[None, pool] - np.hypot(x[part, None] - sx[None, :], y[part, None] - sy[None, :]) / np.float32(
                HOME_STORE_DECAY_KM
            )
            best = (
                np.argpartition(-score, width - 1, axis=1)[:, :width]
                if width < pool.size
                else np.indices(score.shape)[1]
            )
            top = np.take_along_axis(score, best, axis=1)
            at = np.arange(part.size)
            first = np.argmax(top + rng.gumbel(size=top.shape), axis=1)
            home[rows[part]] = pool[best[at, first]]
            top = np.where(steady[pool][best], top, -np.inf)
            top[at, first] = -np.inf  # another store than home
            second = np.argmax(top + rng.gumbel(size=top.shape), axis=1)
            found = np.isfinite(top[at, second])
            alt[rows[part]] = np.where(found, pool[best[at, second]], stores.flagship[c])
    return home, alt


def build_customers(cfg: GeneratorConfig, log: AnomalyLog, stores: Stores) -> Customers:
    rng = cfg.dimension_rng("customers")
    n = cfg.target("customers")
    ids = np.arange(1, n + 1, dtype=np.int64)
    cities = geography.cities()
    shares = np.array([COUNTRIES[c]["share"] for c in COUNTRY_CODES])
    country = weighted_choice(rng, shares, n)
    city = geography.city_draw(rng, country)
    lat, lon = geography.around(rng, city)
    first = _from_pools(rng, country, "first_names", cfg.seed)
    last = _from_pools(rng, country, "last_names", cfg.seed)
    age = np.clip(rng.normal(AGE_MEAN, AGE_SD, n), AGE_RANGE[0], AGE_RANGE[1] - 0.01)
    birth_day = (WINDOW_START - age * 365.25).astype(np.int64)

    join_day = _join_days(rng, n)
    # Purchase frequency: log-normal with a cap, so the best customers buy a few times a
    # week at most. Lifetime: some lapse within weeks, the rest after about 1.6 years.
    mean = np.exp(INTENSITY_SIGMA**2 / 2)
    intensity = np.minimum(rng.lognormal(0.0, INTENSITY_SIGMA, n), INTENSITY_CAP * mean)
    one_and_done = rng.random(n) < ONE_AND_DONE_SHARE
    lifetime = np.where(one_and_done, rng.integers(3, 20, n), rng.exponential(LIFETIME_YEARS * 365.25, n))
    # Younger customers shop online more.
    web_propensity = np.clip(rng.beta(*WEB_PROPENSITY_BETA, n) * (1.25 - (age - 18) / 120), 0.02, 0.98)
    first_order_lag = rng.geometric(0.45, n) - 1
    wants_first_order = rng.random(n) < FIRST_ORDER_SHARE

    domains = np.empty(n, dtype=object)
    for ci, code in enumerate(COUNTRY_CODES):
        rows = np.flatnonzero(country == ci)
        domains[rows] = np.array(EMAIL_DOMAINS[code], dtype=object)[rng.integers(0, 5, rows.size)]
    separator = np.array([".", "_", ""], dtype=object)[rng.integers(0, 3, n)]
    suffix = np.where(rng.random(n) < 0.5, rng.integers(1, 99, n).astype(str), "")
    unit = pl.when(pl.Series(rng.random(n) < 0.2)).then("Unit " + pl.Series(rng.integers(1, 40, n)).cast(pl.String))

    counts = {
        name: anomalies.class_count("customers", name, n)
        for name in ("malformed_email", "duplicate_natural_key", "missing_contact")
    }
    where = anomalies.plan(rng, n, counts)
    originals = _others(rng, n, np.concatenate(list(where.values())), counts["duplicate_natural_key"])
    dups, originals = _later_is_duplicate(where["duplicate_natural_key"], originals)
    join_us = join_day * US_PER_DAY + rng.integers(0, US_PER_DAY // 1_000_000, n) * 1_000_000
    # The second registration comes after the first (30-400 days, before the window ends).
    later = np.minimum(
        join_us[originals] + rng.integers(30, 400, dups.size) * US_PER_DAY, (WINDOW_END - 8) * US_PER_DAY
    )
    join_us[dups] = np.maximum(later, join_us[originals] + US_PER_DAY // 24)
    join_day = join_us // US_PER_DAY
    birth_day[dups] = birth_day[originals]

    # join_ts is UTC while orders fall on local days: from two days after joining an order
    # is after join_ts in every time zone.
    active_from = join_day + 2
    churn_day = join_day + lifetime.astype(np.int64) + 2
    first_order_day = np.where(
        wants_first_order & (join_day >= WINDOW_START), np.minimum(active_from + first_order_lag, churn_day - 1), NEVER
    )
    first_order_day = np.where(first_order_day >= active_from, first_order_day, NEVER)
    # VIP: the top of expected spend in the window (frequency x days active in it).
    active_days = np.clip(np.minimum(churn_day, WINDOW_END) - np.maximum(active_from, WINDOW_START), 0, None)
    value = intensity * active_days
    is_vip = value >= max(np.quantile(value, 1 - VIP_SHARE), 1e-9)
    home, alt = home_stores(rng, country, city, lat, lon, stores)

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
            "city": pl.Series(cities.name[city], dtype=pl.String),
            "state_region": pl.Series(cities.state[city], dtype=pl.String),
            "postcode": pl.Series(geography.postcodes(rng, city), dtype=pl.String),
            "country_code": pl.Series(np.array(COUNTRY_CODES, dtype=object)[country], dtype=pl.String),
            "latitude": lat,
            "longitude": lon,
            "birth_date": pl.Series(birth_day.astype(np.int32)).cast(pl.Date),
            "join_ts": join_us,
            "is_vip": is_vip,
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
    frame = _break_emails(frame, where["malformed_email"], log)
    frame = _copy_rows(frame, dups, originals, ["natural_key", "first_name", "last_name"])
    log.add("customers", "duplicate_natural_key", ids[dups], ids[originals], frame["natural_key"].gather(dups))
    frame = _blank_contacts(frame, where["missing_contact"], log)

    clean = np.setdiff1d(np.arange(n), np.concatenate(list(where.values()) + [originals]))
    return Customers(
        frame=frame.select(schemas.CUSTOMERS.names),
        ids=ids,
        country=country,
        city=city,
        tz_index=cities.tz_index[city],
        lat=lat,
        lon=lon,
        join_day=join_day,
        active_from=active_from,
        churn_day=churn_day,
        intensity=intensity,
        web_propensity=web_propensity,
        first_order_day=first_order_day.astype(np.int64),
        is_vip=is_vip,
        home_store=home,
        alt_store=alt,
        clean=clean,
    )


def set_rows(frame: pl.DataFrame, column: str, rows: np.ndarray, values) -> pl.DataFrame:
    """frame[column][rows] = values (a sequence; None means null)."""
    series = frame[column].clone()
    series.scatter(np.asarray(rows, dtype=np.int64), pl.Series(list(values), dtype=series.dtype))
    return frame.with_columns(series)


def _copy_rows(frame: pl.DataFrame, rows: np.ndarray, source_rows: np.ndarray, columns: list[str]) -> pl.DataFrame:
    for column in columns:
        frame = set_rows(frame, column, rows, frame[column].gather(source_rows))
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
    return set_rows(frame, "email", rows, broken)


def _blank_contacts(frame: pl.DataFrame, rows: np.ndarray, log: AnomalyLog) -> pl.DataFrame:
    groups = (("phone",), ("address_line1",), ("city", "postcode"))
    which = np.arange(rows.size) % len(groups)
    for gi, fields in enumerate(groups):
        for field_name in fields:
            frame = set_rows(frame, field_name, rows[which == gi], [None] * int((which == gi).sum()))
    log.add("customers", "missing_contact", frame["customer_id"].to_numpy()[rows], ["+".join(groups[g]) for g in which])
    return frame


def _local_prices(rng: np.random.Generator, price_aud: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Price points per selling market, revised now and then (mostly upwards): the levels
    and the days each revision starts."""
    n, k = price_aud.size, len(SELLING_CURRENCIES)
    levels = np.empty((n, k, PRICE_SLOTS + 1), dtype=np.int64)
    revision_days = np.full((n, k, PRICE_SLOTS), NEVER, dtype=np.int64)
    years = BASE_DAYS / 365.25
    for ci, code in enumerate(SELLING_CURRENCIES):
        base = price_aud / 10_000 * MARKET_PRICE_INDEX[code] / CURRENCIES[code][0]
        revisions = np.minimum(rng.poisson(PRICE_REVISIONS_PER_YEAR * years, n), PRICE_SLOTS)
        days = np.sort(rng.integers(WINDOW_START + 30, WINDOW_END, (n, PRICE_SLOTS)), axis=1)
        steps = np.exp(rng.normal(0.03, 0.04, (n, PRICE_SLOTS)))
        levels[:, ci, 0] = price_point(base, rows)
        value = base.copy()
        for slot in range(PRICE_SLOTS):
            value = np.where(revisions > slot, value * steps[:, slot], value)
            levels[:, ci, slot + 1] = np.where(revisions > slot, price_point(value, rows), levels[:, ci, slot])
            revision_days[:, ci, slot] = np.where(revisions > slot, days[:, slot], NEVER)
    return levels, revision_days


def build_products(cfg: GeneratorConfig, log: AnomalyLog) -> Products:
    rng = cfg.dimension_rng("products")
    n = cfg.target("products")
    ids = np.arange(1, n + 1, dtype=np.int64)
    rows = np.arange(n)
    category = weighted_choice(rng, np.array([CATEGORY_WEIGHTS[c] for c in CATEGORY_NAMES]), n)
    subcategory = np.empty(n, dtype=object)
    noun = np.empty(n, dtype=object)
    median = np.empty(n)
    weight_kg = np.empty(n)
    for ci, cat in enumerate(CATEGORY_NAMES):
        cat_rows = np.flatnonzero(category == ci)
        subs = list(CATEGORIES[cat])
        pick = rng.integers(0, len(subs), cat_rows.size)
        subcategory[cat_rows] = np.array(subs, dtype=object)[pick]
        for si, sub in enumerate(subs):
            nouns = list(CATEGORIES[cat][sub])
            sub_rows = cat_rows[pick == si]
            which = rng.integers(0, len(nouns), sub_rows.size)
            noun[sub_rows] = np.array(nouns, dtype=object)[which]
            median[sub_rows] = np.array([CATEGORIES[cat][sub][x][0] for x in nouns])[which]
            weight_kg[sub_rows] = np.array([CATEGORIES[cat][sub][x][1] for x in nouns])[which]
    brands = np.array([c.split()[0] for c in company_names(cfg.seed)], dtype=object)
    adjective = np.array(PRODUCT_ADJECTIVES, dtype=object)[rng.integers(0, len(PRODUCT_ADJECTIVES), n)]
    price_aud = price_point(median * rng.lognormal(0.0, 0.35, n), rows)
    weight_kg = np.round(weight_kg * rng.lognormal(0.0, 0.15, n), 3)
    popularity = np.minimum(rng.lognormal(0.0, POPULARITY_SIGMA, n), POPULARITY_CAP)
    weights = popularity * (price_aud / 10_000) ** -PRICE_ELASTICITY
    levels, revision_days = _local_prices(rng, price_aud, rows)

    currency = np.array([c for c, _ in PRODUCT_CURRENCIES], dtype=object)[
        weighted_choice(rng, np.array([p for _, p in PRODUCT_CURRENCIES]), n)
    ]
    # The list price is the catalogue's current price in the product's list currency:
    # the latest local price point of the base window (EUR lists are not sold).
    latest = levels[rows, :, PRICE_SLOTS]
    list_price = np.where(
        currency == "AUD",
        latest[:, SELLING_CURRENCIES.index("AUD")],
        np.where(
            currency == "USD",
            latest[:, SELLING_CURRENCIES.index("USD")],
            price_point(price_aud / 10_000 / CURRENCIES["EUR"][0], rows),
        ),
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
            "category": pl.Series(np.array(CATEGORY_NAMES, dtype=object)[category], dtype=pl.String),
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
    frame = set_rows(frame, "current_price", where["invalid_price"], bad_price)
    log.add("products", "invalid_price", ids[where["invalid_price"]], kind)

    eligible = np.setdiff1d(np.flatnonzero(discontinued), where["invalid_price"])
    k = min(eligible.size, anomalies.class_count("products", "discontinued_without_date", n))
    undated = np.sort(rng.choice(eligible, size=k, replace=False))
    frame = set_rows(frame, "discontinued_dt", undated, [None] * k)
    log.add("products", "discontinued_without_date", ids[undated])

    return Products(
        frame=frame,
        ids=ids,
        category=category,
        weights=weights,
        weight_kg=weight_kg,
        price_aud=price_aud,
        levels=levels,
        revision_days=revision_days,
        active_from=introduced,
        active_until=stop_day.astype(np.int64),
        clean=np.setdiff1d(np.arange(n), np.concatenate([where["invalid_price"], undated])),
    )


def build_stores(cfg: GeneratorConfig, log: AnomalyLog) -> Stores:
    rng = cfg.dimension_rng("stores")
    n = cfg.target("stores")
    ids = np.arange(1, n + 1, dtype=np.int64)
    cities = geography.cities()
    k = len(COUNTRY_CODES)
    # Web shops: a website, an app and a marketplace storefront per country (one each at tiny scales).
    fronts = len(WEB_STOREFRONTS) if n >= 100 else 1
    web_rows = np.sort(rng.choice(n, k * fronts, replace=False)).reshape(k, fronts)
    is_web = np.zeros(n, dtype=bool)
    is_web[web_rows.ravel()] = True
    physical = np.flatnonzero(~is_web)
    flagship = np.sort(rng.choice(physical, k, replace=False))
    others = np.setdiff1d(physical, flagship)

    country = np.empty(n, dtype=np.int64)
    city = np.empty(n, dtype=np.int64)
    for ci in range(k):
        country[web_rows[ci]] = ci
        country[flagship[ci]] = ci
        city[web_rows[ci]] = city[flagship[ci]] = cities.largest(ci)
    shares = np.array([COUNTRIES[c]["share"] for c in COUNTRY_CODES])
    country[others] = weighted_choice(rng, shares, others.size)
    # Towns get a few more stores per head than the capitals.
    city[others] = geography.city_draw(rng, country[others], flatten=0.85)

    fmt = np.zeros(n, dtype=np.int64)  # index into STORE_FORMATS; 0 = flagship
    fmt[others] = 1 + weighted_choice(rng, np.array([f[3] for f in STORE_FORMATS[1:]]), others.size)
    low = np.array([f[2][0] for f in STORE_FORMATS])[fmt]
    high = np.array([f[2][1] for f in STORE_FORMATS])[fmt]
    floor_area = np.where(is_web, 0, np.round(np.exp(rng.uniform(np.log(low), np.log(high))) / 10) * 10).astype(
        np.int64
    )
    suffix = np.array([f[1][int(rng.integers(0, len(f[1])))] for f in (STORE_FORMATS[i] for i in fmt)], dtype=object)
    store_city = cities.name[city]
    name = store_city + " " + suffix
    for ci, code in enumerate(COUNTRY_CODES):
        for fi in range(fronts):
            name[web_rows[ci, fi]] = f"Online {code} {WEB_STOREFRONTS[fi][0]}"

    lat, lon = geography.around(rng, city, spread=0.35)
    for ci in range(k):  # web shops and flagships sit in the city centre
        for row in [*web_rows[ci], flagship[ci]]:
            lat[row], lon[row] = cities.lat[city[row]], cities.lon[city[row]]
    # Most stores opened long ago; some open during the window and some close: 1% before
    # it (they never trade in it), 2% during it.
    open_day = rng.integers(day_number(date(1995, 1, 1)), WINDOW_START - 180, n)
    opens_late = (rng.random(n) < 0.04) & ~is_web
    open_day = np.where(opens_late, rng.integers(WINDOW_START, WINDOW_END - 60, n), open_day)
    fate = rng.random(n)
    closed_before = (fate < 0.01) & ~opens_late & (open_day < WINDOW_START - 400)
    closes_during = (fate > 0.98) & (open_day < WINDOW_START)
    close_day = np.where(closed_before, rng.integers(np.minimum(open_day + 365, WINDOW_START - 1), WINDOW_START), NEVER)
    close_day = np.where(closes_during, rng.integers(WINDOW_START + 30, WINDOW_END - 1, n), close_day)
    for rows in (web_rows.ravel(), flagship):
        open_day[rows] = np.minimum(open_day[rows], WINDOW_START - 3650)
        close_day[rows] = NEVER

    frame = pl.DataFrame(
        {
            "store_id": ids,
            "store_code": pl.Series("ST-" + np.array(COUNTRY_CODES, dtype=object)[country], dtype=pl.String)
            + pl.Series(ids).cast(pl.String).str.zfill(5),
            "name": pl.Series(name, dtype=pl.String),
            "channel": pl.Series(np.where(is_web, "web", "pos"), dtype=pl.String),
            "region": pl.Series(cities.region[city], dtype=pl.String),
            "state": pl.Series(cities.state[city], dtype=pl.String),
            "latitude": lat,
            "longitude": lon,
            "open_dt": pl.Series(open_day.astype(np.int32)).cast(pl.Date),
            "close_dt": pl.Series(np.where(close_day == NEVER, 0, close_day).astype(np.int32)).cast(pl.Date),
            "floor_area_sqm": pl.Series(floor_area, dtype=pl.Int32),
        }
    ).with_columns(
        close_dt=pl.when(pl.Series(close_day != NEVER)).then(pl.col("close_dt")),
        floor_area_sqm=pl.when(pl.col("floor_area_sqm") > 0).then(pl.col("floor_area_sqm")),
    )

    counts = {
        name_: anomalies.class_count("stores", name_, n) for name_ in ("impossible_coordinates", "duplicate_store_code")
    }
    where = anomalies.plan(rng, n, counts)
    bad = where["impossible_coordinates"]
    kind = np.array(("latitude", "longitude", "both"), dtype=object)[np.arange(bad.size) % 3]
    bad_lat = np.where(kind != "longitude", np.round(90.5 + rng.random(bad.size) * 60, 6), lat[bad])
    bad_lon = np.where(kind != "latitude", np.round(-180.5 - rng.random(bad.size) * 90, 6), lon[bad])
    frame = set_rows(set_rows(frame, "latitude", bad, bad_lat), "longitude", bad, bad_lon)
    log.add("stores", "impossible_coordinates", ids[bad], kind)
    dups = where["duplicate_store_code"]
    originals = _others(rng, n, np.concatenate(list(where.values())), dups.size)
    dups, originals = _later_is_duplicate(dups, originals)
    frame = _copy_rows(frame, dups, originals, ["store_code"])
    log.add("stores", "duplicate_store_code", ids[dups], ids[originals], frame["store_code"].gather(dups))

    # Shelf sensors in a subset of the stores that trade the whole window, bigger ones first.
    steady = np.flatnonzero(~is_web & (open_day <= WINDOW_START) & (close_day == NEVER))
    n_sensor = min(steady.size, max(2, round(120 * cfg.scale)))
    sensor_stores = np.sort(
        rng.choice(steady, n_sensor, replace=False, p=floor_area[steady] / floor_area[steady].sum())
    )
    return Stores(
        frame=frame.select(schemas.STORES.names),
        ids=ids,
        channel=np.where(is_web, "web", "pos"),
        country=country,
        city=city,
        tz_index=cities.tz_index[city],
        lat=lat,
        lon=lon,
        floor_area=floor_area,
        open_day=open_day.astype(np.int64),
        close_day=close_day.astype(np.int64),
        flagship=flagship,
        web_rows=web_rows,
        sensor_stores=sensor_stores,
        clean=np.setdiff1d(np.flatnonzero(close_day == NEVER), np.concatenate([bad, dups, originals])),
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
