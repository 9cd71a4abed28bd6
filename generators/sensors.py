"""Shelf sensor readings (CSV per store and UTC month) for the instrumented stores."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from generators import anomalies
from generators.anomalies import AnomalyLog
from generators.config import BASE_DAYS, GeneratorConfig
from generators.dimensions import Dimensions
from generators.formats import US_PER_DAY, day_number, fixed_point, write_csv
from generators.reference import SHELF_KINDS
from schemas import SENSORS

US_PER_MINUTE = 60_000_000


@dataclass
class SensorPlan:
    store_rows: np.ndarray  # instrumented stores (rows of the stores dimension)
    shelves: list[list[str]]  # shelf ids per store
    first_us: int
    steps: int
    interval_us: int
    anomalies: dict[str, np.ndarray]

    def rows_of(self, i: int) -> int:
        return len(self.shelves[i]) * self.steps


def file_name(cfg: GeneratorConfig) -> str:
    return "sensors.csv" if not cfg.is_increment else f"sensors_{cfg.batch_no:05d}.csv"


def plan(cfg: GeneratorConfig, dims: Dimensions, closed_store_rows: np.ndarray) -> SensorPlan:
    rng = cfg.rng("sensors", "plan")
    store_rows = np.setdiff1d(dims.stores.sensor_stores, closed_store_rows)
    shelves = []
    kinds = [k[0] for k in SHELF_KINDS]
    shelf_rng = cfg.dimension_rng("sensors", "shelves")  # the same shelves in every batch
    for _ in dims.stores.sensor_stores:
        count = int(shelf_rng.integers(3, 7))
        picked = ["AMB"] + [kinds[int(k)] for k in shelf_rng.integers(0, len(kinds), count - 1)]
        shelves.append([f"{kind}-{i + 1:02d}" for i, kind in enumerate(picked)])
    shelves = [shelves[int(np.searchsorted(dims.stores.sensor_stores, r))] for r in store_rows]
    # The reading interval makes the base window hit the row target at this scale.
    n_shelves = sum(len(s) for s in shelves)
    minutes = max(5, round(BASE_DAYS * 1440 * n_shelves / cfg.target("sensors")))
    days = [d for d in cfg.fact_days() if not cfg.late_days or d >= cfg.start_date]
    first_us = day_number(min(days)) * US_PER_DAY
    steps = (len(days) * 1440) // minutes
    total = steps * n_shelves
    counts = {name: anomalies.class_count("sensors", name, total) for name in ("out_of_range", "missing_sensor_ts")}
    return SensorPlan(
        store_rows=store_rows,
        shelves=shelves,
        first_us=first_us,
        steps=steps,
        interval_us=minutes * US_PER_MINUTE,
        anomalies=anomalies.plan(rng, total, counts),
    )


def write_store(cfg: GeneratorConfig, dims: Dimensions, p: SensorPlan, i: int, log: AnomalyLog) -> tuple[int, int, int]:
    """Generate and write one store's readings, one file per UTC month; returns (rows, files, bytes)."""
    rng = cfg.rng("sensors", i)
    store_row = p.store_rows[i]
    store_id = int(dims.stores.ids[store_row])
    tz = dims.stores.tz_names[dims.stores.tz_index[store_row]]
    shelves = p.shelves[i]
    k, steps = len(shelves), p.steps
    n = k * steps
    first = sum(p.rows_of(j) for j in range(i))
    jitter = rng.integers(0, 60, k) * 1_000_000
    ts = (p.first_us + np.arange(steps, dtype=np.int64)[:, None] * p.interval_us + jitter[None, :]).ravel()
    kind = np.array([s[:3] for s in shelves])
    params = {name: (t_mu, t_sd, h_mu, h_sd) for name, t_mu, t_sd, h_mu, h_sd in SHELF_KINDS}
    mu_t = np.tile([params[x][0] for x in kind], steps)
    sd_t = np.tile([params[x][1] for x in kind], steps)
    mu_h = np.tile([params[x][2] for x in kind], steps)
    sd_h = np.tile([params[x][3] for x in kind], steps)
    temp = np.round((mu_t + rng.standard_normal(n) * sd_t) * 100).astype(np.int64)
    hum = np.round(np.clip(mu_h + rng.standard_normal(n) * sd_h, 5, 95) * 100).astype(np.int64)
    decay = np.linspace(3300, 2850, steps)[:, None] + rng.integers(-15, 16, (steps, k))
    battery = decay.ravel().astype(np.int32)

    sa = {name: anomalies.in_chunk(v, first, first + n) for name, v in p.anomalies.items()}
    bad = sa["out_of_range"]
    column = np.where(np.arange(bad.size) % 2 == 0, "temperature_c", "humidity_pct")
    high = rng.random(bad.size) < 0.7
    t_bad, h_bad = column == "temperature_c", column == "humidity_pct"
    temp[bad[t_bad]] = np.where(
        high[t_bad], rng.integers(6_000, 9_000, t_bad.sum()), rng.integers(-6_000, -4_000, t_bad.sum())
    )
    hum[bad[h_bad]] = np.where(
        high[h_bad], rng.integers(10_100, 14_000, h_bad.sum()), rng.integers(-900, -100, h_bad.sum())
    )

    local = pl.Series(ts).cast(pl.Datetime("us")).dt.replace_time_zone("UTC").dt.convert_time_zone(tz)
    frame = pl.DataFrame(
        {
            "sensor_ts": local.dt.strftime("%Y-%m-%dT%H:%M:%S%:z"),
            "store_id": np.full(n, store_id, dtype=np.int64),
            "shelf_id": pl.Series(np.tile(shelves, steps), dtype=pl.String),
            "temperature_c": temp,
            "humidity_pct": hum,
            "battery_mv": battery,
            "_month": pl.Series(ts).cast(pl.Datetime("us")).dt.strftime("%Y-%m"),
        }
    ).with_columns(fixed_point("temperature_c", 2), fixed_point("humidity_pct", 2))
    missing = sa["missing_sensor_ts"]
    blank = np.zeros(n, dtype=bool)
    blank[missing] = True
    frame = frame.with_columns(sensor_ts=pl.when(pl.Series(~blank)).then(pl.col("sensor_ts")))

    # Rows are in time order, so each month is one contiguous block of the file.
    months = frame["_month"].to_numpy()
    starts = np.flatnonzero(np.r_[True, months[1:] != months[:-1]])
    stops = np.r_[starts[1:], n]
    files, size, line = [], 0, np.empty(n, dtype=np.int64)
    path_of = np.empty(n, dtype=object)
    for a, b in zip(starts, stops, strict=True):
        rel = f"sensors/store_id={store_id}/month={months[a]}/{file_name(cfg)}"
        size += write_csv(frame.slice(a, b - a).select(SENSORS.names), cfg.out / rel)
        files.append(rel)
        line[a:b] = np.arange(b - a) + 2  # line 1 is the header
        path_of[a:b] = rel
    log.add("sensors", "out_of_range", path_of[bad], line[bad], column)
    log.add("sensors", "missing_sensor_ts", path_of[missing], line[missing])
    return n, len(files), size
