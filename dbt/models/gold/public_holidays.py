"""Public holidays of the retailer's markets (AU, US, GB, CA) from the maintained `holidays`
library: the nationwide calendar, and the calendar of each state a store can be in (seed
store_subdivisions), for every year the calendar covers (pipelines/public_holidays.py)."""

from pipelines.public_holidays import FIRST_YEAR, default_last_year, holiday_calendar


def model(dbt, session):
    dbt.config(materialized="table")
    # (dbt parses config.get arguments as literals, so the computed default is applied here)
    first = dbt.config.get("first_year") or FIRST_YEAR
    last = dbt.config.get("last_year") or default_last_year()
    states = dbt.ref("store_subdivisions").project("country_code, state").fetchall()
    return holiday_calendar(states, range(first, last + 1))
