"""The bronze lake: every completed bronze load copied to the Parquet lake
(`<parquet_dir>/<table>/`, rejects in `<rejects_dir>/<table>/`) and to the Delta lake
(`<bucket_url>/delta/<table>`), right after it lands in DuckDB.

The rows come from the bronze load itself, read once:
- appended tables (facts) and rejects: the Parquet files of the load package dlt has just
  loaded into DuckDB. DuckDB's partitioned COPY writes them to the Parquet lake once; a local
  Delta lake commits those same files (hard links, `delta_commit.py`), so each row is encoded
  and compressed once for both lakes. A Delta lake elsewhere (object storage) imports the
  package files into the Delta pipeline's own load package instead.
- merged tables (dimensions, rates, returns): the rows the merge left in DuckDB for that
  load (small), so duplicates within a load are resolved exactly as in DuckDB.
When a load's package files are gone (an older run, a lost pipelines folder), its rows are
written out of DuckDB first: slower, same result.

Parquet is written by DuckDB to a local folder: dlt's filesystem destination lays plain
Parquet out per load, not by data values, and this DuckDB cannot load httpfs offline. The
merges, hard deletes and schema changes of the merged tables are Delta transactions written
by dlt's filesystem destination (pipeline `retail_bronze_lake`), which also records, in its
state, each bronze load the Delta lake holds.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import dlt
import pyarrow as pa
from dlt.common.storages.exceptions import LoadPackageNotFound
from dlt.common.storages.load_package import LoadJobInfo

import duckdb
from pipelines.bronze import retail_bronze_lake
from pipelines.bronze.crash_points import crash_point
from pipelines.bronze.delta_commit import commit_load, is_committed, link_into
from pipelines.bronze.report import Profile
from pipelines.bronze.tables import REJECTS_TABLE, RETURNS_CHANGES_TABLE, TABLES
from pipelines.dlt_run_context import configured_path, dlt_pipelines_dir
from pipelines.lake_layout import DELTA_DATASET, lake_folders
from pipelines.warehouse import has_table, scalar

LAKE_PIPELINE = "retail_bronze_lake"
OPS_EXPORTS = "ops.lake_exports"  # Parquet exports done, per bronze load (in the warehouse)
APPENDED = [name for name, spec in TABLES.items() if spec.write_disposition == "append"] + [REJECTS_TABLE]
MERGED = [name for name, spec in TABLES.items() if spec.write_disposition == "merge"]


@dataclass(frozen=True)
class LakeSettings:
    """Where the lake is: the Delta lake's bucket URL (None: dlt's own configuration of the
    filesystem destination) and the local folders of the Parquet lake and of the rejects."""

    bucket_url: str | None
    parquet_dir: Path
    rejects_dir: Path

    @classmethod
    def from_config(cls, lake_root: Path | None = None) -> LakeSettings:
        """`[bronze_lake] parquet_dir / rejects_dir` from dlt config, the Delta lake from
        `[destination.filesystem]`; `lake_root` (the `--lake` option) puts all three under one
        local folder."""
        if lake_root is not None:
            folders = lake_folders(lake_root.resolve())
            return cls(str(folders.bucket), folders.parquet, folders.rejects)
        return cls(
            None,
            configured_path(dlt.config["bronze_lake.parquet_dir"]),
            configured_path(dlt.config["bronze_lake.rejects_dir"]),
        )

    @property
    def delta_dir(self) -> Path | None:
        """The Delta lake's local folder (`<bucket_url>/delta`), or None when it is not on this machine."""
        url = self.bucket_url or str(dlt.config["destination.filesystem.bucket_url"])
        if url.startswith("file://"):
            url = url.removeprefix("file://")
        elif "://" in url:
            return None
        return configured_path(url) / DELTA_DATASET


