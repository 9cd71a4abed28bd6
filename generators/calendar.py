"""Demand shape over time: weekday/weekend, season, holidays and growth."""

from __future__ import annotations

from datetime import date

import numpy as np

from generators.config import DEFAULT_START

WEEKDAY = np.array([0.92, 0.90, 0.94, 1.00, 1.10, 1.28, 1.16])  # Mon..Sun
MONTH = np.array([0.88, 0.86, 0.95, 0.96, 1.00, 1.02, 0.98, 0.97, 0.98, 1.03, 1.22, 1.45])
ANNUAL_GROWTH = 0.08
# Local hours of the day (orders): nothing between 01:00 and 04:00, which keeps every
# local time clear of DST gaps and overlaps in all the zones used.
HOURS = np.array(
    [0.6, 0, 0, 0, 0.2, 0.5, 1.2, 2.2, 3.2, 4.2, 5.0, 5.6, 6.2, 5.8, 5.2, 5.0, 5.0, 5.6, 6.3, 6.6, 5.8, 4.4, 3.0, 1.6]
)


def day_weights(days: list[date]) -> np.ndarray:
    """Relative demand per day (mean 1 over the base window)."""
    out = np.empty(len(days))
    for i, d in enumerate(days):
        w = WEEKDAY[d.weekday()] * MONTH[d.month - 1]
        w *= (1 + ANNUAL_GROWTH) ** ((d - DEFAULT_START).days / 365.25)
        if d.month == 11 and d.weekday() == 4 and 22 <= d.day <= 28:
            w *= 3.0  # Black Friday
        if d.month == 12 and d.day == 25:
            w *= 0.35  # Christmas Day
        if d.month == 12 and d.day == 26:
            w *= 2.2  # Boxing Day sales
        out[i] = w
    return out
