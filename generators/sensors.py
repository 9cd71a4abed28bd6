"""Shelf sensor readings (CSV per store and UTC month) for the instrumented stores.

Readings follow physics: each shelf holds its kind's set point plus a store offset and a
shelf offset; ambient shelves follow the season of their hemisphere and warm up in
trading hours; fridges and freezers bump when doors open in trading hours and freezers
defrost every eight hours; noise is a moving average, so neighbouring readings are
correlated; batteries drain and get replaced. Out-of-range anomalies are fault episodes:
one sensor reads a stuck or impossible value for hours, not a single spike."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from generators import anomalies
from generators.anomalies import AnomalyLog
from generators.base_window import BASE_DAYS
from generators.config import GeneratorConfig
from generators.dimensions import Dimensions
from generators.formats import US_PER_DAY, day_number, fixed_point, write_csv
from generators.geography import TZ_NAMES
from generators.reference import (
    COUNTRIES,
    COUNTRY_CODES,
    SENSOR_FAULT_EPISODE,
    SENSOR_NOISE_WINDOW,
    SENSOR_STORE_OFFSET_SD,
    SHELF_KINDS,
)
from schemas import SENSORS

US_PER_MINUTE = 60_000_000
KINDS = {k[0]: k[1:] for k in SHELF_KINDS}


@dataclass
class SensorPlan:
    store_rows: np.ndarray  # instrumented stores (rows of the stores dimension)
    shelves: list[list[str]]  # shelf ids per store
    first_us: int
    steps: int
    interval_us: int
    faults: np.ndarray  # global row positions of out-of-range readings (sorted)
    fault_column: np.ndarray  # per fault position: 0 temperature_c, 1 humidity_pct
    fault_value: np.ndarray  # per fault position: the reading, in 1/100 units
    missing: np.ndarray  # global row positions without a timestamp

    def rows_of(self, i: int) -> int:
        return len(self.shelves[i]) * self.steps


def file_name(cfg: GeneratorConfig) -> str:
    return "sensors.csv" if not cfg.is_increment else f"sensors_{cfg.batch_no:05d}.csv"


def plan(cfg: GeneratorConfig, dims: Dimensions) -> SensorPlan:
    rng = cfg.rng("sensors", "plan")
    stores = dims.stores
    kinds = list(KINDS)
    shelf_rng = cfg.dimension_rng("sensors", "shelves")  # the same shelves in every batch
    all_shelves = []
    for _ in stores.sensor_stores:
        count = int(shelf_rng.integers(3, 7))
        picked = ["AMB"] + [kinds[int(k)] for k in shelf_rng.integers(0, len(kinds), count - 1)]
        all_shelves.append([f"{kind}-{i + 1:02d}" for i, kind in enumerate(picked)])
    # The reading interval makes the base window hit the row target at this scale.
    minutes = max(5, round(BASE_DAYS * 1440 * sum(len(s) for s in all_shelves) / cfg.target("sensors")))
    days = [d for d in cfg.fact_days() if not cfg.late_days or d >= cfg.increment_start]
    trading = stores.close_day[stores.sensor_stores] > day_number(max(days))  # closed stores' sensors stop
    store_rows = stores.sensor_stores[trading]
    shelves = [s for s, keep in zip(all_shelves, trading, strict=True) if keep]
    first_us = day_number(min(days)) * US_PER_DAY
    steps = (len(days) * 1440) // minutes
    sizes = np.array([len(s) for s in shelves], dtype=np.int64)
    total = steps * int(sizes.sum())
    faults, column, value = _fault_episodes(rng, sizes, steps, anomalies.class_count("sensors", "out_of_range", total))
    missing = _free_positions(rng, total, faults, anomalies.class_count("sensors", "missing_sensor_ts", total))
    return SensorPlan(
        store_rows=store_rows,
        shelves=shelves,
        first_us=first_us,
        steps=steps,
        interval_us=minutes * US_PER_MINUTE,
        faults=faults,
        fault_column=column,
        fault_value=value,
        missing=missing,
    )


def _fault_episodes(
    rng: np.random.Generator, shelves_per_store: np.ndarray, steps: int, count: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Exactly `count` out-of-range readings as episodes: consecutive readings of one shelf
    (3 to 48 of them) stuck at an impossible value. Returns global positions (sorted) with
    the column and the value of each."""
    base = np.concatenate([[0], np.cumsum(shelves_per_store * steps)])
    taken: dict[tuple[int, int], list[tuple[int, int]]] = {}
    positions, columns, values = [], [], []
    remaining = count
    while remaining > 0:  # one iteration per episode (hundreds at full scale), not per reading
        length = min(remaining, int(rng.integers(SENSOR_FAULT_EPISODE[0], SENSOR_FAULT_EPISODE[1] + 1)), steps)
        store = int(weighted_pick(rng, shelves_per_store))
        shelf = int(rng.integers(0, shelves_per_store[store]))
        first = int(rng.integers(0, steps - length + 1))
        spans = taken.setdefault((store, shelf), [])
        if any(a < first + length + 1 and first < b + 1 for a, b in spans):
            continue  # overlapping or touching another episode: draw again
        spans.append((first, first + length))
        column = int(rng.random() < 0.4)  # 0 temperature_c, 1 humidity_pct
        high = rng.random() < 0.7
        if column == 0:
            level = rng.integers(6_000, 9_000) if high else rng.integers(-6_000, -4_000)
        else:
            level = rng.integers(10_100, 14_000) if high else rng.integers(-900, -100)
        jitter = rng.integers(-30, 31, length)
        steps_hit = first + np.arange(length)
        positions.append(base[store] + steps_hit * shelves_per_store[store] + shelf)
        columns.append(np.full(length, column))
        values.append(level + jitter)
        remaining -= length
    if not positions:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.int64)
    pos = np.concatenate(positions).astype(np.int64)
    order = np.argsort(pos)
    return pos[order], np.concatenate(columns)[order], np.concatenate(values)[order].astype(np.int64)


