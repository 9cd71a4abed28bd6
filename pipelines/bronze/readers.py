"""Readers of the raw formats. Each turns one raw file into text columns aligned with
their physical line and raw text, plus the records that could not even be split into
fields (bad encoding, wrong column count), which become rejects.

Typing happens later, in one vectorised pass (validation.py), whatever the format.
"""

from __future__ import annotations

import csv
import io
import threading
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

import duckdb

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


def read_bytes(path: Path) -> bytes:
    """The whole file (readers parse these bytes; the manifest's checksum is taken from them)."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise FileError(f"unreadable: {exc.strerror or exc}") from None


@dataclass
class Lines:
    """The non-empty physical lines of a file, split without a Python loop per line."""

    text: pa.Array  # string
    number: np.ndarray  # 1-based physical line numbers
    rejects: list[tuple[int, str, str]]  # lines that are not valid UTF-8
    data: bytes  # the file without BOM, CR before LF normalised away
    ends: np.ndarray  # byte offset of each kept line's end in `data`
    clean: bool  # every line decoded: `data` can be handed to a parser as it is


def split_lines(data: bytes) -> Lines:
    if data.startswith(BOM):
        data = data[len(BOM) :]
    if b"\r\n" in data:
        data = data.replace(b"\r\n", b"\n")
    raw = np.frombuffer(data, dtype=np.uint8)
    ends = np.flatnonzero(raw == 10)
    if not data.endswith(b"\n"):
        ends = np.append(ends, len(data))
    starts = np.r_[0, ends[:-1] + 1] if ends.size else np.empty(0, np.int64)
    keep = ends > starts  # an empty line is not a record
    lengths = ends[keep] - starts[keep]
    # 32-bit offsets (a raw file is far below 2 GB): the lines become a string array without a copy.
    offsets = np.r_[0, np.cumsum(lengths)].astype(np.int32)
    body = raw[raw != 10].tobytes()  # dropping every LF leaves exactly the kept lines, back to back
    binary = pa.Array.from_buffers(
        pa.binary(), int(keep.sum()), [None, pa.py_buffer(offsets.tobytes()), pa.py_buffer(body)]
    )
    numbers = np.flatnonzero(keep) + 1
    try:
        return Lines(binary.cast(pa.string()), numbers, [], data, ends[keep], True)  # the cast checks UTF-8
    except pa.ArrowInvalid:
        pass
    good, good_numbers, rejects = [], [], []
    for line, number in zip(binary.to_pylist(), numbers.tolist(), strict=True):  # hostile files only
        try:
            good.append(line.decode("utf-8"))
            good_numbers.append(number)
        except UnicodeDecodeError:
            rejects.append((number, "bad_encoding", line.decode("utf-8", "backslashreplace")))
    return Lines(pa.array(good, pa.string()), np.array(good_numbers, dtype=np.int64), rejects, data, ends[keep], False)


def read_csv(data: bytes) -> RawRows:
    lines = split_lines(data)
    if len(lines.text) == 0:
        raise FileError("the header line is not valid UTF-8" if lines.rejects else "empty file: no header")
    if lines.rejects and lines.rejects[0][0] < lines.number[0]:
        raise FileError("the header line is not valid UTF-8")
    header = next(csv.reader([lines.text[0].as_py()]))
    body, body_numbers = lines.text.slice(1), lines.number[1:]
    rejects = list(lines.rejects)
    if len(body) == 0:
        empty = pa.table({name: pa.array([], pa.string()) for name in header})
        return RawRows(empty, pa.array([], pa.int64()), pa.array([], pa.string()), rejects, note="no data rows")
    # The parser gets the bytes after the header (or, when lines were dropped for their
    # encoding, the good lines joined again).
    payload = lines.data[int(lines.ends[0]) + 1 :] if lines.clean else "\n".join(body.to_pylist()).encode("utf-8")
    invalid: list[str] = []

    def on_invalid(row) -> str:
        invalid.append(row.text)
        return "skip"

    try:
        table = pacsv.read_csv(
            io.BytesIO(payload),
            read_options=pacsv.ReadOptions(column_names=header, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(invalid_row_handler=on_invalid, newlines_in_values=False),
            # Only an empty field is null: text such as "N/A" or "null" is kept and judged by validation.
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in header},
                null_values=[""],
                strings_can_be_null=True,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, ValueError) as exc:
        raise FileError(f"not parseable as CSV: {str(exc).splitlines()[0]}") from None
    keep = np.ones(len(body), dtype=bool)
    if invalid:  # map the skipped rows back to their lines (rare: a pass over the lines is fine)
        pending: dict[str, int] = {}
        for text in invalid:
            pending[text] = pending.get(text, 0) + 1
        for i, line in enumerate(body.to_pylist()):
            if pending.get(line):
                pending[line] -= 1
                keep[i] = False
                rejects.append((int(body_numbers[i]), "column_count", line))
    raw = body if keep.all() else body.filter(pa.array(keep))
    if len(raw) != table.num_rows:
        raise FileError("records span several lines (newlines inside quoted values); not supported")
    return RawRows(table, pa.array(body_numbers[keep]), raw, rejects)


def read_jsonl(data: bytes) -> RawRows:
    lines = split_lines(data)
    return RawRows(
        pa.table({"json": lines.text}),
        pa.array(lines.number, pa.int64()),
        lines.text,
        lines.rejects,
        note="" if len(lines.text) or lines.rejects else "no data rows",
    )


def read_xlsx(path: Path, con: duckdb.DuckDBPyConnection, sheet: str = "rates") -> RawRows:
    """Cells as text; Excel serial dates become ISO dates and numbers keep 8 decimals."""
    if not path.exists():
        raise FileError("unreadable: No such file or directory")
    _check_workbook(path)
    # DuckDB's reader can spin on a damaged workbook: a timer interrupts the query.
    timer = threading.Timer(XLSX_TIMEOUT_S, con.interrupt)
    timer.start()
    try:
        table = con.sql(
            f"SELECT * FROM read_xlsx(?, sheet = '{sheet}', all_varchar = true)", params=[str(path)]
        ).arrow()
        if hasattr(table, "read_all"):
            table = table.read_all()
    except duckdb.Error as exc:
        raise FileError(f"unreadable XLSX: {str(exc).splitlines()[0]}") from None
    finally:
        timer.cancel()
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
    raw = joined_text(table)
    return RawRows(table, pa.array(np.arange(2, n + 2, dtype=np.int64)), raw, note="" if n else "no data rows")


XLSX_TIMEOUT_S = 60.0
WORKBOOK_PARTS = ("[Content_Types].xml", "xl/workbook.xml")


def _check_workbook(path: Path) -> None:
    """An XLSX is a zip with known parts: check that before any reader touches it."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            damaged = archive.testzip()
    except (zipfile.BadZipFile, OSError) as exc:
        raise FileError(f"unreadable XLSX: not a valid workbook ({exc})") from None
    if damaged is not None:
        raise FileError(f"unreadable XLSX: damaged part {damaged}")
    missing = [p for p in WORKBOOK_PARTS if p not in names]
    if missing:
        raise FileError(f"unreadable XLSX: missing {', '.join(missing)}")


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


