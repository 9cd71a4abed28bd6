"""The DuckDB warehouse: where dlt config puts it, and opening it with a one-line error when it
is not a usable database or another process has it open."""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path
from typing import Any

import dlt

import duckdb
from pipelines.dlt_run_context import configured_path
from pipelines.exit_codes import ExitCode, RunFailed

CREDENTIALS_KEY = "destination.duckdb.credentials"
WAIT_POLL_S = 2.0


def configured_warehouse() -> Path:
    """The warehouse file of `[destination.duckdb] credentials` (`.dlt/secrets.toml`, or the
    environment: DESTINATION__DUCKDB__CREDENTIALS), as dlt's duckdb destination resolves it."""
    value: Any = dlt.secrets.get(CREDENTIALS_KEY)
    if isinstance(value, dict):  # the credentials written as a table: [destination.duckdb.credentials]
        value = value.get("database")
    if not value:
        raise RunFailed(
            ExitCode.USAGE,
            "no warehouse is configured: set [destination.duckdb] credentials in .dlt/secrets.toml "
            "(`make install` creates it from .dlt/example.secrets.toml) or pass --warehouse",
        )
    return configured_path(str(value))


def duckdb_settings() -> dict[str, Any]:
    """DuckDB settings for the warehouse connection (`[destination.duckdb.credentials.global_config]`)."""
    return dict(dlt.config.get(f"{CREDENTIALS_KEY}.global_config") or {})


def open_warehouse(path: Path, read_only: bool = False, wait: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse (created when missing, unless read-only).

    Raises:
        RunFailed(BAD_WAREHOUSE): the file is not a DuckDB database, or cannot be opened.
        RunFailed(BUSY): another process has it open (and `wait` is false).
    """
    if path.is_dir():
        raise RunFailed(ExitCode.BAD_WAREHOUSE, f"the warehouse {path} is a directory, not a DuckDB file")
    if read_only and not path.exists():
        raise RunFailed(ExitCode.BAD_WAREHOUSE, f"the warehouse {path} does not exist")
    path.parent.mkdir(parents=True, exist_ok=True)
    announced = False
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only, config=duckdb_settings())
        except duckdb.Error as exc:
            holder = _lock_holder(str(exc))
            if holder is None:
                raise RunFailed(
                    ExitCode.BAD_WAREHOUSE, f"the warehouse {path} cannot be opened: {first_line(exc)}"
                ) from None
            busy = f"the warehouse {path} is open in another process ({holder})"
            if not wait:
                raise RunFailed(
                    ExitCode.BUSY, f"{busy}; nothing was changed. Close it and run again, or pass --wait"
                ) from None
            if not announced:
                print(f"{busy}; waiting for it to close", file=sys.stderr, flush=True)
                announced = True
            time.sleep(WAIT_POLL_S)


def check_warehouse(path: Path, wait: bool = False) -> None:
    """Fail with one line unless `path` is a DuckDB database no other process has open."""
    open_warehouse(path, read_only=True, wait=wait).close()


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> Any:
    """The single value a query returns (None when it returns no row)."""
    row = con.execute(sql, params or []).fetchone()
    return None if row is None else row[0]


def has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    # No query parameters: binding the first one makes DuckDB import pandas (over a second,
    # most of a bronze run that finds nothing new).
    tables = con.execute("SELECT table_schema, table_name FROM information_schema.tables").fetchall()
    return (schema, table) in tables


def first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _lock_holder(message: str) -> str | None:
    """'PID 1234, /usr/bin/python' from DuckDB's lock conflict message, None for any other error."""
    if "Could not set lock" not in message and "Conflicting lock" not in message:
        return None
    match = re.search(r"Conflicting lock is held in (.+?) \(PID (\d+)\)", message)
    return f"PID {match.group(2)}, {match.group(1)}" if match else "another process"
