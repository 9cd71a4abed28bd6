"""Raw files of one table turned into validated Arrow batches of bounded size."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

import duckdb_extensions
import pyarrow as pa
import pyarrow.compute as pc

import duckdb
from pipelines.bronze import readers
from pipelines.bronze.manifest import FileOutcome
from pipelines.bronze.planning import RawFile
from pipelines.bronze.readers import FileError, RawRows
from pipelines.bronze.tables import PARTITION_MONTH, RAW_TEXT, REJECT_SCHEMA, SRC_FILENAME, SRC_LINE, TableSpec
from pipelines.bronze.validation import Validator, rejects_from_parse


@dataclass
class Batch:
    rows: pa.Table  # typed bronze rows (TableSpec.bronze_schema)
    rejects: pa.Table  # REJECT_SCHEMA
    outcomes: list[FileOutcome]  # one per file whose records the batch holds


@dataclass(frozen=True)
class ReadSettings:
    """Where the raw files are and how a resource reads them."""

    raw_root: Path
    batch_rows: int
    extension_dir: Path
    ingestion_ts: datetime

    def reader(self) -> BatchReader:
        return BatchReader(self.raw_root, self.batch_rows, self.extension_dir, self.ingestion_ts)


class BatchReader:
    """Reads the files of one table into batches of at most `batch_rows` rows and validates them.

    Owns two in-memory DuckDB connections (validation, and the XLSX reader when needed):
    use it as a context manager.
    """

    def __init__(self, raw_root: Path, batch_rows: int, extension_dir: Path, ingestion_ts: datetime) -> None:
        self.raw_root = raw_root
        self.batch_rows = batch_rows
        self.extension_dir = extension_dir
        self.validator = Validator(ingestion_ts)
        self._xlsx_con: duckdb.DuckDBPyConnection | None = None

    def __enter__(self) -> BatchReader:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self.validator.close()
        if self._xlsx_con is not None:
            self._xlsx_con.close()

    def _xlsx(self) -> duckdb.DuckDBPyConnection:
        if self._xlsx_con is None:
            self.extension_dir.mkdir(parents=True, exist_ok=True)
            self._xlsx_con = duckdb.connect(config={"extension_directory": str(self.extension_dir)})
            duckdb_extensions.import_extension("excel", con=self._xlsx_con)
            self._xlsx_con.sql("LOAD excel")
        return self._xlsx_con

    def read(self, spec: TableSpec, f: RawFile) -> RawRows:
        """One file's records as text; the file's checksum is taken from the same bytes."""
        path = self.raw_root / f.path
        if f.size is None:
            raise FileError("unreadable: the path cannot be opened (missing or a broken link)")
        if spec.format == "xlsx":  # DuckDB's reader opens the workbook itself
            if f.sha256 is None:
                f.sha256 = hashlib.sha256(readers.read_bytes(path)).hexdigest()
            return readers.read_xlsx(path, self._xlsx())
        data = readers.read_bytes(path)
        if f.sha256 is None:
            f.sha256 = hashlib.sha256(data).hexdigest()
        if spec.format == "csv":
            return readers.read_csv(data)
        if spec.format == "jsonl":
            return readers.read_jsonl(data)
        if spec.format == "parquet":
            return readers.read_parquet(data)
        raise ValueError(f"no reader for format {spec.format}")

    def batches(self, spec: TableSpec, files: list[RawFile]) -> Iterator[Batch]:
        """Validated batches of the files, in order. A batch is handed over without a reference
        kept here, and the raw text it came from is dropped first: a resource paused between two
        batches (dlt takes turns between them) holds no batch."""
        pending: list[tuple[FileOutcome, RawRows]] = []
        size = 0
        for f in files:
            outcome = FileOutcome(f, datetime.now(UTC))
            try:
                raw = self.read(spec, f)
            except FileError as exc:
                outcome.status, outcome.reason = "failed", str(exc)
                yield Batch(spec.bronze_schema.empty_table(), REJECT_SCHEMA.empty_table(), [outcome])
                continue
            pending.append((outcome, _check_header(spec, raw)))
            del raw
            size += pending[-1][1].columns.num_rows
            if size >= self.batch_rows:
                ready = [self._validate(spec, pending)]
                pending, size = [], 0
                yield ready.pop()
        if pending:
            ready = [self._validate(spec, pending)]
            pending = []
            yield ready.pop()

    def _validate(self, spec: TableSpec, pending: list[tuple[FileOutcome, RawRows]]) -> Batch:
        parts, parse_rejects = [], []
        for outcome, raw in pending:
            n = raw.columns.num_rows
            # _check_header guarantees the contract's columns; new optional ones follow them
            part = raw.columns.select(_text_columns(spec) + new_columns(spec, raw.columns.column_names))
            part = part.append_column(SRC_FILENAME, pa.repeat(pa.scalar(outcome.file.path, pa.string()), n))
            part = part.append_column(SRC_LINE, raw.line).append_column(RAW_TEXT, raw.raw_text)
            if spec.partition_from_path:
                month = partition_month(outcome.file.path, spec.partition_from_path)
                part = part.append_column(PARTITION_MONTH, pa.repeat(pa.scalar(month, pa.string()), n))
            parts.append(part)
            if raw.rejects:
                parse_rejects.append(
                    rejects_from_parse(spec, outcome.file.path, raw.rejects, self.validator.ingestion_ts)
                )
            outcome.rows_read = raw.n_records
            if raw.note:
                outcome.reason = raw.note
        # files with and without a new column share a batch: the others get it as NULL
        loaded, rejects = self.validator.validate(spec, pa.concat_tables(parts, promote_options="default"))
        rejects = pa.concat_tables([rejects, *parse_rejects])
        per_file_loaded = _count_by_file(loaded[SRC_FILENAME])
        per_file_rejected = _count_by_file(rejects[SRC_FILENAME])
        for outcome, raw in pending:
            outcome.rows_loaded = per_file_loaded.get(outcome.file.path, 0)
            outcome.rows_rejected = per_file_rejected.get(outcome.file.path, 0)
            if raw.note.startswith("header_mismatch"):
                outcome.status = "rejected"
            elif outcome.rows_read == 0:
                outcome.status = "empty"
        _reject_type_changes(spec, pending, rejects)
        return Batch(loaded, rejects, [o for o, _ in pending])


def partition_month(path: str, key: str) -> str:
    """YYYY-MM of the raw path's date partition (`order_dt=2024-03-05/...` -> `2024-03`)."""
    match = re.search(rf"(?:^|/){re.escape(key)}=(\d{{4}}-\d{{2}})", path)
    return match.group(1) if match else "unknown"


