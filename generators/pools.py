"""Pools of realistic text drawn once from Mimesis and then sampled with numpy.

Calling Mimesis per row would be a Python loop over millions of rows; a few hundred
distinct values per field and locale, sampled by index, look just as real.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import numpy as np
from mimesis import Address, Finance, Person

from generators.reference import COUNTRIES

POOL_SIZE = 400


@dataclass(frozen=True)
class CountryPools:
    first_names: np.ndarray
    last_names: np.ndarray
    streets: np.ndarray


def _distinct(draw, size: int) -> np.ndarray:
    seen: dict[str, None] = {}
    for _ in range(size * 3):
        seen.setdefault(draw(), None)
        if len(seen) == size:
            break
    return np.array(list(seen), dtype=object)


@functools.cache
def country_pools(country: str, seed: int) -> CountryPools:
    locale = COUNTRIES[country]["locale"]
    person, address = Person(locale, seed=seed), Address(locale, seed=seed)
    # Newlines or commas inside a value would break naive CSV consumers; keep them out.
    clean = lambda s: re.sub(r"[\r\n,]", " ", s).strip()  # noqa: E731
    return CountryPools(
        first_names=_distinct(lambda: clean(person.first_name()), POOL_SIZE),
        last_names=_distinct(lambda: clean(person.last_name()), POOL_SIZE),
        streets=_distinct(lambda: clean(f"{address.street_name()} {address.street_suffix()}"), POOL_SIZE),
    )


@functools.cache
def company_names(seed: int) -> np.ndarray:
    finance = Finance(seed=seed)
    return _distinct(lambda: re.sub(r"[\r\n,]", " ", finance.company()).strip(), 1500)


def search_terms(seed: int) -> np.ndarray:
    """Search queries shoppers type: product nouns with an optional adjective (JSON-safe ASCII)."""
    from generators.reference import CATEGORIES, PRODUCT_ADJECTIVES

    nouns = sorted({n for subs in CATEGORIES.values() for ns in subs.values() for n in ns})
    rng = np.random.default_rng(seed)
    adjectives = np.array(("",) + PRODUCT_ADJECTIVES + ("cheap", "best", "red", "black", "kids"), dtype=object)
    picks = [
        f"{adjectives[rng.integers(adjectives.size)]} {nouns[rng.integers(len(nouns))]}".strip().lower()
        for _ in range(POOL_SIZE)
    ]
    return np.array(sorted(set(picks)), dtype=object)
