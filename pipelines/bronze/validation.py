"""Vectorised contract enforcement: every row either casts exactly to its `schemas/`
contract or becomes a reject with a reason code. One DuckDB query per batch; no
Python per row (strict-JSON re-checks touch only the few lines DuckDB's lenient parser
lets through)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

import duckdb
import schemas
from pipelines.bronze.tables import (
    INGESTION_TS,
    RAW_TEXT,
    REJECT_SCHEMA,
    SRC_FILENAME,
    SRC_LINE,
    SRC_ROW_HASH,
    TableSpec,
)

REASON = "__reject_reason"  # internal: never clashes with a contract column (returns has `reason`)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def typed_sql(text: str, type_: pa.DataType) -> str:
    """SQL that casts the text expression exactly to the Arrow type, or yields NULL."""
    if pa.types.is_integer(type_):
        sql_type = "INTEGER" if type_.bit_width == 32 else "BIGINT"
        return f"CASE WHEN regexp_full_match({text}, '[+-]?[0-9]+') THEN TRY_CAST({text} AS {sql_type}) END"
    if pa.types.is_floating(type_):
        return f"TRY_CAST({text} AS DOUBLE)"
    if pa.types.is_decimal(type_):
        p, s = type_.precision, type_.scale
        return (
            f"CASE WHEN regexp_full_match({text}, '[+-]?[0-9]+(\\.[0-9]{{0,{s}}})?') "
            f"THEN TRY_CAST({text} AS DECIMAL({p},{s})) END"
        )
    if pa.types.is_boolean(type_):
        return f"CASE lower({text}) WHEN 'true' THEN TRUE WHEN 'false' THEN FALSE END"
    if pa.types.is_date(type_):
        return (
            f"CASE WHEN regexp_full_match({text}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}') THEN TRY_CAST({text} AS DATE) END"
        )
    if pa.types.is_timestamp(type_):
        # The contract wants an instant: text without a zone (Z or an offset) is rejected.
        return (
            f"CASE WHEN regexp_matches({text}, '(Z|[+-][0-9]{{2}}(:?[0-9]{{2}})?)$') "
            f"THEN TRY_CAST({text} AS TIMESTAMPTZ) END"
        )
    return text


class Validator:
    """Holds one in-memory DuckDB connection (UTC) for all batches of a run."""

    def __init__(self, ingestion_ts: datetime) -> None:
        # Two of these run at once (one per extract worker) beside the warehouse's: each batch
        # needs a few hundred MB at most.
        self.con = duckdb.connect(config={"memory_limit": "512MB"})
        self.con.sql("SET TimeZone = 'UTC'")
        self.ingestion_ts = ingestion_ts

    def close(self) -> None:
        self.con.close()

    def validate(self, spec: TableSpec, batch: pa.Table) -> tuple[pa.Table, pa.Table]:
        """Split a text batch (contract columns + src_filename, src_line, raw_text
        [+ partition month]) into typed bronze rows and rejects.

        Only what needs checking goes through DuckDB: the columns cast to another type or
        that must not be null, and the raw text (hashed). The text columns that stay text, the
        events' line, the audit and partition columns and a delivery's new columns are the
        batch's own arrays, taken as they are (DuckDB returns rows in scan order)."""
        events = spec.format == "jsonl"
        fields = list(schemas.EVENT_ENVELOPE) if events else list(spec.contract)
        checked = fields if events else [f for f in fields if _needs_check(f)]
        texts, typed, checks = [], [], []
        for f in checked:
            text = _q(f.name + "__text")
            texts.append(f"{f'vals.{_q(f.name)}' if events else _q(f.name)} AS {text}")
            typed.append(f"{typed_sql(text, f.type)} AS {_q(f.name)}")
            if events:
                # A missing key is also a NULL value: its keys are listed only for those rows.
                checks.append(
                    f"WHEN vals.{_q(f.name)} IS NULL AND NOT list_contains(json_keys(doc), '{f.name}') "
                    f"THEN 'missing_field:{f.name}'"
                )
            if not f.nullable:
                checks.append(f"WHEN {text} IS NULL THEN 'null_key:{f.name}'")
            checks.append(f"WHEN {text} IS NOT NULL AND {_q(f.name)} IS NULL THEN 'cast_error:{f.name}'")
        if events:
            # Every envelope value as text (as json_extract_string gives it) from one parse of the
            # document. JSON functions raise on malformed text: they only ever see valid documents.
            structure = json.dumps({f.name: "VARCHAR" for f in fields})
            source = f"""(SELECT *, json_transform(doc, '{structure}') AS vals
                         FROM (SELECT json, {RAW_TEXT}, CASE WHEN json_valid(json) THEN json END AS doc FROM batch))"""
            # Not an object: no key is found, so its type is asked only when the first one is missing.
            first = f"vals.{_q(fields[0].name)}"
            checks.insert(0, f"WHEN doc IS NULL OR ({first} IS NULL AND json_type(doc) <> 'OBJECT') THEN 'bad_json'")
            extra_text = ["json", "doc", "vals"]
            lenient = r"regexp_matches(json, ',\s*[}\]]|[:,\[]\s*-?(NaN|Infinity)')"
        else:
            source, extra_text, lenient = "batch", [], "FALSE"
        reason = f"CASE {' '.join(checks)} END" if checks else "NULL::VARCHAR"
        sql = f"""
            WITH text AS (
                SELECT {", ".join(texts + extra_text + [RAW_TEXT])} FROM {source}
            ), typed AS (
                SELECT *{"".join(", " + t for t in typed)} FROM text
            ), checked AS (
                SELECT *, {reason} AS {REASON}, {lenient} AS lenient FROM typed
            )
            SELECT {", ".join([REASON, "lenient"] + [_q(f.name) for f in checked])},
                   md5({RAW_TEXT}) AS {SRC_ROW_HASH},
                   CASE WHEN {REASON} IS NOT NULL OR lenient THEN {RAW_TEXT} END AS {RAW_TEXT}
            FROM checked
        """
        self.con.register("batch", batch)
        try:
            result = self.con.sql(sql).arrow()
            if hasattr(result, "read_all"):  # a lazy reader: drain it while the batch is registered
                result = result.read_all()
        finally:
            self.con.unregister("batch")
        reasons = result[REASON]
        if events:
            reasons = _strict_json(reasons, result["lenient"], result[RAW_TEXT])
        if reasons.null_count == len(reasons):  # most batches: nothing rejected, nothing to split (a copy saved)
            return self._loaded(spec, batch, result), self._rejects(
                spec, batch.slice(0, 0), result.slice(0, 0), reasons.slice(0, 0)
            )
        bad = pc.is_valid(reasons)
        good = pc.invert(bad)
        return self._loaded(spec, batch.filter(good), result.filter(good)), self._rejects(
            spec, batch.filter(bad), result.filter(bad), reasons.filter(bad)
        )

    def _loaded(self, spec: TableSpec, batch: pa.Table, result: pa.Table) -> pa.Table:
        """The bronze rows: checked columns from the validation's result, the others from the batch."""
        n = result.num_rows
        columns = {}
        for f in spec.bronze_schema:
            if f.name == INGESTION_TS:
                columns[f.name] = _constant_ts(self.ingestion_ts, n)
            elif f.name in result.column_names:
                columns[f.name] = result[f.name].cast(f.type)
            else:
                columns[f.name] = batch[f.name].cast(f.type)
        added = [pa.field(c, pa.string()) for c in _added_columns(spec, batch.column_names)]
        for f in added:
            columns[f.name] = batch[f.name].cast(pa.string())
        return pa.table(columns, schema=pa.schema(list(spec.bronze_schema) + added))

    def _rejects(self, spec: TableSpec, batch: pa.Table, result: pa.Table, reasons: pa.ChunkedArray) -> pa.Table:
        return _reject_table(spec, batch[SRC_FILENAME], batch[SRC_LINE], reasons, result[RAW_TEXT], self.ingestion_ts)


