"""Dimension change files of an increment batch: only the changed rows, same columns.

Some product prices change and some products are discontinued, some customers move,
one store closes, so snapshots and SCD2 dimensions downstream have real history.
Changes are drawn from rows without anomalies, so every changed row is clean.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from generators.config import GeneratorConfig
from generators.dimensions import Dimensions, _coordinates
from generators.formats import fixed_point
from generators.pools import country_pools
from generators.reference import COUNTRY_CODES


@dataclass
class Changes:
    frames: dict[str, pl.DataFrame]  # source -> changed rows
    closed_store_rows: np.ndarray


def change_file(cfg: GeneratorConfig, source: str) -> str:
    return f"{source}_changes/change_dt={cfg.start_date.isoformat()}/part-{cfg.batch_no:05d}.csv"


def plan(cfg: GeneratorConfig, dims: Dimensions) -> Changes:
    rng = cfg.rng("changes")
    effective = pl.lit(cfg.start_date)

    products = dims.products
    live = products.clean[products.active_until[products.clean] == np.iinfo(np.int32).max]
    k_price = min(live.size, max(1, round(0.005 * products.ids.size)))
    k_stop = min(live.size - k_price, max(1, round(0.002 * products.ids.size)))
    picked = rng.choice(live, k_price + k_stop, replace=False)
    repriced, stopped = np.sort(picked[:k_price]), np.sort(picked[k_price:])
    factor = pl.Series(rng.uniform(0.8, 1.2, k_price))
    price_rows = products.frame[repriced].with_columns(
        current_price=fixed_point(
            ((pl.col("current_price").cast(pl.Float64) * factor).floor().clip(1) * 10_000 + 9_900).cast(pl.Int64), 4
        )
    )
    stop_rows = products.frame[stopped].with_columns(is_discontinued=pl.lit(True), discontinued_dt=effective)
    product_changes = pl.concat([price_rows, stop_rows]).sort("product_id")

    customers = dims.customers
    k_move = min(customers.clean.size, max(1, round(0.005 * customers.ids.size)))
    movers = np.sort(rng.choice(customers.clean, k_move, replace=False))
    country = customers.country[movers]
    street, city, postcode = (np.empty(k_move, dtype=object) for _ in range(3))
    for ci, code in enumerate(COUNTRY_CODES):
        rows = np.flatnonzero(country == ci)
        pools = country_pools(code, cfg.seed)
        street[rows] = pools.streets[rng.integers(0, pools.streets.size, rows.size)]
        city[rows] = pools.cities[rng.integers(0, pools.cities.size, rows.size)]
        postcode[rows] = pools.postcodes[rng.integers(0, pools.postcodes.size, rows.size)]
    lat, lon = _coordinates(rng, country)
    customer_changes = customers.frame[movers].with_columns(
        address_line1=pl.Series(rng.integers(1, 400, k_move)).cast(pl.String)
        + " "
        + pl.Series(street, dtype=pl.String),
        address_line2=pl.lit(None, dtype=pl.String),
        city=pl.Series(city, dtype=pl.String),
        postcode=pl.Series(postcode, dtype=pl.String),
        latitude=pl.Series(lat),
        longitude=pl.Series(lon),
    )

    stores = dims.stores
    open_pos = stores.clean[stores.channel[stores.clean] == "pos"]
    closing = np.sort(rng.choice(open_pos, 1, replace=False))
    store_changes = stores.frame[closing].with_columns(close_dt=effective)
    return Changes(
        frames={"customers": customer_changes, "products": product_changes, "stores": store_changes},
        closed_store_rows=closing,
    )
