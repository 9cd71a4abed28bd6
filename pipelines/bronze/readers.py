"""Readers of the raw formats. Each turns one raw file into text columns aligned with
their physical line and raw text, plus the records that could not even be split into
fields (bad encoding, wrong column count), which become rejects.

Typing happens later, in one vectorised pass (validation.py), whatever the format.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

BOM = b"\xef\xbb\xbf"


class FileError(Exception):
    """The whole file cannot be read; the message is the reason recorded in the manifest."""


@dataclass
class RawRows:
    """One file's records as text: `columns` (named as in the file) aligned with `line`
    and `raw_text`; `rejects` holds (line, reason, raw_text) of records that failed to parse."""

    columns: pa.Table
    line: pa.Array
    raw_text: pa.Array
    rejects: list[tuple[int, str, str]] = field(default_factory=list)
    note: str = ""

    @property
    def n_records(self) -> int:
        return self.columns.num_rows + len(self.rejects)


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise FileError(f"unreadable: {exc.strerror or exc}") from None


def _split_lines(data: bytes) -> tuple[list[bytes], list[int]]:
    """Non-empty physical lines (CR/LF stripped) and their 1-based line numbers."""
    if data.startswith(BOM):
        data = data[len(BOM):]
    lines, numbers = [], []
    for i, line in enumerate(data.split(b"\n"), start=1):
        line = line.rstrip(b"\r")
        if line.strip():
            lines.append(line)
            numbers.append(i)
    return lines, numbers


def _decode(lines: list[bytes], numbers: list[int]) -> tuple[list[str], list[int], list[tuple[int, str, str]]]:
    """Strict UTF-8; lines that do not decode become `bad_encoding` rejects."""
    blob = b"\n".join(lines)
    try:
        return blob.decode("utf-8").split("\n"), numbers, []
    except UnicodeDecodeError:
        pass
    good, good_numbers, rejects = [], [], []
    for line, number in zip(lines, numbers):
        try:
            good.append(line.decode("utf-8"))
            good_numbers.append(number)
        except UnicodeDecodeError:
            rejects.append((number, "bad_encoding", line.decode("utf-8", "backslashreplace")))
    return good, good_numbers, rejects


def read_csv(path: Path) -> RawRows:
    data = _read_bytes(path)
    lines, numbers = _split_lines(data)
    if not lines:
        raise FileError("empty file: no header")
    text, numbers, rejects = _decode(lines, numbers)
    if numbers and numbers[0] != 1 or not text:
        raise FileError("the header line is not valid UTF-8")
    header = next(csv.reader([text[0]]))
    body, body_numbers = text[1:], np.array(numbers[1:], dtype=np.int64)
    if not body:
        empty = pa.table({name: pa.array([], pa.string()) for name in header})
        return RawRows(empty, pa.array([], pa.int64()), pa.array([], pa.string()), rejects, note="no data rows")

    invalid: list[str] = []

    def on_invalid(row) -> str:
        invalid.append(row.text)
        return "skip"

    try:
        table = pacsv.read_csv(
            io.BytesIO("\n".join(body).encode("utf-8")),
            read_options=pacsv.ReadOptions(column_names=header, use_threads=False),
            parse_options=pacsv.ParseOptions(invalid_row_handler=on_invalid, newlines_in_values=False),
            convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in header},
                                                 strings_can_be_null=True, quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, ValueError) as exc:
        raise FileError(f"not parseable as CSV: {exc}") from None
    keep = np.ones(len(body), dtype=bool)
    if invalid:  # map rejected rows back to their lines (rare: a per-row pass is fine)
        pending = {}
        for t in invalid:
            pending[t] = pending.get(t, 0) + 1
        for i, line in enumerate(body):
            if pending.get(line):
                pending[line] -= 1
                keep[i] = False
                rejects.append((int(body_numbers[i]), "column_count", line))
    raw = pa.array(np.array(body, dtype=object)[keep], pa.string())
    if len(raw) != table.num_rows:
        raise FileError("records span several lines (newlines inside quoted values); not supported")
    return RawRows(table, pa.array(body_numbers[keep]), raw, rejects)


def read_jsonl(path: Path) -> RawRows:
    lines, numbers = _split_lines(_read_bytes(path))
    text, numbers, rejects = _decode(lines, numbers)
    raw = pa.array(text, pa.string())
    return RawRows(pa.table({"json": raw}), pa.array(numbers, pa.int64()), raw, rejects,
                   note="" if text or rejects else "no data rows")


def read_xlsx(path: Path, con: duckdb.DuckDBPyConnection, sheet: str = "rates") -> RawRows:
    """Cells as text; Excel serial dates become ISO dates and numbers keep 8 decimals."""
    if not path.exists():
        raise FileError("unreadable: No such file or directory")
    try:
        table = con.sql(f"SELECT * FROM read_xlsx(?, sheet = '{sheet}', all_varchar = true)",
                        params=[str(path)]).arrow()
    except duckdb.Error as exc:
        raise FileError(f"unreadable XLSX: {str(exc).splitlines()[0]}") from None
    if hasattr(table, "read_all"):
        table = table.read_all()
    columns = {}
    for name in table.column_names:
        values = table[name]
        if name == "date":
            columns[name] = _excel_dates(values)
        elif name == "rate_to_aud":
            columns[name] = _fixed_decimals(values, 8)
        else:
            columns[name] = values
    table = pa.table(columns)
    n = table.num_rows
    raw = _joined_text(table)
    return RawRows(table, pa.array(np.arange(2, n + 2, dtype=np.int64)), raw,
                   note="" if n else "no data rows")


def _excel_dates(values: pa.ChunkedArray) -> pa.Array:
    out = []
    for v in values.to_pylist():  # a few thousand cells
        if v is not None and v.replace(".0", "").isdigit():
            out.append(str(np.datetime64("1899-12-30") + np.timedelta64(int(float(v)), "D")))
        else:
            out.append(v)
    return pa.array(out, pa.string())


def _fixed_decimals(values: pa.ChunkedArray, scale: int) -> pa.Array:
    out = []
    for v in values.to_pylist():
        try:
            out.append(f"{float(v):.{scale}f}" if v is not None else None)
        except ValueError:
            out.append(v)  # not a number: validation rejects it with its text
    return pa.array(out, pa.string())


def _joined_text(table: pa.Table) -> pa.Array:
    """A row's values joined with commas: the raw text of sources that have no text lines."""
    if table.num_columns == 0:
        return pa.array([], pa.string())
    parts = [pc.fill_null(table[c].cast(pa.string()), "") for c in table.column_names]
    return pc.binary_join_element_wise(*parts, ",")


def read_parquet(path: Path) -> RawRows:
    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException) as exc:
        raise FileError(f"unreadable Parquet: {str(exc).splitlines()[0]}") from None
    columns = {}
    for name in table.column_names:
        column = table[name]
        # Text keeps the value exactly (timestamps with zone keep their Z; naive ones have
        # none, and validation rejects them for lacking a time zone).
        columns[name] = column.cast(pa.string())
    text = pa.table(columns)
    n = text.num_rows
    return RawRows(text, pa.array(np.arange(1, n + 1, dtype=np.int64)), _joined_text(text),
                   note="" if n else "no data rows")
