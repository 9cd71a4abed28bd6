"""Planning a Bronze run (which raw files are new, changed, failed) and turning raw
files into validated Arrow batches for the resources."""

from __future__ import annotations

import hashlib
import json
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb_extensions
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

import duckdb
from pipelines.bronze import readers
from pipelines.bronze.readers import FileError, RawRows
from pipelines.bronze.settings import (
    ANOMALY_DETAIL_COLUMNS,
    ANOMALY_LOG_FILE,
    ANOMALY_SCHEMA,
    ANOMALY_TABLE,
    PARTITION_MONTH,
    REJECT_SCHEMA,
    SRC_FILENAME,
    SRC_LINE,
    TABLES,
    TableSpec,
)
from pipelines.bronze.validation import RAW_TEXT, Validator, rejects_from_parse

MANIFEST_TABLE = "file_manifest"
REJECTS_TABLE = "rejects"

MANIFEST_SCHEMA = pa.schema(
    [
        pa.field("path", pa.string(), nullable=False),
        pa.field("table_name", pa.string(), nullable=False),
        pa.field("size_bytes", pa.int64()),
        pa.field("mtime_ns", pa.int64()),
        pa.field("sha256", pa.string()),
        pa.field("rows_read", pa.int64(), nullable=False),
        pa.field("rows_loaded", pa.int64(), nullable=False),
        pa.field("rows_rejected", pa.int64(), nullable=False),
        pa.field("status", pa.string(), nullable=False),
        pa.field("reason", pa.string()),
        pa.field("started_at", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("finished_at", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("load_id", pa.string(), nullable=False),
    ]
)


@dataclass
class RawFile:
    table: str
    path: str  # relative to the raw root
    size: int | None
    mtime_ns: int | None
    sha256: str | None = None
    decision: str = "new"  # new | changed | retry


@dataclass
class Plan:
    raw_root: Path
    files: dict[str, list[RawFile]] = field(default_factory=dict)
    conflicts: list[tuple[RawFile, str]] = field(default_factory=list)
    skipped: int = 0
    anomaly_log: RawFile | None = None  # the generator's log, when new or changed

    @property
    def n_files(self) -> int:
        return sum(len(v) for v in self.files.values()) + (1 if self.anomaly_log else 0)


def sha256_of(path: Path) -> str | None:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


def discover(raw_root: Path, tables: list[str]) -> list[RawFile]:
    """Every raw file of the selected tables (returns is handled by Delta version)."""
    found = []
    for name in tables:
        spec = TABLES[name]
        if spec.format == "delta":
            continue
        for pattern in spec.globs:
            for path in sorted(raw_root.glob(pattern)):
                try:
                    st = path.stat()
                    size, mtime = st.st_size, st.st_mtime_ns
                except OSError:
                    size, mtime = None, None  # e.g. a dangling link: recorded as failed
                found.append(RawFile(name, str(path.relative_to(raw_root)), size, mtime))
    return found


def latest_manifest(con: duckdb.DuckDBPyConnection | None, dataset: str) -> dict[str, dict]:
    """The newest manifest row per path (empty before the first run)."""
    if con is None:
        return {}
    exists = con.sql(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
        params=[dataset, MANIFEST_TABLE],
    ).fetchone()[0]
    if not exists:
        return {}
    relation = con.sql(f"""
        SELECT * FROM {dataset}.{MANIFEST_TABLE}
        QUALIFY row_number() OVER (PARTITION BY path ORDER BY finished_at DESC, load_id DESC) = 1
    """)
    names = relation.columns
    return {r[0]: dict(zip(names, r, strict=True)) for r in relation.fetchall()}


def plan_run(raw_root: Path, tables: list[str], seen: dict[str, dict]) -> Plan:
    """Decide per file: skip (same content already settled), load, re-apply, or conflict.

    Policy for a file whose content changed under a path already loaded: tables merged
    by primary key re-apply it (an upsert cannot duplicate); append-only tables record
    a `conflict` and keep the first version, never loading both.
    """
    plan = Plan(raw_root=raw_root)
    for f in discover(raw_root, tables):
        prev = seen.get(f.path)
        if prev is None:
            plan.files.setdefault(f.table, []).append(f)
            continue
        if prev["status"] == "failed":
            f.decision = "retry"
            plan.files.setdefault(f.table, []).append(f)
            continue
        if prev["size_bytes"] == f.size and prev["mtime_ns"] == f.mtime_ns:
            plan.skipped += 1
            continue
        f.sha256 = sha256_of(raw_root / f.path)
        if f.sha256 == prev["sha256"]:
            plan.skipped += 1  # touched, not changed
            continue
        if TABLES[f.table].write_disposition == "merge":
            f.decision = "changed"
            plan.files.setdefault(f.table, []).append(f)
        else:
            plan.conflicts.append(
                (
                    f,
                    "content changed after it was loaded; bronze keeps the first version "
                    "(deliver corrections as a new file)",
                )
            )
    log = raw_root / ANOMALY_LOG_FILE
    if log.is_file():
        st = log.stat()
        prev = seen.get(ANOMALY_LOG_FILE)
        if prev is None or (prev["size_bytes"], prev["mtime_ns"]) != (st.st_size, st.st_mtime_ns):
            f = RawFile(ANOMALY_TABLE, ANOMALY_LOG_FILE, st.st_size, st.st_mtime_ns, sha256_of(log))
            if prev is None or prev["sha256"] != f.sha256:
                plan.anomaly_log = f
    return plan


def anomaly_rows(raw_root: Path) -> pa.Table:
    """One row per injected anomaly of the generator's log."""
    log = json.loads((raw_root / ANOMALY_LOG_FILE).read_text())
    rows = []
    for source, classes in log["sources"].items():
        for name, entry in classes.items():
            identity = [i for i, k in enumerate(entry["key"]) if k not in ANOMALY_DETAIL_COLUMNS]
            for values in entry["rows"]:  # ~100k rows at scale 1.0: small
                rows.append(
                    {
                        "source": source,
                        "anomaly_class": name,
                        "row_key": "|".join(str(values[i]) for i in identity),
                        "key_json": json.dumps(dict(zip(entry["key"], values, strict=True))),
                        "description": entry["description"],
                        SRC_FILENAME: ANOMALY_LOG_FILE,
                    }
                )
    return pa.Table.from_pylist(rows, schema=ANOMALY_SCHEMA)


def partition_month(path: str, key: str) -> str:
    match = re.search(rf"(?:^|/){re.escape(key)}=(\d{{4}}-\d{{2}})", path)
    return match.group(1) if match else "unknown"


@dataclass
class FileOutcome:
    file: RawFile
    started_at: datetime
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    status: str = "loaded"
    reason: str | None = None


@dataclass
class Batch:
    rows: pa.Table
    rejects: pa.Table
    outcomes: list[FileOutcome]


class BatchReader:
    """Reads files of one table into batches of at most `batch_rows` rows and validates them."""

    def __init__(self, raw_root: Path, validator: Validator, extension_dir: Path, batch_rows: int) -> None:
        self.raw_root = raw_root
        self.validator = validator
        self.batch_rows = batch_rows
        self._xlsx_con = None
        self.extension_dir = extension_dir

    def _xlsx(self) -> duckdb.DuckDBPyConnection:
        if self._xlsx_con is None:
            self.extension_dir.mkdir(parents=True, exist_ok=True)
            self._xlsx_con = duckdb.connect(config={"extension_directory": str(self.extension_dir)})
            duckdb_extensions.import_extension("excel", con=self._xlsx_con)
            self._xlsx_con.sql("LOAD excel")
        return self._xlsx_con

    def read(self, spec: TableSpec, f: RawFile) -> RawRows:
        path = self.raw_root / f.path
        if f.size is None:
            raise FileError("unreadable: the path cannot be opened (missing or a broken link)")
        if spec.format == "csv":
            return readers.read_csv(path)
        if spec.format == "jsonl":
            return readers.read_jsonl(path)
        if spec.format == "xlsx":
            return readers.read_xlsx(path, self._xlsx())
        if spec.format == "parquet":
            return readers.read_parquet(path)
        raise ValueError(spec.format)

    def batches(self, spec: TableSpec, files: list[RawFile]) -> Iterator[Batch]:
        pending: list[tuple[FileOutcome, RawRows]] = []
        size = 0
        for f in files:
            outcome = FileOutcome(f, datetime.now(UTC))
            if f.sha256 is None:
                f.sha256 = sha256_of(self.raw_root / f.path)
            try:
                raw = self.read(spec, f)
            except FileError as exc:
                outcome.status, outcome.reason = "failed", str(exc)
                yield Batch(spec.bronze_schema.empty_table(), REJECT_SCHEMA.empty_table(), [outcome])
                continue
            raw = _check_header(spec, f.path, raw)
            pending.append((outcome, raw))
            size += raw.columns.num_rows
            if size >= self.batch_rows:
                yield self._validate(spec, pending)
                pending, size = [], 0
        if pending:
            yield self._validate(spec, pending)

    def _validate(self, spec: TableSpec, pending: list[tuple[FileOutcome, RawRows]]) -> Batch:
        parts, parse_rejects = [], []
        for outcome, raw in pending:
            n = raw.columns.num_rows
            part = raw.columns.select(_text_columns(spec))  # _check_header guarantees these columns
            part = part.append_column(SRC_FILENAME, pa.array([outcome.file.path] * n, pa.string()))
            part = part.append_column(SRC_LINE, raw.line).append_column(RAW_TEXT, raw.raw_text)
            if spec.partition_from_path:
                month = partition_month(outcome.file.path, spec.partition_from_path)
                part = part.append_column(PARTITION_MONTH, pa.array([month] * n, pa.string()))
            parts.append(part)
            if raw.rejects:
                parse_rejects.append(
                    rejects_from_parse(spec, outcome.file.path, raw.rejects, self.validator.ingestion_ts)
                )
            outcome.rows_read = raw.n_records
            if raw.note:
                outcome.reason = raw.note
        loaded, rejects = self.validator.validate(spec, pa.concat_tables(parts))
        rejects = pa.concat_tables([rejects] + parse_rejects)
        per_file_loaded = _count_by_file(loaded[SRC_FILENAME])
        per_file_rejected = _count_by_file(rejects[SRC_FILENAME])
        for outcome, raw in pending:
            outcome.rows_loaded = per_file_loaded.get(outcome.file.path, 0)
            outcome.rows_rejected = per_file_rejected.get(outcome.file.path, 0)
            if raw.note.startswith("header_mismatch"):
                outcome.status = "rejected"
            elif outcome.rows_read == 0:
                outcome.status = "empty"
        return Batch(loaded, rejects, [o for o, _ in pending])

    def close(self) -> None:
        if self._xlsx_con is not None:
            self._xlsx_con.close()


def _text_columns(spec: TableSpec) -> list[str]:
    return ["json"] if spec.format == "jsonl" else spec.contract.names


def _check_header(spec: TableSpec, path: str, raw: RawRows) -> RawRows:
    """A file whose columns differ from the contract: every record is rejected (header_mismatch)."""
    expected = _text_columns(spec)
    found = raw.columns.column_names
    if found == expected or sorted(found) == sorted(expected):
        return raw
    missing = [c for c in expected if c not in found]
    unexpected = [c for c in found if c not in expected]
    detail = f"header_mismatch: missing {missing}, unexpected {unexpected}"
    records = [
        (int(line), "header_mismatch", text)
        for line, text in zip(raw.line.to_pylist(), raw.raw_text.to_pylist(), strict=True)
    ]
    empty = pa.table({c: pa.array([], pa.string()) for c in expected})
    return RawRows(empty, pa.array([], pa.int64()), pa.array([], pa.string()), raw.rejects + records, note=detail)


def _count_by_file(column: pa.ChunkedArray) -> dict[str, int]:
    if len(column) == 0:
        return {}
    counts = pc.value_counts(column)
    return dict(zip(counts.field("values").to_pylist(), counts.field("counts").to_pylist(), strict=True))


def manifest_rows(outcomes: list[FileOutcome], load_id: str) -> pa.Table:
    now = datetime.now(UTC)
    return pa.Table.from_pylist(
        [
            {
                "path": o.file.path,
                "table_name": o.file.table,
                "size_bytes": o.file.size,
                "mtime_ns": o.file.mtime_ns,
                "sha256": o.file.sha256,
                "rows_read": o.rows_read,
                "rows_loaded": o.rows_loaded,
                "rows_rejected": o.rows_rejected,
                "status": o.status,
                "reason": o.reason,
                "started_at": o.started_at,
                "finished_at": now,
                "load_id": load_id,
            }
            for o in outcomes
        ],
        schema=MANIFEST_SCHEMA,
    )


def returns_versions(raw_root: Path) -> int | None:
    """The newest version of the raw returns Delta table (None when there is none)."""
    from deltalake import DeltaTable
    from deltalake.exceptions import TableNotFoundError

    try:
        return DeltaTable(raw_root / "returns").version()
    except (TableNotFoundError, OSError):
        return None


def returns_changeset(raw_root: Path, version: int, validator: Validator) -> tuple[Batch, pa.Table]:
    """What raw returns version `version` changed relative to the version before:
    upserted rows (new or different) and deleted rows (is_deleted = true)."""
    import dataclasses

    from deltalake import DeltaTable

    from pipelines.bronze.settings import RETURNS_DELETED

    spec = TABLES["returns"]
    path = f"returns/_delta_log/{version:020d}.json"
    outcome = FileOutcome(RawFile("returns", path, delta_commit_bytes(raw_root / path), None), datetime.now(UTC))
    current = DeltaTable(raw_root / "returns", version=version).to_pyarrow_table()
    names = current.column_names
    con = validator.con
    con.register("cur", current)
    try:
        if version > 0:
            previous = DeltaTable(raw_root / "returns", version=version - 1).to_pyarrow_table()
            aligned = ", ".join(n if n in previous.column_names else f"NULL AS {n}" for n in names)
            con.register("prev", previous)
            diff = con.sql(f"""
                SELECT *, FALSE AS {RETURNS_DELETED} FROM (SELECT * FROM cur EXCEPT SELECT {aligned} FROM prev)
                UNION ALL
                SELECT {aligned}, TRUE FROM prev WHERE return_id NOT IN (SELECT return_id FROM cur)
                ORDER BY {RETURNS_DELETED}, return_id
            """).arrow()
        else:
            diff = con.sql(f"SELECT *, FALSE AS {RETURNS_DELETED} FROM cur ORDER BY return_id").arrow()
        diff = diff.read_all() if hasattr(diff, "read_all") else diff
    finally:
        con.unregister("cur")
        if version > 0:
            con.unregister("prev")
    text = pa.table({n: diff[n].cast(pa.string()) for n in names})
    n = text.num_rows
    batch = text.append_column(SRC_FILENAME, pa.array([path] * n, pa.string()))
    batch = batch.append_column(SRC_LINE, pa.array(np.arange(1, n + 1), pa.int64()))
    batch = batch.append_column(RAW_TEXT, readers._joined_text(text))
    version_spec = dataclasses.replace(spec, present=tuple(names))
    loaded, rejects = validator.validate(version_spec, batch)
    deleted = diff[RETURNS_DELETED].take(pc.subtract(loaded[SRC_LINE], 1))
    loaded = loaded.add_column(
        len(version_spec.contract), pa.field(RETURNS_DELETED, pa.bool_(), nullable=False), deleted
    )
    outcome.rows_read, outcome.rows_loaded, outcome.rows_rejected = n, loaded.num_rows, rejects.num_rows
    outcome.reason = f"{int(pc.sum(diff[RETURNS_DELETED]).as_py() or 0)} deleted" if n else "no change"
    return Batch(loaded, rejects, [outcome]), current.schema


def delta_commit_bytes(commit: Path) -> int:
    """Bytes of one Delta version: its commit file plus the data files it added."""
    actions = [json.loads(line) for line in commit.read_text().splitlines() if line.strip()]
    return commit.stat().st_size + sum(a["add"].get("size", 0) for a in actions if "add" in a)


def applied_returns_version(seen: dict[str, dict]) -> int:
    """The newest raw returns version already in bronze (-1 before the first), from the manifest."""
    versions = [
        int(m.group(1))
        for path, row in seen.items()
        if row["status"] == "loaded"
        for m in [re.fullmatch(r"returns/_delta_log/(\d+)\.json", path)]
        if m
    ]
    return max(versions, default=-1)


class Progress:
    """Per-table progress on stderr: files, rows, rejects, MB/s (at most every 2 s, and at the end)."""

    def __init__(self, table: str, n_files: int, every_s: float = 2.0) -> None:
        self.table, self.n_files, self.every_s = table, n_files, every_s
        self.files = self.rows = self.rejects = self.bytes = 0
        self.started = self.last = time.perf_counter()

    def update(self, batch: Batch) -> None:
        self.files += len(batch.outcomes)
        self.rows += batch.rows.num_rows
        self.rejects += batch.rejects.num_rows
        self.bytes += sum(o.file.size or 0 for o in batch.outcomes)
        if time.perf_counter() - self.last >= self.every_s:
            self._print()

    def done(self) -> None:
        if self.n_files:
            self._print()

    def _print(self) -> None:
        self.last = time.perf_counter()
        seconds = max(self.last - self.started, 1e-9)
        print(
            f"  {self.table:<15} files {self.files:>6,}/{self.n_files:<6,} rows {self.rows:>12,} "
            f"rejects {self.rejects:>8,} {self.bytes / 1e6 / seconds:>7.1f} MB/s",
            file=sys.stderr,
            flush=True,
        )
