"""sqlfluff's stand-in for dbt's `adapter` (the dbt project is linted as DuckDB SQL, the default
engine): `adapter.dispatch(name)` picks the macro `duckdb__<name>` defined beside `name`."""

from __future__ import annotations

import jinja2


@jinja2.pass_context
def dispatch(context, name: str, macro_namespace: str | None = None):
    return context.resolve(f"duckdb__{name}")


def quote(identifier: str) -> str:
    return f'"{identifier}"'
