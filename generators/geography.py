"""Cities as arrays (centres, population, state, time zone), coordinates around a city
centre, local postcodes, distances and delivery zones."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from generators.reference import CITIES, COUNTRIES, COUNTRY_CODES, FULFILMENT_CITIES, ZONE_LIMITS_KM

KM_PER_DEGREE = 111.2
# Letters used in UK inward codes and Canadian postal codes.
UK_LETTERS = np.array(list("ABDEFGHJLNPQRSTUWXYZ"), dtype=object)
CA_LETTERS = np.array(list("ABCEGHJKLMNPRSTVWXYZ"), dtype=object)
TZ_NAMES: tuple[str, ...] = tuple(sorted({tz for c in COUNTRIES.values() for _, tz, _ in c["states"].values()}))


@dataclass(frozen=True)
class Cities:
    name: np.ndarray  # object
    country: np.ndarray  # index into COUNTRY_CODES
    state: np.ndarray  # object
    region: np.ndarray  # object
    tz_index: np.ndarray  # index into TZ_NAMES
    tax_units: np.ndarray  # tax rate of taxable goods in 1/10000
    lat: np.ndarray
    lon: np.ndarray
    population: np.ndarray
    radius_km: np.ndarray
    zone: np.ndarray  # delivery zone of the centre: 0 metro, 1 regional, 2 remote

    def of_country(self, country: int) -> np.ndarray:
        return np.flatnonzero(self.country == country)

    def largest(self, country: int) -> int:
        rows = self.of_country(country)
        return int(rows[np.argmax(self.population[rows])])


@functools.cache
def cities() -> Cities:
    country = np.array([COUNTRY_CODES.index(c[0]) for c in CITIES])
    states = [COUNTRIES[c[0]]["states"][c[1]] for c in CITIES]
    lat = np.array([c[3] for c in CITIES])
    lon = np.array([c[4] for c in CITIES])
    zone = np.zeros(len(CITIES), dtype=np.int8)
    for ci, code in enumerate(COUNTRY_CODES):
        rows = np.flatnonzero(country == ci)
        hubs = np.array(
            [next(i for i, c in enumerate(CITIES) if c[2] == h and c[0] == code) for h in FULFILMENT_CITIES[code]]
        )
        nearest = distance_km(lat[rows, None], lon[rows, None], lat[None, hubs], lon[None, hubs]).min(axis=1)
        zone[rows] = np.searchsorted(np.array(ZONE_LIMITS_KM), nearest)
    return Cities(
        name=np.array([c[2] for c in CITIES], dtype=object),
        country=country,
        state=np.array([c[1] for c in CITIES], dtype=object),
        region=np.array([s[0] for s in states], dtype=object),
        tz_index=np.array([TZ_NAMES.index(s[1]) for s in states]),
        tax_units=np.array([round(s[2] * 10_000) for s in states], dtype=np.int64),
        lat=lat,
        lon=lon,
        population=np.array([c[5] for c in CITIES]),
        radius_km=np.array([c[6] for c in CITIES], dtype=np.float64),
        zone=zone,
    )


def distance_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Equirectangular distance: accurate to a few percent at city scale, and vectorised."""
    dx = (lon1 - lon2) * np.cos(np.radians((lat1 + lat2) / 2)) * KM_PER_DEGREE
    dy = (lat1 - lat2) * KM_PER_DEGREE
    return np.sqrt(dx * dx + dy * dy)


def plane_km(lat: np.ndarray, lon: np.ndarray, lat0: float) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates on a flat plane (km, float32) around latitude lat0: distances between points
    of one city are then a hypot."""
    x = (lon * np.cos(np.radians(lat0)) * KM_PER_DEGREE).astype(np.float32)
    return x, (lat * KM_PER_DEGREE).astype(np.float32)


def around(rng: np.random.Generator, city: np.ndarray, spread: float = 0.4) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates scattered around each row's city centre (normal, sd = spread x radius,
    kept within the radius), rounded to 6 decimals."""
    c = cities()
    radius = c.radius_km[city]
    dx = np.clip(rng.normal(0.0, spread, city.size), -1, 1) * radius
    dy = np.clip(rng.normal(0.0, spread, city.size), -1, 1) * radius
    lat = c.lat[city] + dy / KM_PER_DEGREE
    lon = c.lon[city] + dx / (KM_PER_DEGREE * np.cos(np.radians(c.lat[city])))
    return np.round(lat, 6), np.round(lon, 6)


def city_draw(rng: np.random.Generator, country: np.ndarray, flatten: float = 1.0) -> np.ndarray:
    """A city per row, within the row's country, by population ** flatten."""
    c = cities()
    out = np.empty(country.size, dtype=np.int64)
    for ci in range(len(COUNTRY_CODES)):
        rows = np.flatnonzero(country == ci)
        options = c.of_country(ci)
        weights = c.population[options] ** flatten
        cdf = np.cumsum(weights)
        out[rows] = options[
            np.minimum(np.searchsorted(cdf, rng.random(rows.size) * cdf[-1], side="right"), options.size - 1)
        ]
    return out


def postcodes(rng: np.random.Generator, city: np.ndarray) -> np.ndarray:
    """Postcodes of each row's city: numeric ranges (AU, US), UK outward + inward codes,
    Canadian codes starting with the region's letter."""
    out = np.empty(city.size, dtype=object)
    for k in np.unique(city):
        rows = np.flatnonzero(city == k)
        m = rows.size
        country, rule = CITIES[k][0], CITIES[k][7]
        if rule[0] == "num":
            width = 4 if country == "AU" else 5
            number = rule[1] + rng.integers(0, rule[2], m)
            out[rows] = np.char.zfill(number.astype(str), width).astype(object)
        elif rule[0] == "uk":
            areas = np.array(rule[1], dtype=object)
            outward = areas[rng.integers(0, areas.size, m)] + rng.integers(rule[2], rule[3] + 1, m).astype(str).astype(
                object
            )
            inward = (
                rng.integers(0, 10, m).astype(str).astype(object)
                + UK_LETTERS[rng.integers(0, UK_LETTERS.size, m)]
                + UK_LETTERS[rng.integers(0, UK_LETTERS.size, m)]
            )
            out[rows] = outward + " " + inward
        else:
            digits = rng.integers(0, 10, (3, m)).astype(str).astype(object)
            letters = CA_LETTERS[rng.integers(0, CA_LETTERS.size, (2, m))]
            out[rows] = rule[1] + digits[0] + letters[0] + " " + digits[1] + letters[1] + digits[2]
    return out
