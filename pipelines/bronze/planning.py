"""Planning a bronze run: which raw files are new, changed, failed before, or settled."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipelines.bronze.tables import ANOMALY_LOG_FILE, ANOMALY_TABLE, TABLES
from pipelines.exit_codes import ExitCode, RunFailed

# The newest manifest row per raw path (column name -> value), as `manifest.latest_manifest` reads it.
ManifestRow = Mapping[str, Any]
CONFLICT_REASON = (
    "content changed after it was loaded; bronze keeps the first version (deliver corrections as a new file)"
)


@dataclass
class RawFile:
    table: str
    path: str  # relative to the raw root
    size: int | None
    mtime_ns: int | None
    sha256: str | None = None
    decision: str = "new"  # new | changed | retry | reprocess


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

    @property
    def tables_with_work(self) -> list[str]:
        return sorted(set(self.files) | {f.table for f, _ in self.conflicts})


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
    """Every raw file of the selected tables (returns is applied by Delta version, see returns_cdc)."""
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


def plan_run(
    raw_root: Path, tables: list[str], seen: Mapping[str, ManifestRow], reprocess: frozenset[str] = frozenset()
) -> Plan:
    """Decide per file: skip (same content already settled), load, re-apply, or conflict.

    Policy for a file whose content changed under a path already loaded: tables merged
    by primary key re-apply it (an upsert cannot duplicate); append-only tables record
    a `conflict` and keep the first version, never loading both. The files of `reprocess`
    are read again whatever the manifest says (merged tables only, for the same reason).

    Raises:
        RunFailed(USAGE): a file to re-process is not in the raw folder or is append-only.
    """
    plan = Plan(raw_root=raw_root)
    files = discover(raw_root, tables)
    _check_reprocess(reprocess, files)
    for f in files:
        prev = seen.get(f.path)
        if f.path in reprocess:
            f.decision = "reprocess"
            plan.files.setdefault(f.table, []).append(f)
            continue
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
            plan.conflicts.append((f, CONFLICT_REASON))
    log = raw_root / ANOMALY_LOG_FILE
    if log.is_file():
        st = log.stat()
        prev = seen.get(ANOMALY_LOG_FILE)
        if prev is None or (prev["size_bytes"], prev["mtime_ns"]) != (st.st_size, st.st_mtime_ns):
            f = RawFile(ANOMALY_TABLE, ANOMALY_LOG_FILE, st.st_size, st.st_mtime_ns, sha256_of(log))
            if prev is None or prev["sha256"] != f.sha256:
                plan.anomaly_log = f
    return plan


def _check_reprocess(reprocess: frozenset[str], files: list[RawFile]) -> None:
    tables = {f.path: f.table for f in files}
    for path in sorted(reprocess):
        if path not in tables:
            raise RunFailed(ExitCode.USAGE, f"--reprocess {path}: no such raw file of the tables to load")
        if TABLES[tables[path]].write_disposition != "merge":
            raise RunFailed(
                ExitCode.USAGE,
                f"--reprocess {path}: {tables[path]} is append-only, so reading it again would load its rows twice; "
                "deliver corrections as a new file (docs/operations_runbook.md, re-processing one file)",
            )


def vanished_files(raw_root: Path, tables: list[str], seen: Mapping[str, ManifestRow]) -> list[str]:
    """Files loaded earlier that are no longer in the raw folder (regenerated without `make clean`?)."""
    return sorted(
        path
        for path, row in seen.items()
        if row["status"] == "loaded" and row["table_name"] in tables and not (raw_root / path).exists()
    )
