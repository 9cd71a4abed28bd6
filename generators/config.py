"""Run configuration and the row targets of SPEC at scale 1.0."""

from __future__ import annotations

import dataclasses
import zlib
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from generators.base_window import BASE_DAYS, DEFAULT_START

GENERATOR_VERSION = "2.0.0"  # 2.0: realistic behaviour (docs/data_realism.md)

# Exchange rates cover three years around the base window.
RATES_START = date(2023, 7, 1)
RATES_END = date(2026, 6, 30)

# Row targets at scale 1.0 (SPEC "The 11 raw sources"); lines, shipments and the
# exchange rates follow from these.
TARGETS = {
    "customers": 80_000,
    "products": 25_000,
    "stores": 5_000,
    "suppliers": 8_000,
    "orders_header": 1_100_000,
    "events": 2_000_000,
    "sensors": 7_500_000,
    "returns": 100_000,
}
# Minimum table sizes so that tiny scales still have every shape (web and pos
# stores, several instrumented stores, every anomaly class).
MINIMUMS = {
    "customers": 50,
    "products": 40,
    "stores": 8,
    "suppliers": 5,
    "orders_header": 200,
    "events": 400,
    "sensors": 2_000,
    "returns": 20,
}
SENSOR_STORES_AT_SCALE_1 = 120  # physical stores with shelf sensors (SPEC: a few hundred at most)

# Ids of an increment batch live in their own range so they never collide with the
# base run (batch 0) or another increment: id = batch_no * ID_SPACE + sequence.
ID_SPACE = 1_000_000_000


@dataclasses.dataclass(frozen=True)
class GeneratorConfig:
    seed: int
    scale: float
    out: Path
    start_date: date | None = None  # set (with days) for an increment batch
    days: int | None = None
    late_days: int | None = None
    only: frozenset[str] = frozenset()
    new_columns: tuple[str, ...] = ()  # schema-evolution drill: TABLE.COLUMN added to this increment's files

    @property
    def is_increment(self) -> bool:
        return self.days is not None

    @property
    def increment_start(self) -> date:
        """The first day of an increment batch."""
        if self.start_date is None:
            raise ValueError("the base run has no start date")
        return self.start_date

    @property
    def batch_no(self) -> int:
        """0 for the base run; days from DEFAULT_START for an increment (file and id namespace)."""
        return (self.increment_start - DEFAULT_START).days if self.is_increment else 0

    @property
    def batch_name(self) -> str:
        return f"increment-{self.increment_start.isoformat()}" if self.is_increment else "base"

    @property
    def id_offset(self) -> int:
        return self.batch_no * ID_SPACE

    def target(self, source: str) -> int:
        return max(MINIMUMS[source], round(TARGETS[source] * self.scale))

    def fact_days(self) -> list[date]:
        """The days of fact data this batch writes, in chronological order."""
        if self.days is None:
            return [DEFAULT_START + timedelta(days=i) for i in range(BASE_DAYS)]
        days = [self.increment_start + timedelta(days=i) for i in range(self.days)]
        if self.late_days:
            days.insert(0, self.increment_start - timedelta(days=self.late_days))
        return days

    def selected(self, source: str) -> bool:
        return not self.only or source in self.only

    def rng(self, *labels: str | int) -> np.random.Generator:
        """An independent random stream per (seed, batch, labels...).

        Streams never depend on what else is generated or in which order, so a
        subset (--only) or a different chunking of other sources gives the same bytes.
        """
        words = [self.seed, self.batch_no] + [
            lab if isinstance(lab, int) else zlib.crc32(lab.encode()) for lab in labels
        ]
        return np.random.default_rng(np.random.SeedSequence(words))

    def dimension_rng(self, *labels: str | int) -> np.random.Generator:
        """Streams for the dimensions: shared by the base run and every increment, so an
        increment rebuilds exactly the base dimensions it references and changes."""
        words = [self.seed] + [zlib.crc32(str(lab).encode()) for lab in labels]
        return np.random.default_rng(np.random.SeedSequence(words))
