"""The anomaly log in bronze holds the generator's log entry for entry: the row key is the
identity values joined with `|` (as `str` writes them) and the key columns are `json.dumps`
of the logged values, whatever their types."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

from bronze_checks import warehouse
from raw_readers import load_log

from pipelines.bronze.tables import ANOMALY_DETAIL_COLUMNS

# `pipelines.bronze.anomaly_log` is also the name of a resource in `pipelines.bronze`.
anomaly_log = importlib.import_module("pipelines.bronze.anomaly_log")


def expected_rows(log: dict) -> set[tuple[str, str, str, str, str | None]]:
    """(source, class, row_key, key_json, description) of every logged anomaly, computed the plain way."""
    out = set()
    for source, classes in log["sources"].items():
        for name, entry in classes.items():
            identity = [i for i, k in enumerate(entry["key"]) if k not in ANOMALY_DETAIL_COLUMNS]
            for values in entry["rows"]:
                row_key = "|".join(str(values[i]) for i in identity)
                key_json = json.dumps(dict(zip(entry["key"], values, strict=True)))
                out.add((source, name, row_key, key_json, entry["description"]))
    return out


def test_bronze_anomaly_log_is_the_generators_log(raw, bronze):
    with warehouse(bronze) as con:
        rows = con.sql(
            "SELECT source, anomaly_class, row_key, key_json, description FROM bronze.anomaly_log"
        ).fetchall()
    log = load_log(raw)
    assert len(rows) == sum(len(e["rows"]) for s in log["sources"].values() for e in s.values())
    assert set(rows) == expected_rows(log)


def test_odd_key_values_are_written_as_json_and_str_write_them(tmp_path: Path):
    odd = {
        "generator_version": "test",
        "sources": {
            "orders_lines": {
                "plain": {"key": ["order_id", "line_number"], "description": "ints", "rows": [[1, 2], [3, 4]]},
                "quoted": {"key": ["file", "line"], "description": None, "rows": [['a"b\\c', 1], ["é\tü", 2]]},
                "floats_and_nulls": {"key": ["order_id", "kind"], "description": "d", "rows": [[1.5, None], [2, "x"]]},
                "mixed": {"key": ["order_id", "kind"], "description": "d", "rows": [[1, "a"], ["2", "b"]]},
                "huge": {"key": ["order_id"], "description": "d", "rows": [[2**70], [1]]},
                "flags": {"key": ["order_id", "flag"], "description": "d", "rows": [[1, True]]},
                "only_details": {"key": ["kind"], "description": "d", "rows": [["zero"]]},
                "none": {"key": ["order_id"], "description": "d", "rows": []},
            }
        },
    }
    (tmp_path / "_anomalies.json").write_text(json.dumps(odd))
    table = anomaly_log.anomaly_rows(tmp_path)
    got = {(r["source"], r["anomaly_class"], r["row_key"], r["key_json"], r["description"]) for r in table.to_pylist()}
    assert table.num_rows == 12
    assert got == expected_rows(odd)