@dataclass
class LakeLoad:
    """One bronze load as the lake copies it."""

    load_id: str
    appended: dict[str, list[Path]] = field(default_factory=dict)  # table -> Parquet files of the load
    merged: dict[str, pa.Table] = field(default_factory=dict)  # table -> rows the merge left in DuckDB

    @property
    def tables(self) -> list[str]:
        return sorted(set(self.appended) | set(self.merged))


class LakeExport:
    """Copies completed bronze loads to the Parquet and Delta lake, oldest first, each exactly once."""

    def __init__(
        self,
        bronze: dlt.Pipeline,
        con: duckdb.DuckDBPyConnection,
        settings: LakeSettings,
        pipelines_dir: Path | None = None,
        profile: Profile | None = None,
    ) -> None:
        self.bronze, self.con, self.settings = bronze, con, settings
        self.dataset = bronze.dataset_name
        self.delta = dlt.pipeline(
            LAKE_PIPELINE,
            destination=dlt.destinations.filesystem(bucket_url=settings.bucket_url)
            if settings.bucket_url
            else "filesystem",
            dataset_name=DELTA_DATASET,
            pipelines_dir=dlt_pipelines_dir(pipelines_dir),
        )
        self.profile = profile or Profile()
        self.delta_dir = settings.delta_dir

    def export_pending(self) -> None:
        """Export every completed bronze load not yet in both lakes (after a crash, the loads an
        interrupted run left behind)."""
        if finish_pending(self.delta):
            print("completed the Delta lake load left by an interrupted run", file=sys.stderr)
        parquet_done, delta_done = self._parquet_exported(), set(exported_loads(self.delta))
        for load_id in self._completed_loads():
            if load_id not in parquet_done or load_id not in delta_done:
                self.export(load_id, parquet=load_id not in parquet_done, delta=load_id not in delta_done)

    def export(self, load_id: str, parquet: bool = True, delta: bool = True) -> None:
        with self._rows_of(load_id) as load:
            if parquet:
                with self.profile.step("parquet lake"):
                    self._export_parquet(load)
            if delta:
                with self.profile.step("delta lake"):
                    appended = load.appended
                    if self.delta_dir is not None:
                        self._commit_appended(load, self.delta_dir)
                        appended = {}
                    self.delta.extract(retail_bronze_lake(load.load_id, appended, load.merged))
                    self.delta.normalize()
                    crash_point("delta")
                    self.delta.load()
        self._release_package_files(load_id)

    # -- reading a load's rows --------------------------------------------------------------

    @contextmanager
    def _rows_of(self, load_id: str) -> Iterator[LakeLoad]:
        """The load's rows for the lake (a scratch copy, when needed, is removed afterwards)."""
        scratch = Path(self.delta.working_dir) / "bronze_rows" / load_id
        try:
            with self.profile.step("parquet lake"):
                appended = package_files(self.bronze, load_id)
                if appended is None:  # the package's files are gone: write the load's rows out of DuckDB
                    appended = self._write_appended_rows(load_id, scratch)
                merged = {t: self._merged_rows(t, load_id) for t in MERGED}
            yield LakeLoad(load_id, appended, {t: rows for t, rows in merged.items() if rows.num_rows})
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    def _merged_rows(self, table: str, load_id: str) -> pa.Table:
        # Returns: the change rows (upserts and hard deletes), which the merged table no longer shows.
        source = RETURNS_CHANGES_TABLE if table == "returns" else table
        if not self._has_table(source):
            return pa.table({})
        return self.con.execute(
            f"SELECT * FROM {self.dataset}.{source} WHERE _dlt_load_id = ?", [load_id]
        ).fetch_arrow_table()

    def _write_appended_rows(self, load_id: str, folder: Path) -> dict[str, list[Path]]:
        folder.mkdir(parents=True, exist_ok=True)
        files = {}
        for table in APPENDED:
            if not self._has_table(table):
                continue
            where = f"FROM {self.dataset}.{table} WHERE _dlt_load_id = '{load_id}'"
            if scalar(self.con, f"SELECT count(*) > 0 {where}"):
                path = folder / f"{table}.parquet"
                self.con.sql(f"COPY (SELECT * {where}) TO '{path}' (FORMAT parquet)")
                files[table] = [path]
        return files

    def _release_package_files(self, load_id: str) -> None:
        """The load is in both lakes: its package files are not needed any more (dlt's own
        `delete_completed_jobs`, done after the lake export instead of after the DuckDB load)."""
        for job in _completed_jobs(self.bronze, load_id, parquet_only=False):
            Path(job.file_path).unlink(missing_ok=True)

    # -- Parquet ------------------------------------------------------------------------------

    def _export_parquet(self, load: LakeLoad) -> None:
        """Copy one load to the Parquet lake; recorded in `ops.lake_exports` only once every table
        is copied. File names carry the load id, so a repeat after a crash rewrites, never duplicates."""
        self.con.sql("CREATE SCHEMA IF NOT EXISTS ops")
        self.con.sql(
            f"CREATE TABLE IF NOT EXISTS {OPS_EXPORTS} (load_id VARCHAR, target VARCHAR, table_name VARCHAR, "
            "rows BIGINT, exported_at TIMESTAMPTZ DEFAULT now())"
        )
        copied = []
        for table, files in sorted(load.appended.items()):
            # by name: a load may hold files from before and after a new column (schema evolution)
            source = f"read_parquet({[str(f) for f in files]}, union_by_name = true)"
            rows = scalar(self.con, f"SELECT count(*) FROM {source}")
            if table == REJECTS_TABLE:
                self._copy_rejects(source, load.load_id)
            else:
                self._copy_appended(source, table, load.load_id, self.settings.parquet_dir / table)
            copied.append((load.load_id, table, rows))
            crash_point("parquet")
        self.con.executemany(
            f"INSERT INTO {OPS_EXPORTS} (load_id, target, table_name, rows) VALUES (?, 'parquet', ?, ?)",
            [list(c) for c in copied] or [[load.load_id, None, 0]],
        )
        if load.merged:
            self._refresh_snapshots(load.merged)

    def _copy_appended(self, source: str, table: str, load_id: str, target: Path) -> list[Path]:
        """Write the load's rows of an appended table under `target` (its partitions as folders);
        files an interrupted copy left are replaced. Returns the files written."""
        spec = TABLES[table]
        for stale in load_files(target, load_id):
            stale.unlink()
        target.mkdir(parents=True, exist_ok=True)
        if spec.partition_columns:
            self.con.sql(
                f"COPY (SELECT * FROM {source}) TO '{target}' (FORMAT parquet, "
                f"PARTITION_BY ({', '.join(spec.partition_columns)}), WRITE_PARTITION_COLUMNS true, "
                f"FILENAME_PATTERN 'load_{load_id}_{{i}}', OVERWRITE_OR_IGNORE true)"
            )
        else:
            self.con.sql(f"COPY (SELECT * FROM {source}) TO '{target / f'load_{load_id}.parquet'}' (FORMAT parquet)")
        return load_files(target, load_id)

    # -- Delta (a local lake) ----------------------------------------------------------------

    def _commit_appended(self, load: LakeLoad, delta_dir: Path) -> None:
        """Commit each appended table's files of the load to its Delta table: the Parquet lake's
        files, hard-linked (written again from the load only when they are gone, e.g. coalesced)."""
        with self.delta.destination_client() as client:  # dlt's dataset folder, before the tables in it
            client.initialize_storage()
        for table, files in sorted(load.appended.items()):
            target = delta_dir / table
            if table == REJECTS_TABLE or is_committed(target, load.load_id):
                continue
            for stale in load_files(target, load.load_id):  # an interrupted export's, never committed
                stale.unlink()
            lake_table = self.settings.parquet_dir / table
            written = load_files(lake_table, load.load_id)
            if written:
                relative = link_into(written, lake_table, target)
            else:
                source = f"read_parquet({[str(f) for f in files]}, union_by_name = true)"
                relative = [f.relative_to(target) for f in self._copy_appended(source, table, load.load_id, target)]
            commit_load(target, relative, load.load_id, TABLES[table].partition_columns)
            crash_point("delta_commit")

    def _copy_rejects(self, source: str, load_id: str) -> None:
        for (name,) in self.con.sql(f"SELECT DISTINCT table_name FROM {source}").fetchall():
            target = self.settings.rejects_dir / name
            target.mkdir(parents=True, exist_ok=True)
            self.con.sql(
                f"COPY (SELECT * FROM {source} WHERE table_name = '{name}') TO "
                f"'{target / f'load_{load_id}.parquet'}' (FORMAT parquet)"
            )

    def _refresh_snapshots(self, merged: dict[str, pa.Table]) -> None:
        """Merged tables are kept as one current snapshot, rewritten whenever a load changes them
        (written aside, then swapped in)."""
        for table in merged:
            target = self.settings.parquet_dir / table
            target.mkdir(parents=True, exist_ok=True)
            tmp = target / "snapshot.parquet.tmp"
            self.con.sql(f"COPY (SELECT * FROM {self.dataset}.{table}) TO '{tmp}' (FORMAT parquet)")
            tmp.replace(target / "snapshot.parquet")

    # -- bookkeeping -------------------------------------------------------------------------

    def _has_table(self, table: str) -> bool:
        return has_table(self.con, self.dataset, table)

    def _completed_loads(self) -> list[str]:
        if not self._has_table("_dlt_loads"):
            return []
        return [
            r[0]
            for r in self.con.sql(
                f"SELECT load_id FROM {self.dataset}._dlt_loads WHERE status = 0 ORDER BY load_id"
            ).fetchall()
        ]

    def _parquet_exported(self) -> set[str]:
        if not has_table(self.con, "ops", "lake_exports"):
            return set()
        return {
            r[0]
            for r in self.con.sql(f"SELECT DISTINCT load_id FROM {OPS_EXPORTS} WHERE target = 'parquet'").fetchall()
        }