def joined_text(table: pa.Table) -> pa.Array:
    """A row's values joined with commas: the raw text of sources that have no text lines."""
    if table.num_columns == 0:
        return pa.array([], pa.string())
    parts = [pc.fill_null(table[c].cast(pa.string()), "") for c in table.column_names]
    return pc.binary_join_element_wise(*parts, ",")


def read_parquet(data: bytes) -> RawRows:
    try:
        table = pq.read_table(pa.BufferReader(data))
    except (OSError, pa.ArrowException) as exc:
        raise FileError(f"unreadable Parquet: {str(exc).splitlines()[0]}") from None
    # Text keeps the value exactly (timestamps with zone keep their Z; naive ones have none,
    # and validation rejects them for lacking a time zone).
    columns = {name: _as_text(table[name]) for name in table.column_names}
    text = pa.table(columns)
    n = text.num_rows
    return RawRows(
        text, pa.array(np.arange(1, n + 1, dtype=np.int64)), joined_text(text), note="" if n else "no data rows"
    )


def _as_text(column: pa.ChunkedArray) -> pa.ChunkedArray:
    if pa.types.is_timestamp(column.type) and column.type.tz in ("UTC", "+00:00"):
        # Arrow formats a zoned timestamp through the zone database, value by value; a UTC one
        # is the naive text plus the Z that cast would print (11x faster, the same text).
        naive = column.cast(pa.timestamp(column.type.unit)).cast(pa.string())
        return pc.binary_join_element_wise(naive, pa.scalar("Z"), "")
    return column.cast(pa.string())
