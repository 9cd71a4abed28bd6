"""Public holidays of the retailer's markets (AU, US, GB, CA) from the maintained `holidays`
library: the nationwide calendar, and the calendar of each state a store can be in.

The dbt Python model `public_holidays` (DuckDB) returns this table; the Spark build
(pipelines/spark_build.py) writes the same table to Parquet, because dbt-spark runs Python
models only on Databricks clusters."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import holidays
import pyarrow as pa

FIRST_YEAR = 2023
SCHEMA = pa.schema(
    [
        ("holiday_date", pa.date32()),
        ("country_code", pa.string()),
        ("subdivision", pa.string()),
        ("holiday_name", pa.string()),
    ]
)


def default_last_year() -> int:
    """The calendar reaches today (bronze load dates): by default it runs to next year."""
    return max(2027, date.today().year + 1)


def holiday_calendar(states: Iterable[tuple[str, str]], years: range) -> pa.Table:
    """One row per holiday of each country of `states` ((country_code, state) pairs), with
    subdivision NULL for the nationwide calendar and the state for a state's own calendar
    (the nationwide holidays it observes and its own)."""
    by_country: dict[str, list[str]] = {}
    for country, state in states:
        by_country.setdefault(country, []).append(state)
    rows: dict[str, list] = {name: [] for name in SCHEMA.names}

    def add(calendar: dict, country: str, subdivision: str | None) -> None:
        for day, name in sorted(calendar.items()):
            rows["holiday_date"].append(day)
            rows["country_code"].append(country)
            rows["subdivision"].append(subdivision)
            rows["holiday_name"].append(name)

    for country in sorted(by_country):
        add(holidays.country_holidays(country, years=years), country, None)
        for state in sorted(by_country[country]):
            add(holidays.country_holidays(country, subdiv=state, years=years), country, state)
    return pa.table(rows, schema=SCHEMA)
