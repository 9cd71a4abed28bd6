"""The output folder: ownership checks, cleaning before a (re-)run, and the batch
records from which `_manifest.json` and `_anomalies.json` are rebuilt.

Each batch (the base run, each increment) keeps its own record in `_batches/`; the two
top-level files are the union of all records, so re-running any batch is idempotent.
Re-running the base with the same seed, scale and generator version rewrites only the
base's own files (the same bytes) and keeps the increments built on it.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

from generators.anomalies import sort_rows
from generators.config import GENERATOR_VERSION, GeneratorConfig

MANIFEST = "_manifest.json"
ANOMALY_LOG = "_anomalies.json"
BATCHES = "_batches"

# Where each source lives under the output folder (base run).
BASE_PATHS = {
    "customers": "customers.csv",
    "products": "products.csv",
    "stores": "stores.csv",
    "suppliers": "suppliers.csv",
    "orders_header": "orders_header",
    "orders_lines": "orders_lines",
    "events": "events",
    "sensors": "sensors",
    "exchange_rates": "exchange_rates.xlsx",
    "shipments": "shipments",
    "returns": "returns",
}
# Files an increment batch writes, by source (globs relative to the output folder).
INCREMENT_GLOBS = {
    "orders_header": "orders_header/*/part-{b:05d}.csv",
    "orders_lines": "orders_lines/*/part-{b:05d}.csv",
    "events": "events/*/events_{b:04d}.jsonl",
    "sensors": "sensors/*/*/sensors_{b:05d}.csv",
    "shipments": "shipments/part-{b:05d}-*.parquet",
    "customers": "customers_changes/*/part-{b:05d}.csv",
    "products": "products_changes/*/part-{b:05d}.csv",
    "stores": "stores_changes/*/part-{b:05d}.csv",
    "exchange_rates": "exchange_rates_changes/*/part-{b:05d}.xlsx",
}
# What the base run owns (increments add files beside them, never in these paths).
BASE_OWNED = (
    "customers.csv",
    "products.csv",
    "stores.csv",
    "suppliers.csv",
    "exchange_rates.xlsx",
    "returns",
    "orders_header/*/part-00000.csv",
    "orders_lines/*/part-00000.csv",
    "events/*/events_0000.jsonl",
    "sensors/*/*/sensors.csv",
    "shipments/part-00000-*.parquet",
)


class OutputError(Exception):
    """A problem with --out that the user must fix; the message says how."""


def _batch_path(out: Path, cfg: GeneratorConfig) -> Path:
    return out / BATCHES / f"{cfg.batch_name}.json"


def read_json(path: Path) -> dict:
    return json.loads(path.read_text())


def prepare(cfg: GeneratorConfig) -> None:
    """Check the folder can be written and is ours, then remove what this batch will rewrite."""
    out = cfg.out
    if out.exists() and not out.is_dir():
        raise OutputError(f"--out {out} is a file; give a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".write_probe"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise OutputError(f"cannot write to --out {out}: {exc.strerror}; choose a writable folder") from None
    ours = (out / MANIFEST).exists() or (out / BATCHES).exists()
    if not ours and any(out.iterdir()):
        raise OutputError(
            f"--out {out} is not empty and was not written by the generator; choose an empty or new folder"
        )
    base = out / BATCHES / "base.json"
    if cfg.is_increment or cfg.only:
        if not base.exists():
            raise OutputError(
                f"{out} holds no base dataset yet; run the generator without --start-date/--days/--only first"
            )
        args = read_json(base)["args"]
        if (args["seed"], args["scale"]) != (cfg.seed, cfg.scale):
            raise OutputError(
                f"{out} was generated with --seed {args['seed']} --scale {args['scale']}; "
                "increments and --only runs must use the same seed and scale"
            )
    if not cfg.is_increment:
        if cfg.only:
            for source in cfg.only:
                _remove(out / BASE_PATHS[source])
        elif base.exists() and _same_base(read_json(base), cfg):
            _remove_base_files(out)  # increments built on this very base stay valid
        else:  # a new base invalidates every increment built on the old one
            for child in out.iterdir():
                _remove(child)
    else:
        for source, pattern in INCREMENT_GLOBS.items():
            if cfg.selected(source):
                for path in out.glob(pattern.format(b=cfg.batch_no)):
                    path.unlink()
    (out / BATCHES).mkdir(exist_ok=True)


def _same_base(record: dict, cfg: GeneratorConfig) -> bool:
    args = record["args"]
    return (args["seed"], args["scale"], record.get("generator_version")) == (cfg.seed, cfg.scale, GENERATOR_VERSION)


def _remove_base_files(out: Path) -> None:
    for pattern in BASE_OWNED:
        for path in out.glob(pattern):
            _remove(path)


def earlier_increments(cfg: GeneratorConfig) -> list[tuple[date, int, int | None]]:
    """(start date, days, late days) of the increments recorded in the folder that start
    before this batch, in date order."""
    found = []
    for path in (cfg.out / BATCHES).glob("increment-*.json"):
        args = read_json(path)["args"]
        start = date.fromisoformat(args["start_date"])
        if cfg.start_date is not None and start < cfg.start_date:
            found.append((start, args["days"], args["late_days"]))
    return sorted(found)


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


def args_of(cfg: GeneratorConfig) -> dict:
    return {
        "seed": cfg.seed,
        "scale": cfg.scale,
        "start_date": cfg.start_date.isoformat() if cfg.start_date else None,
        "days": cfg.days,
        "late_days": cfg.late_days,
        "new_columns": list(cfg.new_columns),
    }  # --only re-makes part of the same batch


def save_batch(cfg: GeneratorConfig, sources: dict[str, dict], anomaly_sections: dict[str, dict], extra: dict) -> None:
    """Record what this batch wrote (merged into an earlier record of the same batch under --only)."""
    path = _batch_path(cfg.out, cfg)
    record = read_json(path) if path.exists() and cfg.only else {"sources": {}, "anomalies": {}}
    record.update(
        {
            "batch": cfg.batch_name,
            "batch_no": cfg.batch_no,
            "generator_version": GENERATOR_VERSION,
            "args": args_of(cfg),
        }
    )
    record["sources"].update(sources)
    record["anomalies"].update(anomaly_sections)
    record.update(extra)
    _dump(path, record)
    rebuild(cfg.out)


def rebuild(out: Path) -> None:
    """Write _manifest.json and _anomalies.json as the union of every batch record."""
    records = sorted((read_json(p) for p in (out / BATCHES).glob("*.json")), key=lambda r: r["batch_no"])
    base = next(r for r in records if r["batch"] == "base")
    totals: dict[str, dict] = {}
    merged: dict[str, dict] = {}
    for record in records:
        for source, s in record["sources"].items():
            t = totals.setdefault(source, {"rows": 0, "files": 0, "bytes": 0})
            for k in t:
                t[k] = None if t[k] is None or s[k] is None else t[k] + s[k]
        for source, classes in record["anomalies"].items():
            for name, c in classes.items():
                m = merged.setdefault(source, {}).setdefault(
                    name, {"description": c["description"], "key": c["key"], "count": 0, "rows": []}
                )
                m["rows"].extend(c["rows"])
    for classes in merged.values():
        for c in classes.values():
            c["rows"] = sort_rows(c["rows"])
            c["count"] = len(c["rows"])
    header = {
        "generator_version": GENERATOR_VERSION,
        "seed": base["args"]["seed"],
        "scale": base["args"]["scale"],
        "batches": [{"batch": r["batch"], "args": r["args"]} for r in records],
    }
    manifest = dict(header, sources=dict(sorted(totals.items())), per_batch={r["batch"]: r["sources"] for r in records})
    if "returns_history" in base:
        manifest["returns_history"] = base["returns_history"]
    _dump(out / MANIFEST, manifest)
    _dump(out / ANOMALY_LOG, dict(header, sources={s: merged[s] for s in sorted(merged)}))


def _dump(path: Path, payload: dict) -> None:
    """Indented JSON, with each anomaly row on a line of its own (the row lists are encoded
    by json's C encoder: the log holds hundreds of thousands of rows at full scale)."""
    rows: list[str] = []

    def hold_rows(node):
        if isinstance(node, dict):
            return {k: _placeholder(rows, v) if k == "rows" else hold_rows(v) for k, v in node.items()}
        if isinstance(node, list):
            return [hold_rows(v) for v in node]
        return node

    text = json.dumps(hold_rows(payload), indent=1)
    for i, encoded in enumerate(rows):
        text = text.replace(f'"\\u0000rows{i}"', encoded, 1)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text + "\n")
    tmp.replace(path)


def _placeholder(held: list[str], rows: list) -> str:
    held.append(json.dumps(rows).replace("], [", "],\n  ["))
    return f"\u0000rows{len(held) - 1}"
