"""Dimension change files of an increment batch: only the changed rows, same columns.

Some product prices change and some products are discontinued, some customers move,
one store closes, so snapshots and SCD2 dimensions downstream have real history.
Changes are drawn from rows without anomalies, so every changed row is clean.

An increment builds on the state the earlier increments in the folder left (in date
order): their changes are replayed onto the base dimensions before this one's are drawn,
so a discontinued product is not sold or repriced again, a closed store stays closed and a
second move starts from the new address.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import polars as pl

from generators import geography
from generators.config import GeneratorConfig
from generators.dimensions import NEVER, Dimensions, home_stores, price_point, set_rows
from generators.formats import day_number, fixed_point
from generators.output import earlier_increments
from generators.pools import country_pools
from generators.reference import COUNTRY_CODES

MOVE_WITHIN_CITY = 0.8  # of moving customers stay in their city; the others move within their state


@dataclass
class Changes:
    frames: dict[str, pl.DataFrame]  # source -> changed rows
    repriced: np.ndarray  # product rows
    price_factor: np.ndarray
    discontinued: np.ndarray  # product rows
    movers: np.ndarray  # customer rows
    new_city: np.ndarray
    new_lat: np.ndarray
    new_lon: np.ndarray
    closed_store_rows: np.ndarray


def change_file(cfg: GeneratorConfig, source: str, extension: str = "csv") -> str:
    return f"{source}_changes/change_dt={cfg.increment_start.isoformat()}/part-{cfg.batch_no:05d}.{extension}"


def replay(cfg: GeneratorConfig, dims: Dimensions) -> None:
    """Bring dims to the state after every earlier increment recorded in the output folder."""
    for start, days, late in earlier_increments(cfg):
        earlier = dataclasses.replace(
            cfg, start_date=start, days=days, late_days=late, only=frozenset(), new_columns=()
        )
        apply(earlier, dims, plan(earlier, dims))


def plan(cfg: GeneratorConfig, dims: Dimensions) -> Changes:
    rng = cfg.rng("changes")
    start = day_number(cfg.increment_start)
    effective = pl.lit(cfg.increment_start)

    products = dims.products
    on_sale = products.clean[
        (products.active_until[products.clean] == NEVER) & (products.active_from[products.clean] < start)
    ]
    k_price = min(on_sale.size, max(1, round(0.005 * products.ids.size)))
    k_stop = min(on_sale.size - k_price, max(1, round(0.002 * products.ids.size)))
    picked = rng.choice(on_sale, k_price + k_stop, replace=False)
    repriced, stopped = np.sort(picked[:k_price]), np.sort(picked[k_price:])
    factor = np.round(rng.uniform(0.85, 1.15, k_price), 4)
    old = products.frame["current_price"].gather(repriced).cast(pl.Float64).to_numpy()
    price_rows = products.frame[repriced].with_columns(
        current_price=fixed_point(pl.lit(pl.Series(price_point(old * factor, repriced))), 4)
    )
    stop_rows = products.frame[stopped].with_columns(is_discontinued=pl.lit(True), discontinued_dt=effective)
    product_changes = pl.concat([price_rows, stop_rows]).sort("product_id")

    customers = dims.customers
    k_move = min(customers.clean.size, max(1, round(0.005 * customers.ids.size)))
    movers = np.sort(rng.choice(customers.clean, k_move, replace=False))
    cities = geography.cities()
    new_city = customers.city[movers].copy()
    for i in np.flatnonzero(rng.random(k_move) >= MOVE_WITHIN_CITY):  # a few dozen rows
        same_state = np.flatnonzero(cities.state == cities.state[new_city[i]])
        same_state = same_state[cities.country[same_state] == cities.country[new_city[i]]]
        new_city[i] = same_state[rng.integers(0, same_state.size)]
    lat, lon = geography.around(rng, new_city)
    street = np.empty(k_move, dtype=object)
    country = customers.country[movers]
    for ci, code in enumerate(COUNTRY_CODES):
        rows = np.flatnonzero(country == ci)
        pools = country_pools(code, cfg.seed)
        street[rows] = pools.streets[rng.integers(0, pools.streets.size, rows.size)]
    customer_changes = customers.frame[movers].with_columns(
        address_line1=pl.Series(rng.integers(1, 400, k_move)).cast(pl.String)
        + " "
        + pl.Series(street, dtype=pl.String),
        address_line2=pl.lit(None, dtype=pl.String),
        city=pl.Series(cities.name[new_city], dtype=pl.String),
        state_region=pl.Series(cities.state[new_city], dtype=pl.String),
        postcode=pl.Series(geography.postcodes(rng, new_city), dtype=pl.String),
        latitude=pl.Series(lat),
        longitude=pl.Series(lon),
    )

    stores = dims.stores
    open_pos = stores.clean[
        (stores.channel[stores.clean] == "pos")
        & (stores.close_day[stores.clean] == NEVER)
        & (stores.open_day[stores.clean] < start)
        & ~np.isin(stores.clean, stores.flagship)
    ]
    closing = np.sort(rng.choice(open_pos, 1, replace=False))
    store_changes = stores.frame[closing].with_columns(close_dt=effective)
    return Changes(
        frames={"customers": customer_changes, "products": product_changes, "stores": store_changes},
        repriced=repriced,
        price_factor=factor,
        discontinued=stopped,
        movers=movers,
        new_city=new_city,
        new_lat=lat,
        new_lon=lon,
        closed_store_rows=closing,
    )


def apply(cfg: GeneratorConfig, dims: Dimensions, delta: Changes) -> None:
    """Update dims to the state after the changes, effective from the increment's start date."""
    start = day_number(cfg.increment_start)
    products, customers, stores = dims.products, dims.customers, dims.stores
    products.frame = _replace_rows(products.frame, "product_id", delta.frames["products"])
    products.active_until[delta.discontinued] = start
    products.price_steps.append((start, delta.repriced, delta.price_factor))

    customers.frame = _replace_rows(customers.frame, "customer_id", delta.frames["customers"])
    customers.city[delta.movers] = delta.new_city
    customers.lat[delta.movers] = delta.new_lat
    customers.lon[delta.movers] = delta.new_lon
    stores.frame = _replace_rows(stores.frame, "store_id", delta.frames["stores"])
    stores.close_day[delta.closed_store_rows] = start
    rng = cfg.rng("changes", "home stores")
    home, alt = home_stores(rng, customers.country[delta.movers], delta.new_city, delta.new_lat, delta.new_lon, stores)
    customers.home_store[delta.movers], customers.alt_store[delta.movers] = home, alt


def _replace_rows(frame: pl.DataFrame, key: str, changed: pl.DataFrame) -> pl.DataFrame:
    """frame with the rows of `changed` (same columns) replacing those with the same key."""
    rows = np.searchsorted(frame[key].to_numpy(), changed[key].to_numpy())
    for column in frame.columns:
        if column != key:
            frame = set_rows(frame, column, rows, changed[column])
    return frame


def rates_covered_until(cfg: GeneratorConfig, base_until: date) -> date:
    """The last day of exchange rates the base and the earlier increments already deliver."""
    last = base_until
    for start, days, _ in earlier_increments(cfg):
        last = max(last, start + timedelta(days=days))
    return last
