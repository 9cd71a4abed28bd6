"""Daily exchange rates to AUD (XLSX): every currency used, every calendar day of three
years; weekends carry Friday's fix, as markets are closed."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import xlsxwriter

from generators.config import RATES_END, RATES_START, GeneratorConfig
from generators.formats import day_number
from generators.reference import CURRENCIES

RATE_SCALE = 10**8  # rate_to_aud is decimal(18, 8)


class RateTable:
    """rate_to_aud per (currency, day) as integers of 1e-8, for vectorised lookups."""

    def __init__(self, cfg: GeneratorConfig) -> None:
        rng = cfg.dimension_rng("exchange_rates")
        self.first_day = day_number(RATES_START)
        n_days = (RATES_END - RATES_START).days + 1
        self.currencies = sorted(CURRENCIES)
        weekday = np.array([(RATES_START + timedelta(days=i)).weekday() for i in range(n_days)])
        trading = weekday < 5
        self.units = np.empty((len(self.currencies), n_days), dtype=np.int64)
        for ci, code in enumerate(self.currencies):
            level, vol = CURRENCIES[code]
            steps = np.where(trading, rng.normal(0.0, vol, n_days), 0.0)  # weekends carry the last fix
            self.units[ci] = np.round(level * np.exp(np.cumsum(steps)) * RATE_SCALE).astype(np.int64)

    @property
    def n_days(self) -> int:
        return self.units.shape[1]

    def covers(self, d: date) -> bool:
        return 0 <= day_number(d) - self.first_day < self.n_days

    def index(self, currency_codes: np.ndarray) -> np.ndarray:
        return np.searchsorted(np.array(self.currencies), currency_codes)

    def to_aud(self, currency_index: np.ndarray, day: np.ndarray) -> np.ndarray:
        """Rate (float) for each (currency, day-number) pair."""
        return self.units[currency_index, day - self.first_day] / RATE_SCALE


def write(rates: RateTable, out: Path) -> tuple[int, int]:
    """Write exchange_rates.xlsx (sheet `rates`: date, currency, rate_to_aud); return (rows, bytes)."""
    path = out / "exchange_rates.xlsx"
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    # A fixed creation time keeps the workbook byte-identical between runs.
    workbook.set_properties({"created": datetime(2024, 1, 1), "title": "Daily exchange rates to AUD"})
    sheet = workbook.add_worksheet("rates")
    date_fmt = workbook.add_format({"num_format": "yyyy-mm-dd"})
    rate_fmt = workbook.add_format({"num_format": "0.00000000"})
    sheet.write_row(0, 0, ["date", "currency", "rate_to_aud"])
    row = 1
    for di in range(rates.n_days):
        day = RATES_START + timedelta(days=di)
        for ci, code in enumerate(rates.currencies):
            sheet.write_datetime(row, 0, datetime(day.year, day.month, day.day), date_fmt)
            sheet.write_string(row, 1, code)
            sheet.write_number(row, 2, rates.units[ci, di] / RATE_SCALE, rate_fmt)
            row += 1
    workbook.close()
    return row - 1, path.stat().st_size