def load_files(table_dir: Path, load_id: str) -> list[Path]:
    """The files one load wrote under a lake table's folder (in its partition folders, or beside them)."""
    return sorted([*table_dir.glob(f"load_{load_id}.parquet"), *table_dir.glob(f"*/load_{load_id}_*.parquet")])


def package_files(pipeline: dlt.Pipeline, load_id: str) -> dict[str, list[Path]] | None:
    """Parquet files of the appended tables in a completed load package, or None when the
    package's files are gone."""
    jobs = _completed_jobs(pipeline, load_id)
    files: dict[str, list[Path]] = {}
    for job in jobs:
        table = job.job_file_info.table_name
        if table in APPENDED:
            files.setdefault(table, []).append(Path(job.file_path))
    if not jobs or not all(path.exists() for paths in files.values() for path in paths):
        return None
    return files


def _completed_jobs(pipeline: dlt.Pipeline, load_id: str, parquet_only: bool = True) -> list[LoadJobInfo]:
    try:
        info = pipeline.get_load_package_info(load_id)
    except LoadPackageNotFound:  # a package dlt no longer has: no files
        return []
    jobs = info.jobs.get("completed_jobs", [])
    return [job for job in jobs if job.file_path.endswith(".parquet")] if parquet_only else list(jobs)


def finish_pending(pipeline: dlt.Pipeline) -> bool:
    """Complete a load package left by an interrupted run (no data is extracted again)."""
    if not pipeline.has_pending_data:
        return False
    pipeline.normalize()
    pipeline.load()
    return True


def exported_loads(pipeline: dlt.Pipeline) -> list[str]:
    """Bronze load ids the Delta lake pipeline has committed (its source state)."""
    sources = pipeline.state.get("sources", {})
    return list(sources.get(LAKE_PIPELINE, {}).get("exported_loads", []))
