"""Generate one batch (the base dataset or an increment) into the output folder."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import polars as pl
import pyarrow.parquet as pq

from generators import changes, dimensions, events, exchange_rates, new_column_values, orders, output, returns, sensors
from generators.anomalies import AnomalyLog
from generators.config import RATES_END, GeneratorConfig
from generators.dimensions import Dimensions
from generators.formats import from_day_number, partition_file, write_csv, write_lines
from generators.progress import Progress

DIMENSION_SOURCES = ("customers", "products", "stores", "suppliers")
ORDER_SOURCES = ("orders_header", "orders_lines", "shipments", "returns", "events")
# The order in which the summary lists the fact sources (as when they were written one after another).
SUMMARY_ORDER = ("orders_header", "orders_lines", "shipments", "events", "returns", "sensors")


def generate(cfg: GeneratorConfig, progress: Progress) -> dict:
    """Write the batch described by cfg; returns the batch's per-source totals."""
    # Orders late on a US evening fall on the next UTC day: rates cover one day more.
    last_rate_day = max(cfg.fact_days()) + timedelta(days=1) if cfg.is_increment else RATES_END
    rates = exchange_rates.RateTable(cfg, until=last_rate_day)
    output.prepare(cfg)
    log = AnomalyLog()
    dims = dimensions.build(cfg, log)
    written: list[str] = []
    extra: dict = {}

    if not cfg.is_increment:
        frames = {
            "customers": dims.customers.frame,
            "products": dims.products.frame,
            "stores": dims.stores.frame,
            "suppliers": dims.suppliers,
        }
        for source in DIMENSION_SOURCES:
            if cfg.selected(source):
                t = time.perf_counter()
                size = write_csv(frames[source], cfg.out / output.BASE_PATHS[source])
                progress.add(source, frames[source].height, 1, size, time.perf_counter() - t)
                written.append(source)
        if cfg.selected("exchange_rates"):
            t = time.perf_counter()
            rows, size = exchange_rates.write(rates, cfg.out / output.BASE_PATHS["exchange_rates"])
            progress.add("exchange_rates", rows, 1, size, time.perf_counter() - t)
            written.append("exchange_rates")
    else:
        changes.replay(cfg, dims)
        delta = changes.plan(cfg, dims)
        changes.apply(cfg, dims, delta)
        log = AnomalyLog()  # the dimension files are not rewritten: their anomalies belong to the base
        for source, frame in delta.frames.items():
            if cfg.selected(source):
                frame = new_column_values.add(frame, source, cfg.new_columns)
                size = write_csv(frame, cfg.out / changes.change_file(cfg, source))
                progress.add(source, frame.height, 1, size)
                written.append(source)
        if cfg.selected("exchange_rates"):
            _write_rate_extension(cfg, rates, last_rate_day, progress, written)

    # Sensors share nothing with the order sources but the dimensions (each store draws from a
    # generator of its own), and both spend most of their time in numpy, polars and pyarrow, which
    # release the interpreter lock: a second thread uses the second core. Same bytes either way.
    stop = threading.Event()  # set when the run fails or is interrupted: the sensors' thread stops too
    with ThreadPoolExecutor(max_workers=1) as pool:
        sensors_done = pool.submit(_write_sensors, cfg, dims, log, progress, stop) if cfg.selected("sensors") else None
        try:
            if any(cfg.selected(s) for s in ORDER_SOURCES):
                extra.update(_write_facts(cfg, dims, rates, log, progress, written))
            if sensors_done is not None:
                sensors_done.result()
                written.append("sensors")
        except BaseException:
            stop.set()
            raise
    # The summary lists the fact sources in the order of a run one after another, whichever thread wrote first.
    progress.stats.update({s: progress.stats.pop(s) for s in SUMMARY_ORDER if s in progress.stats})

    totals: dict[str, dict[str, int | None]] = {
        s: {"rows": progress.stats[s].rows, "files": progress.stats[s].files, "bytes": progress.stats[s].bytes}
        for s in written
        if s in progress.stats
    }
    if "returns" in totals:
        # delta-rs writes the merge's Parquet with a varying byte layout: the size is not
        # reproducible, so the manifest (which is) leaves it out.
        totals["returns"]["bytes"] = None
    output.save_batch(cfg, totals, {s: log.section(s) for s in written}, extra)
    return totals


def _write_sensors(
    cfg: GeneratorConfig, dims: Dimensions, log: AnomalyLog, progress: Progress, stop: threading.Event
) -> None:
    plan = sensors.plan(cfg, dims)
    for i in range(plan.store_rows.size):
        if stop.is_set():
            return
        t = time.perf_counter()
        rows, files, size = sensors.write_store(cfg, dims, plan, i, log)
        progress.add("sensors", rows, files, size, time.perf_counter() - t)
        progress.tick("sensors", i + 1, plan.store_rows.size)


