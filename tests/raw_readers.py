"""Independent readers of the raw files for tests: they parse the files the way a
consumer would (pyarrow / polars / DuckDB), not through the generator's code."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb_extensions
import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv

import duckdb
import schemas


def read_csv_typed(path: Path, schema: pa.Schema) -> pa.Table:
    """Read a raw CSV with the contract's column types (fails on any value that does not cast)."""
    return pacsv.read_csv(
        path,
        convert_options=pacsv.ConvertOptions(
            column_types=schema,
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
            include_columns=schema.names,
        ),
    )


def read_csv_text(path: Path) -> pl.DataFrame:
    """Every column as text, so anomalous values can be inspected."""
    return pl.read_csv(path, infer_schema=False)


def read_many(root: Path, pattern: str, schema: pa.Schema | None = None) -> pl.DataFrame:
    """All files matching a glob, with `file` (relative path) and `line` (1 = header) columns."""
    frames = []
    for path in sorted(root.glob(pattern)):
        frame = read_csv_text(path) if schema is None else pl.from_arrow(read_csv_typed(path, schema))
        frames.append(
            frame.with_columns(file=pl.lit(str(path.relative_to(root))), line=pl.int_range(2, frame.height + 2))
        )
    return pl.concat(frames, how="vertical")


def read_events(root: Path, pattern: str = "events/*/*.jsonl") -> list[tuple[str, int, str]]:
    """(file, line number, text) of every event line."""
    out = []
    for path in sorted(root.glob(pattern)):
        rel = str(path.relative_to(root))
        for i, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            out.append((rel, i, text))
    return out


def parse_event(text: str) -> dict | None:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return None


def read_xlsx(path: Path, extension_dir: Path) -> pl.DataFrame:
    con = duckdb.connect(config={"extension_directory": str(extension_dir)})
    try:
        duckdb_extensions.import_extension("excel", con=con)
        con.sql("LOAD excel")
        return con.sql(f"SELECT * FROM read_xlsx('{path}')").pl()
    finally:
        con.close()


def load_log(root: Path) -> dict:
    return json.loads((root / "_anomalies.json").read_text())


def logged(root: Path, source: str, name: str) -> set[tuple]:
    return {tuple(r) for r in load_log(root)["sources"][source][name]["rows"]}


SCHEMAS = schemas.RAW_SCHEMAS
