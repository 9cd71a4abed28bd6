"""The base dataset's window of days.

Plain Python on purpose: the argument parser checks --start-date against it without
loading numpy or polars (generators/cli.py); the generation code builds its days from it.
"""

from datetime import date

# Two full years, so year-over-year measures have data. Fixed so that the same seed
# and arguments give the same bytes on any day.
DEFAULT_START = date(2024, 1, 1)
BASE_DAYS = 731  # 2024-01-01 .. 2025-12-31
# An increment spans at most as many days as the base (longer spans: several increments), and
# ends by LAST_DAY: the calendars, holidays and rates the generator extends are not meant for more.
MAX_INCREMENT_DAYS = BASE_DAYS
LAST_DAY = date(2099, 12, 31)