def _needs_check(f: pa.Field) -> bool:
    """A contract column whose text is not already its value: a cast, or a key that must be present."""
    return not pa.types.is_string(f.type) or not f.nullable


def _added_columns(spec: TableSpec, found: list[str]) -> list[str]:
    """The columns of a batch that are neither contract, audit nor partition columns: a delivery's new ones."""
    known = set(spec.bronze_schema.names) | {RAW_TEXT, "json"}
    return [c for c in found if c not in known]


def _strict_json(reason: pa.ChunkedArray, lenient: pa.ChunkedArray, text: pa.ChunkedArray) -> pa.ChunkedArray:
    """Re-check with Python's strict parser the few lines DuckDB accepted leniently."""
    # Any suspect, whatever else is wrong with it: not being JSON is the first reason.
    suspects = np.flatnonzero(pc.fill_null(lenient, False).to_numpy(zero_copy_only=False))
    if suspects.size == 0:
        return reason
    values = reason.to_pylist()
    lines = text.take(pa.array(suspects)).to_pylist()
    for i, line in zip(suspects, lines, strict=True):
        try:
            json.loads(line, parse_constant=_not_json)
        except ValueError:
            values[i] = "bad_json"
    return pa.chunked_array([pa.array(values, pa.string())])


def _not_json(token: str):
    raise ValueError(f"{token} is not JSON")  # Python's parser accepts NaN/Infinity by default


def rejects_from_parse(
    spec: TableSpec, path: str, records: list[tuple[int, str, str]], ingestion_ts: datetime
) -> pa.Table:
    """Rejects of records that could not be split into fields (encoding, column count, header)."""
    return _reject_table(
        spec,
        pa.array([path] * len(records), pa.string()),
        pa.array([r[0] for r in records], pa.int64()),
        pa.array([r[1] for r in records], pa.string()),
        pa.array([r[2] for r in records], pa.string()),
        ingestion_ts,
    )


def _reject_table(spec: TableSpec, filenames, lines, reasons, texts, ingestion_ts: datetime) -> pa.Table:
    """Rows of the rejects table (REJECT_SCHEMA), whatever stage rejected them."""
    n = len(filenames)
    return pa.table(
        {
            "table_name": pa.array([spec.name] * n, pa.string()),
            SRC_FILENAME: filenames,
            SRC_LINE: lines,
            "reason": reasons,
            RAW_TEXT: texts,
            INGESTION_TS: _constant_ts(ingestion_ts, n),
        },
        schema=REJECT_SCHEMA,
    )


def _constant_ts(ts: datetime, n: int) -> pa.Array:
    """The run's ingestion time repeated n times, as timestamp[us, UTC]."""
    return pa.array(np.full(n, np.datetime64(ts.astimezone(UTC).replace(tzinfo=None), "us")), pa.timestamp("us")).cast(
        schemas.UTC_TS
    )
