"""Public holidays of the retailer's markets (AU, US, GB, CA) from the maintained `holidays`
library: the nationwide calendar, and the calendar of each state a store can be in (seed
store_subdivisions), for every year the calendar covers."""

from datetime import date

import holidays
import pyarrow as pa


def model(dbt, session):
    dbt.config(materialized="table")
    # the calendar reaches today (bronze load dates), so the default runs to next year
    # (dbt parses config.get arguments as literals, so the computed default is applied here)
    first = dbt.config.get("first_year", 2023)
    last = dbt.config.get("last_year") or max(2027, date.today().year + 1)
    years = range(first, last + 1)
    states: dict[str, list[str]] = {}
    for country, state in dbt.ref("store_subdivisions").project("country_code, state").fetchall():
        states.setdefault(country, []).append(state)
    rows: dict[str, list] = {"holiday_date": [], "country_code": [], "subdivision": [], "holiday_name": []}

    def add(day: date, country: str, subdivision: str | None, name: str) -> None:
        rows["holiday_date"].append(day)
        rows["country_code"].append(country)
        rows["subdivision"].append(subdivision)
        rows["holiday_name"].append(name)

    for country in sorted(states):
        for day, name in sorted(holidays.country_holidays(country, years=years).items()):
            add(day, country, None, name)
        # a state's own calendar: the nationwide holidays it observes and its own
        for state in sorted(states[country]):
            for day, name in sorted(holidays.country_holidays(country, subdiv=state, years=years).items()):
                add(day, country, state, name)
    return pa.table(
        rows,
        schema=pa.schema(
            [
                ("holiday_date", pa.date32()),
                ("country_code", pa.string()),
                ("subdivision", pa.string()),
                ("holiday_name", pa.string()),
            ]
        ),
    )
