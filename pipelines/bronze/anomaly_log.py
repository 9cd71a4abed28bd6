"""The generator's anomaly log as rows: the ground truth Silver reconciles its detections against."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from pipelines.bronze.tables import ANOMALY_DETAIL_COLUMNS, ANOMALY_LOG_FILE, ANOMALY_SCHEMA, SRC_FILENAME

# Text that JSON writes as it is between quotes (printable ASCII but `"` and `\`).
PLAIN_JSON_TEXT = r"^[ !#-\[\]-~]*$"


def anomaly_rows(raw_root: Path) -> pa.Table:
    """One row per injected anomaly of the generator's log (~170k at scale 1.0), built a
    column at a time per anomaly class: `row_key` joins the identity values with `|`, and
    `key_json` is the text `json.dumps` gives for the row's key columns."""
    log = json.loads((raw_root / ANOMALY_LOG_FILE).read_text())
    parts = [
        _class_rows(source, name, entry)
        for source, classes in log["sources"].items()
        for name, entry in classes.items()
        if entry["rows"]
    ]
    return pa.concat_tables(parts) if parts else ANOMALY_SCHEMA.empty_table()


def _class_rows(source: str, name: str, entry: dict[str, Any]) -> pa.Table:
    keys: list[str] = entry["key"]
    n = len(entry["rows"])
    if not keys or any(len(values) != len(keys) for values in entry["rows"]):
        return _class_rows_one_by_one(source, name, entry)
    found = [_column(values) for values in zip(*entry["rows"], strict=True)]  # lengths checked above
    columns = [c for c in found if c is not None]
    if len(columns) < len(found):
        return _class_rows_one_by_one(source, name, entry)
    text = [c.cast(pa.string()) for c in columns]  # str() of an int or a str, as the row key has it
    identity = [t for k, t in zip(keys, text, strict=True) if k not in ANOMALY_DETAIL_COLUMNS]
    row_key = pc.binary_join_element_wise(*identity, "|") if identity else pa.array([""] * n)
    members = []
    for i, (key, column, value) in enumerate(zip(keys, columns, text, strict=True)):
        if pa.types.is_string(column.type):
            value = pc.binary_join_element_wise('"', value, '"', "")
        members += [pa.scalar(("{" if i == 0 else ", ") + json.dumps(key) + ": "), value]
    key_json = pc.binary_join_element_wise(*members, pa.scalar("}"), "")
    return pa.table(
        {
            "source": pa.array([source] * n),
            "anomaly_class": pa.array([name] * n),
            "row_key": row_key,
            "key_json": key_json,
            "description": pa.array([entry["description"]] * n, pa.string()),
            SRC_FILENAME: pa.array([ANOMALY_LOG_FILE] * n),
        },
        schema=ANOMALY_SCHEMA,
    )


def _column(values: tuple[Any, ...]) -> pa.Array | None:
    """The values of one key column, when they are all integers or all plain text (None
    otherwise: that class is built row by row, as `json.dumps` and `str` write it)."""
    try:
        column = pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        return None
    if column.null_count:
        return None
    if pa.types.is_int64(column.type):
        return column
    if pa.types.is_string(column.type) and pc.all(pc.match_substring_regex(column, PLAIN_JSON_TEXT)).as_py():
        return column
    return None


def _class_rows_one_by_one(source: str, name: str, entry: dict[str, Any]) -> pa.Table:
    identity = [i for i, k in enumerate(entry["key"]) if k not in ANOMALY_DETAIL_COLUMNS]
    rows = [
        {
            "source": source,
            "anomaly_class": name,
            "row_key": "|".join(str(values[i]) for i in identity),
            "key_json": json.dumps(dict(zip(entry["key"], values, strict=True))),
            "description": entry["description"],
            SRC_FILENAME: ANOMALY_LOG_FILE,
        }
        for values in entry["rows"]
    ]
    return pa.Table.from_pylist(rows, schema=ANOMALY_SCHEMA)
