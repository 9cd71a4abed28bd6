"""The generator's anomaly log as rows: the ground truth Silver reconciles its detections against."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa

from pipelines.bronze.tables import ANOMALY_DETAIL_COLUMNS, ANOMALY_LOG_FILE, ANOMALY_SCHEMA, SRC_FILENAME


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
