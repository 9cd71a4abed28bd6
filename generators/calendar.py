"""The trading calendar: demand per day, country and channel (season, weekday, retail events,
growth, daily noise), the days stores are shut, and the campaign running on each day."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from dateutil.easter import easter  # type: ignore[import-untyped, unused-ignore]  # holidays depends on python-dateutil; untyped, or typed when stubs come in

from generators.base_window import DEFAULT_START
from generators.reference import (
    CAMPAIGN_NAMES,
    COUNTRIES,
    COUNTRY_CODES,
    MONTH_DEMAND,
    POS_WEEKDAY,
    WEB_SHARE,
    WEB_WEEKDAY,
)

WEB, POS = 0, 1  # channel axis of the demand table
DAILY_NOISE_SD = 0.07  # weather, local promotions: day-to-day spread of demand
COUNTRY_NOISE_SD = 0.04


def black_friday(year: int) -> date:
    """The day after the fourth Thursday of November (US Thanksgiving)."""
    first = date(year, 11, 1)
    thanksgiving = first + timedelta(days=(3 - first.weekday()) % 7 + 21)
    return thanksgiving + timedelta(days=1)


def mothers_day(year: int, country: str) -> date:
    """Second Sunday of May; the UK's Mothering Sunday is three weeks before Easter."""
    if country == "GB":
        return easter(year) - timedelta(days=21)
    first = date(year, 5, 1)
    return first + timedelta(days=(6 - first.weekday()) % 7 + 7)


def stores_closed(day: date, country: str) -> bool:
    """Christmas Day everywhere, Good Friday in AU and GB, Thanksgiving in the US."""
    if (day.month, day.day) == (12, 25):
        return True
    if country in ("AU", "GB") and day == easter(day.year) - timedelta(days=2):
        return True
    return country == "US" and day == black_friday(day.year) - timedelta(days=1)


def campaign(day: date, country: str) -> str:
    """The campaign running in a country on a day ('none' outside campaigns)."""
    bf = black_friday(day.year)
    south = COUNTRIES[country]["south"]
    if bf <= day <= bf + timedelta(days=3):  # Black Friday to Cyber Monday
        return "black_friday"
    if day.month == 12 and day.day <= 24:
        return "christmas"
    if day.month == 12 and day.day >= 26:
        return "boxing_day"
    if country == "AU" and day.month == 6:
        return "eofy"
    if (day.month == 1 and 2 <= day.day <= 20) or (day.month == 7 and day.day <= 20):
        return "end_of_season"
    spring = (day.month == 9 and day.day <= 21) if south else ((3, 15) <= (day.month, day.day) <= (4, 5))
    if spring:
        return "spring_sale"
    md = mothers_day(day.year, country)
    if md - timedelta(days=7) <= day < md:
        return "mothers_day"
    return "none"


def _event_lift(day: date, country: str) -> tuple[float, float]:
    """(web, pos) demand multipliers of retail events on a day."""
    bf = black_friday(day.year)
    md = mothers_day(day.year, country)
    if day == bf:
        return 2.6, 2.2
    if bf < day <= bf + timedelta(days=2):
        return 1.4, 1.4
    if day == bf + timedelta(days=3):  # Cyber Monday
        return 2.8, 1.1
    if (day.month, day.day) == (12, 24):
        return 0.9, 1.4
    if (day.month, day.day) == (12, 25):
        return 0.6, 1.0
    if (day.month, day.day) == (12, 26):
        return 1.6, 2.2 if country != "US" else 1.3
    if (day.month, day.day) == (1, 1):
        return 0.8, 0.5
    if country == "AU" and day.month == 6 and day.day >= 20:  # EOFY rush
        return 1.25, 1.2
    if day == md - timedelta(days=1):
        return 1.1, 1.25
    if day == easter(day.year) - timedelta(days=1) and country in ("AU", "GB"):
        return 1.0, 1.3
    return 1.0, 1.0


def _season(day: date) -> float:
    """Monthly demand interpolated between mid-months, with the pre-Christmas build-up."""
    mid = date(day.year, day.month, 15)
    step = 1 if day >= mid else -1
    other_month = (day.month - 1 + step) % 12
    other_year = day.year + (1 if day.month == 12 and step == 1 else -1 if day.month == 1 and step == -1 else 0)
    other = date(other_year, other_month + 1, 15)
    t = abs((day - mid).days) / abs((other - mid).days)
    level = (1 - t) * MONTH_DEMAND[day.month - 1] + t * MONTH_DEMAND[other_month]
    if day.month == 12 and day.day <= 23:
        level *= 1 + 0.45 * (day.day - 1) / 22
    return level


@functools.cache
def _noise(seed: int, year: int) -> np.ndarray:
    """Log-normal day factors of a year: column 0 common, then one per country."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0xCA1E, year]))
    common = rng.normal(0.0, DAILY_NOISE_SD, (366, 1))
    per_country = rng.normal(0.0, COUNTRY_NOISE_SD, (366, len(COUNTRY_CODES)))
    return np.exp(np.hstack([common, per_country]))


@dataclass(frozen=True)
class Calendar:
    """Demand and trading facts for a list of days (in the given order)."""

    days: tuple[date, ...]
    demand: np.ndarray  # (days, countries, channel): relative orders, 0 where stores are shut
    campaign: np.ndarray  # (days, countries): index into CAMPAIGN_NAMES

    @property
    def total(self) -> np.ndarray:
        """Relative orders per day over all countries and channels (customer shares as weights)."""
        shares = np.array([COUNTRIES[c]["share"] for c in COUNTRY_CODES])
        channel = np.array([WEB_SHARE, 1 - WEB_SHARE])
        return np.einsum("dcx,c,x->d", self.demand, shares, channel)


def build(seed: int, days: list[date]) -> Calendar:
    n, k = len(days), len(COUNTRY_CODES)
    demand = np.empty((n, k, 2))
    campaigns = np.empty((n, k), dtype=np.int16)
    for i, day in enumerate(days):
        noise = _noise(seed, day.year)[day.timetuple().tm_yday - 1]
        years = (day - DEFAULT_START).days / 365.25
        season = _season(day)
        for ci, code in enumerate(COUNTRY_CODES):
            level = season * (1 + COUNTRIES[code]["growth"]) ** years * noise[0] * noise[1 + ci]
            web_lift, pos_lift = _event_lift(day, code)
            demand[i, ci, WEB] = level * WEB_WEEKDAY[day.weekday()] * web_lift
            demand[i, ci, POS] = 0.0 if stores_closed(day, code) else level * POS_WEEKDAY[day.weekday()] * pos_lift
            campaigns[i, ci] = CAMPAIGN_NAMES.index(campaign(day, code))
    return Calendar(days=tuple(days), demand=demand, campaign=campaigns)
