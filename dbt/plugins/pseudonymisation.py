"""dbt-duckdb plugin: hands the pseudonymisation key to every DuckDB connection of the build.

The key (64 hex digits) comes from the profile (`DBT_ENV_SECRET_PSEUDONYM_KEY`, which dbt
scrubs from its logs) and becomes the session variable `pseudonym_key`, which the macro
`pseudonym()` reads. The key never appears in compiled SQL, and dbt's target folder holds
no secret.
"""

from __future__ import annotations

import re
from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin


class Plugin(BasePlugin):
    def initialize(self, plugin_config: dict[str, Any]) -> None:
        self.key = (plugin_config.get("key") or "").strip().lower()
        if self.key and not re.fullmatch(r"[0-9a-f]{64}", self.key):
            raise ValueError("DBT_ENV_SECRET_PSEUDONYM_KEY must be 64 hex digits (32 random bytes)")

    def configure_connection(self, conn) -> None:
        self._set_key(conn)

    def configure_cursor(self, cursor) -> None:
        self._set_key(cursor)

    def _set_key(self, connection) -> None:
        # each DuckDB cursor is a session of its own: the variable is set on every one. A literal,
        # not a query parameter: binding the first parameter makes DuckDB import pandas (about a
        # second of every dbt run); the key is 64 hex digits (checked above), safe in a literal.
        if self.key:
            connection.execute(f"SET VARIABLE pseudonym_key = '{self.key}'")
