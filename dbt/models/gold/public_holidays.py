"""Public holidays of the retailer's markets (AU, US, UK) from the maintained `holidays`
library, for every year the calendar covers."""

from datetime import date

import holidays
import pyarrow as pa

COUNTRIES = {"AU": "AU", "US": "US", "GB": "UK"}


def model(dbt, session):
    dbt.config(materialized="table")
    # the calendar reaches today (bronze load dates), so the default runs to next year
    # (dbt parses config.get arguments as literals, so the computed default is applied here)
    first = dbt.config.get("first_year", 2023)
    last = dbt.config.get("last_year") or max(2027, date.today().year + 1)
    rows = {"holiday_date": [], "country_code": [], "holiday_name": []}
    for country, code in COUNTRIES.items():
        for day, name in sorted(holidays.country_holidays(code, years=range(first, last + 1)).items()):
            rows["holiday_date"].append(day)
            rows["country_code"].append(country)
            rows["holiday_name"].append(name)
    return pa.table(rows)
