"""Public holidays of the retailer's markets (AU, US, UK) from the maintained `holidays`
library, for every year the calendar covers."""

import holidays
import pyarrow as pa

COUNTRIES = {"AU": "AU", "US": "US", "GB": "UK"}


def model(dbt, session):
    dbt.config(materialized="table")
    first, last = dbt.config.get("first_year", 2023), dbt.config.get("last_year", 2027)
    rows = {"holiday_date": [], "country_code": [], "holiday_name": []}
    for country, code in COUNTRIES.items():
        for day, name in sorted(holidays.country_holidays(code, years=range(first, last + 1)).items()):
            rows["holiday_date"].append(day)
            rows["country_code"].append(country)
            rows["holiday_name"].append(name)
    return pa.table(rows)