def _text_columns(spec: TableSpec) -> list[str]:
    return ["json"] if spec.format == "jsonl" else spec.contract.names


# A column a delivery adds beyond the contract: a plain lower-case name that no bronze column
# (contract, audit, partition) or dlt column (`_dlt_...`) already has.
NEW_COLUMN_NAME = re.compile(r"[a-z][a-z0-9_]{0,62}")


def new_columns(spec: TableSpec, found: list[str]) -> list[str]:
    """The columns of a delivery that its contract does not have (schema evolution), in file order."""
    expected = set(_text_columns(spec))
    return [c for c in found if c not in expected]


def _check_header(spec: TableSpec, raw: RawRows) -> RawRows:
    """A file missing a contract column, or with a column that cannot be added, is rejected whole
    (every record: header_mismatch). New optional columns are accepted: the file is loaded and
    its manifest row names them (`new_columns: ...`); dlt adds them to the bronze table."""
    expected = _text_columns(spec)
    found = raw.columns.column_names
    missing = [c for c in expected if c not in found]
    unexpected = new_columns(spec, found)
    taken = set(spec.bronze_schema.names) | {RAW_TEXT}
    addable = (
        spec.format != "jsonl"  # an event's extra fields stay in its raw line (Silver parses the payload)
        and len(set(found)) == len(found)
        and all(NEW_COLUMN_NAME.fullmatch(c) and c not in taken for c in unexpected)
    )
    if not missing and (not unexpected or addable):
        if unexpected:
            raw.note = f"new_columns: {', '.join(unexpected)}"
        return raw
    detail = f"header_mismatch: missing {missing}, unexpected {unexpected}"
    records = [
        (int(line), "header_mismatch", text)
        for line, text in zip(raw.line.to_pylist(), raw.raw_text.to_pylist(), strict=True)
    ]
    empty = pa.table({c: pa.array([], pa.string()) for c in expected})
    return RawRows(empty, pa.array([], pa.int64()), pa.array([], pa.string()), raw.rejects + records, note=detail)


def _reject_type_changes(spec: TableSpec, pending: list[tuple[FileOutcome, RawRows]], rejects: pa.Table) -> None:
    """A file in which no row casts, every one for the same column, carries a changed type
    (`12.50 AUD` where a decimal was): it is rejected whole, naming the column and its type,
    like a missing column. Its rows are already all in the rejects; nothing of it loaded."""
    for outcome, _ in pending:
        if outcome.status != "loaded" or outcome.rows_loaded or not outcome.rows_rejected:
            continue
        reasons = pc.unique(rejects.filter(pc.equal(rejects[SRC_FILENAME], outcome.file.path))["reason"]).to_pylist()
        if len(reasons) == 1 and reasons[0].startswith("cast_error:"):
            column = reasons[0].split(":", 1)[1]
            outcome.status = "rejected"
            outcome.reason = (
                f"type_mismatch: no value of column {column} casts to {spec.contract.field(column).type} "
                f"({outcome.rows_rejected} rows)"
            )


def _count_by_file(column: pa.ChunkedArray) -> dict[str, int]:
    if len(column) == 0:
        return {}
    counts = pc.value_counts(column)
    return dict(zip(counts.field("values").to_pylist(), counts.field("counts").to_pylist(), strict=True))
