"""Daily exchange rates to AUD (XLSX): every currency used, every calendar day; weekends
carry Friday's fix, as markets are closed.

Rates move together: a common AUD factor (when the Australian dollar weakens, every rate
to AUD rises) plus a small mean-reverting part per currency, so cross rates stay near
their levels. The series is built year by year from streams keyed by (seed, year): it
extends itself to any later day while earlier days keep their values, so the base file is
the same whatever increments follow, and an increment beyond the base calendar gets the
rates of its days."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import xlsxwriter

from generators.config import RATES_END, RATES_START, GeneratorConfig
from generators.formats import day_number
from generators.reference import CURRENCIES, RATE_FACTOR_VOL, RATE_OWN_REVERSION, RATE_OWN_VOL

RATE_SCALE = 10**8  # rate_to_aud is decimal(18, 8)


class RateTable:
    """rate_to_aud per (currency, day) as integers of 1e-8, for vectorised lookups, from
    RATES_START through `until` (at least RATES_END)."""

    def __init__(self, cfg: GeneratorConfig, until: date = RATES_END) -> None:
        self.first_day = day_number(RATES_START)
        self.currencies = sorted(CURRENCIES)
        last = max(until, RATES_END)
        n_days = (last - RATES_START).days + 1
        levels = np.log([CURRENCIES[c][0] for c in self.currencies])
        betas = np.array([CURRENCIES[c][1] for c in self.currencies])
        moving = betas > 0  # AUD itself stays 1
        log_rates = np.empty((len(self.currencies), n_days))
        factor, own = 0.0, np.zeros(len(self.currencies))
        position = 0
        for year in range(RATES_START.year, last.year + 1):
            first = max(RATES_START, date(year, 1, 1))
            days = (min(last, date(year, 12, 31)) - first).days + 1
            # One stream per year, always drawn for the whole year, so a longer series
            # never changes the draws of its earlier days.
            rng = cfg.dimension_rng("exchange_rates", year)
            shocks = rng.normal(0.0, 1.0, (366, 1 + len(self.currencies)))
            start = (first - date(year, 1, 1)).days
            for i in range(days):  # a recursion over ~365 days a year, 5 currencies at a time
                if (first + timedelta(days=i)).weekday() < 5:  # weekends carry the last fix
                    factor += RATE_FACTOR_VOL * shocks[start + i, 0]
                    own = (1 - RATE_OWN_REVERSION) * own + RATE_OWN_VOL * shocks[start + i, 1:]
                log_rates[:, position] = levels + np.where(moving, betas * factor + own, 0.0)
                position += 1
        self.units = np.round(np.exp(log_rates) * RATE_SCALE).astype(np.int64)

    @property
    def n_days(self) -> int:
        return self.units.shape[1]

    @property
    def last_day(self) -> date:
        return RATES_START + timedelta(days=self.n_days - 1)

    def index(self, currency_codes: np.ndarray) -> np.ndarray:
        return np.searchsorted(np.array(self.currencies), currency_codes)

    def to_aud(self, currency_index: np.ndarray, day: np.ndarray) -> np.ndarray:
        """Rate (float) for each (currency, day-number) pair."""
        return self.units[currency_index, day - self.first_day] / RATE_SCALE


def write(rates: RateTable, path: Path, first: date = RATES_START, last: date = RATES_END) -> tuple[int, int]:
    """Write the days first..last as an XLSX (sheet `rates`: date, currency, rate_to_aud);
    return (rows, bytes)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    # A fixed creation time keeps the workbook byte-identical between runs.
    workbook.set_properties({"created": datetime(2024, 1, 1), "title": "Daily exchange rates to AUD"})
    sheet = workbook.add_worksheet("rates")
    date_fmt = workbook.add_format({"num_format": "yyyy-mm-dd"})
    rate_fmt = workbook.add_format({"num_format": "0.00000000"})
    sheet.write_row(0, 0, ["date", "currency", "rate_to_aud"])
    row = 1
    for di in range((first - RATES_START).days, (last - RATES_START).days + 1):
        day = RATES_START + timedelta(days=di)
        for ci, code in enumerate(rates.currencies):
            sheet.write_datetime(row, 0, datetime(day.year, day.month, day.day), date_fmt)
            sheet.write_string(row, 1, code)
            sheet.write_number(row, 2, rates.units[ci, di] / RATE_SCALE, rate_fmt)
            row += 1
    workbook.close()
    return row - 1, path.stat().st_size