def weighted_pick(rng: np.random.Generator, weights: np.ndarray) -> int:
    cdf = np.cumsum(weights, dtype=np.float64)
    return int(min(np.searchsorted(cdf, rng.random() * cdf[-1], side="right"), weights.size - 1))


def _free_positions(rng: np.random.Generator, total: int, taken: np.ndarray, count: int) -> np.ndarray:
    """`count` distinct random positions in [0, total) outside `taken`, sorted."""
    out = np.empty(0, dtype=np.int64)
    while out.size < count:
        draw = rng.choice(total, size=min(total, 2 * count + 16), replace=False)
        out = np.union1d(out, np.setdiff1d(draw, taken))
    return np.sort(rng.choice(out, size=count, replace=False)) if out.size > count else out


def write_store(cfg: GeneratorConfig, dims: Dimensions, p: SensorPlan, i: int, log: AnomalyLog) -> tuple[int, int, int]:
    """Generate and write one store's readings, one file per UTC month; returns (rows, files, bytes)."""
    rng = cfg.rng("sensors", i)
    store_row = int(p.store_rows[i])
    stores = dims.stores
    store_id = int(stores.ids[store_row])
    tz = TZ_NAMES[stores.tz_index[store_row]]
    south = COUNTRIES[COUNTRY_CODES[stores.country[store_row]]]["south"]
    shelves = p.shelves[i]
    k, steps = len(shelves), p.steps
    n = k * steps
    first = sum(p.rows_of(j) for j in range(i))
    # Fixed traits of the store and its shelves: the same in every batch.
    traits = cfg.dimension_rng("sensors", "store", store_row)
    store_offset = traits.normal(0.0, SENSOR_STORE_OFFSET_SD)
    shelf_offset = traits.normal(0.0, 0.25, k)
    battery_start = traits.uniform(3_000, 3_300, k)
    drain_per_day = traits.uniform(0.4, 1.2, k)

    jitter = rng.integers(0, 60, k) * 1_000_000
    step_us = p.first_us + np.arange(steps, dtype=np.int64) * p.interval_us
    ts = (step_us[:, None] + jitter[None, :]).ravel()
    local = pl.Series(step_us).cast(pl.Datetime("us", "UTC")).dt.convert_time_zone(tz)
    hour = (local.dt.hour().to_numpy() + local.dt.minute().to_numpy() / 60.0)[:, None]
    doy = local.dt.ordinal_day().to_numpy()[:, None]
    trading = ((hour >= 8) & (hour < 21)).astype(np.float64)
    summer_peak = 15 if south else 196  # mid-January / mid-July
    season = np.cos(2 * np.pi * (doy - summer_peak) / 365.25)

    kind = [s[:3] for s in shelves]
    setpoint, season_amp, day_amp, noise_sd, hum_mean, hum_sd = (
        np.array([KINDS[x][j] for x in kind])[None, :] for j in range(6)
    )
    ambient = np.array([x == "AMB" for x in kind])[None, :]
    freezer = np.array([x == "FRZ" for x in kind])[None, :]
    offset = np.where(ambient, store_offset, store_offset * 0.3) + shelf_offset[None, :]
    daily = np.where(ambient, day_amp * np.cos(2 * np.pi * (hour - 15) / 24), day_amp * trading)
    defrost = freezer * ((hour % 8) < 0.5) * 3.0
    noise = _smooth_noise(rng, steps, k) * noise_sd
    temp_c = setpoint + offset + season_amp * season + daily + defrost + noise
    hum = hum_mean - np.where(ambient, 1.5 * (temp_c - setpoint), 0.0) + 4 * season * ambient
    hum = hum + _smooth_noise(rng, steps, k) * hum_sd
    temp = np.round(temp_c * 100).astype(np.int64).ravel()
    hum = np.round(np.clip(hum, 5, 95) * 100).astype(np.int64).ravel()
    elapsed_days = (step_us - p.first_us)[:, None] / US_PER_DAY + (p.first_us / US_PER_DAY - 19_000)
    level = battery_start[None, :] - drain_per_day[None, :] * elapsed_days
    battery = (2_800 + np.mod(level - 2_800, 500)).astype(np.int32).ravel()  # replaced when flat

    faults = anomalies.in_chunk(p.faults, first, first + n)
    lo, hi = np.searchsorted(p.faults, [first, first + n])
    column = p.fault_column[lo:hi]
    value = p.fault_value[lo:hi]
    temp[faults[column == 0]] = value[column == 0]
    hum[faults[column == 1]] = value[column == 1]

    local_ts = pl.Series(ts).cast(pl.Datetime("us")).dt.replace_time_zone("UTC").dt.convert_time_zone(tz)
    frame = pl.DataFrame(
        {
            "sensor_ts": local_ts.dt.strftime("%Y-%m-%dT%H:%M:%S%:z"),
            "store_id": np.full(n, store_id, dtype=np.int64),
            "shelf_id": pl.Series(np.tile(shelves, steps), dtype=pl.String),
            "temperature_c": temp,
            "humidity_pct": hum,
            "battery_mv": battery,
            "_month": pl.Series(ts).cast(pl.Datetime("us")).dt.strftime("%Y-%m"),
        }
    ).with_columns(fixed_point("temperature_c", 2), fixed_point("humidity_pct", 2))
    missing = anomalies.in_chunk(p.missing, first, first + n)
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
        size += write_csv(frame.slice(int(a), int(b - a)).select(SENSORS.names), cfg.out / rel)
        files.append(rel)
        line[a:b] = np.arange(b - a) + 2  # line 1 is the header
        path_of[a:b] = rel
    names = np.array(("temperature_c", "humidity_pct"), dtype=object)
    log.add("sensors", "out_of_range", path_of[faults], line[faults], names[column])
    log.add("sensors", "missing_sensor_ts", path_of[missing], line[missing])
    return n, len(files), size


def _smooth_noise(rng: np.random.Generator, steps: int, k: int) -> np.ndarray:
    """(steps, k) noise of unit variance, a moving average of white noise along time."""
    w = SENSOR_NOISE_WINDOW
    white = rng.standard_normal((steps + w - 1, k))
    c = np.cumsum(white, axis=0)
    c = np.vstack([np.zeros((1, k)), c])
    return (c[w:] - c[:-w]) / np.sqrt(w)