def _write_rate_extension(
    cfg: GeneratorConfig, rates: exchange_rates.RateTable, last: date, progress: Progress, written: list[str]
) -> None:
    """An increment beyond the rates already delivered brings the rates of the missing days
    (the calendar extends itself as increments move forward)."""
    first = changes.rates_covered_until(cfg, RATES_END) + timedelta(days=1)
    if first > last:
        return
    t = time.perf_counter()
    path = cfg.out / changes.change_file(cfg, "exchange_rates", "xlsx")
    rows, size = exchange_rates.write(rates, path, first, last)
    progress.add("exchange_rates", rows, 1, size, time.perf_counter() - t)
    written.append("exchange_rates")


def _chunks(days: list[date], monthly: bool) -> list[range]:
    """Consecutive day positions grouped by calendar month (one chunk for an increment)."""
    if not monthly:
        return [range(0, len(days))]
    bounds = [0] + [i for i in range(1, len(days)) if days[i].month != days[i - 1].month] + [len(days)]
    return [range(a, b) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


def _write_daily(cfg: GeneratorConfig, frame: pl.DataFrame, source: str, progress: Progress, seconds: float) -> None:
    """One file per day of the frame's `_file_day`; `seconds` is the generation time to add to the writing."""
    started = time.perf_counter()
    size, files = 0, 0
    for (day,), part in frame.partition_by("_file_day", as_dict=True, maintain_order=True).items():
        path = cfg.out / partition_file(cfg, source, from_day_number(day))
        part = new_column_values.add(part.drop("_file_day"), source, cfg.new_columns)
        size += write_lines(part["json"], path) if source == "events" else write_csv(part, path)
        files += 1
    progress.add(source, frame.height, files, size, seconds + time.perf_counter() - started)


def _write_facts(
    cfg: GeneratorConfig,
    dims: Dimensions,
    rates: exchange_rates.RateTable,
    log: AnomalyLog,
    progress: Progress,
    written: list[str],
) -> dict:
    oplan = orders.plan(cfg, dims)
    eplan = events.plan(cfg, oplan) if cfg.selected("events") else None
    candidates = []
    chunks = _chunks(oplan.days, monthly=not cfg.is_increment)

    def write_events(chunk: range, chunk_orders: pl.DataFrame) -> None:
        assert eplan is not None
        t = time.perf_counter()
        frame = events.generate_chunk(cfg, dims, eplan, oplan.days, chunk, chunk_orders, log)
        _write_daily(cfg, frame, "events", progress, time.perf_counter() - t)

    # A month's events follow from its orders alone: a thread of their own writes them, month after
    # month in order, while the next month's orders are generated.
    events_writer = ThreadPoolExecutor(max_workers=1)
    events_done = []
    try:
        for ci, chunk in enumerate(chunks):
            t = time.perf_counter()
            oc = orders.generate_chunk(cfg, dims, rates, oplan, chunk, log)
            gen_s = time.perf_counter() - t
            if cfg.selected("orders_header"):
                _write_daily(cfg, oc.headers, "orders_header", progress, gen_s)
            if cfg.selected("orders_lines"):
                _write_daily(cfg, oc.lines, "orders_lines", progress, 0.0)
            if cfg.selected("shipments") and oc.shipments.num_rows:
                t = time.perf_counter()
                first_day = oplan.days[chunk.start]
                label = first_day.strftime("%Y-%m") if not cfg.is_increment else first_day.isoformat()
                path = cfg.out / "shipments" / f"part-{cfg.batch_no:05d}-{label}.parquet"
                path.parent.mkdir(parents=True, exist_ok=True)
                shipments = new_column_values.add_to_arrow(oc.shipments, "shipments", cfg.new_columns)
                pq.write_table(shipments, path, compression="zstd")
                progress.add("shipments", oc.shipments.num_rows, 1, path.stat().st_size, time.perf_counter() - t)
            candidates.append(oc.returns)
            if eplan is not None:
                events_done.append(events_writer.submit(write_events, chunk, oc.orders))
            progress.tick("orders", ci + 1, len(chunks))
        for done in events_done:
            done.result()  # an error in the events' thread stops the run here
    finally:
        events_writer.shutdown(cancel_futures=True)  # after an error, the months not yet begun are dropped
    written.extend(s for s in ("orders_header", "orders_lines", "shipments", "events") if cfg.selected(s))
    extra = {}
    if cfg.selected("returns") and not cfg.is_increment:
        t = time.perf_counter()
        history = returns.write(cfg, pl.concat(candidates), cfg.out)
        files = list((cfg.out / "returns").glob("*.parquet"))
        progress.add(
            "returns", history["rows"], len(files), sum(p.stat().st_size for p in files), time.perf_counter() - t
        )
        written.append("returns")
        extra["returns_history"] = history
    return extra
