"""Silver and gold on Apache Spark (local mode): the dbt project's `spark` target, built from
the bronze lake (docs/scale_out.md).

    python -m pipelines.spark_build [--lake DIR] [--warehouse FILE] [--out DIR] [--select NODE ...]

Spark reads bronze's tables from the Parquet lake (`[bronze_lake] parquet_dir`, the rejects
from `rejects_dir`; `--lake` names a lake root as bronze's own `--lake` does). Bronze's
bookkeeping tables that the lake does not hold (the manifest, the anomaly log, the
dimension histories, dlt's schema versions) are copied from the bronze warehouse to Parquet
under `--out`. The holidays calendar is written there too: dbt-spark runs Python models only
on Databricks. Then `dbt build --target spark` runs with its Spark warehouse (Parquet
tables, one folder per table) in `<out>/warehouse`, rebuilt from nothing by every run.
Exit codes: 0 built, 2 usage (no Java, no lake), 5 bad warehouse, 6 dbt failed.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import yaml

from pipelines.bronze.lake_export import LakeSettings
from pipelines.bronze.tables import DATASET, REJECTS_TABLE
from pipelines.cli import help_description, run_command
from pipelines.dlt_run_context import configured_path
from pipelines.exit_codes import ExitCode, RunFailed
from pipelines.pseudonym_key import pseudonym_key
from pipelines.public_holidays import FIRST_YEAR, default_last_year, holiday_calendar
from pipelines.warehouse import configured_warehouse, open_warehouse

ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT = ROOT / "dbt"
HOLIDAYS_TABLE = "gold.public_holidays"
DEFAULT_OUT = "lake/spark"
SUMMARY_MARKS = ("Done. PASS=", " ERROR ", " FAIL ")  # dbt's lines worth showing


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m pipelines.spark_build",
        description=help_description(__doc__),
        epilog="Exit codes: 0 built, 2 usage, 5 bad warehouse, 6 dbt failed.",
    )
    p.add_argument("--lake", type=Path, help="lake root as bronze's --lake (default: [bronze_lake] from dlt config)")
    p.add_argument("--warehouse", type=Path, help="bronze DuckDB file (default: [destination.duckdb] credentials)")
    p.add_argument("--out", type=Path, help=f"Spark's folder: staged tables and warehouse (default: {DEFAULT_OUT})")
    p.add_argument("--select", nargs="+", metavar="NODE", help="dbt selection (default: everything)")
    return p.parse_args(argv)


def source_tables() -> list[str]:
    """Every "schema.table" the dbt project declares as a source."""
    tables = []
    for path in sorted((DBT_PROJECT / "models").rglob("*.yml")):
        for source in (yaml.safe_load(path.read_text()) or {}).get("sources", []):
            tables += [f"{source.get('schema', source['name'])}.{table['name']}" for table in source["tables"]]
    return tables


def has_parquet(folder: Path) -> bool:
    return folder.is_dir() and any(folder.rglob("*.parquet"))


def stage_tables(lake: LakeSettings, warehouse: Path, staged: Path) -> dict[str, str]:
    """The Parquet folder of every table the build reads but does not build: the lake's where
    it has the table, else a copy out of the bronze warehouse under `staged`."""
    if not has_parquet(lake.parquet_dir):
        raise RunFailed(ExitCode.USAGE, f"no bronze Parquet lake in {lake.parquet_dir}; run the bronze pipeline first")
    shutil.rmtree(staged, ignore_errors=True)
    folders: dict[str, str] = {}
    from_warehouse = []
    for name in source_tables():
        table = name.split(".", 1)[1]
        folder = lake.rejects_dir if table == REJECTS_TABLE else lake.parquet_dir / table
        if has_parquet(folder):
            folders[name] = str(folder.resolve())
        else:
            from_warehouse.append(name)
    if from_warehouse:
        con = open_warehouse(warehouse, read_only=True)
        try:
            for name in from_warehouse:
                folder = staged / name
                folder.mkdir(parents=True)
                con.sql(f"COPY (SELECT * FROM {DATASET}.{name.split('.', 1)[1]}) TO '{folder / 'data.parquet'}'")
                folders[name] = str(folder.resolve())
        finally:
            con.close()
    folders[HOLIDAYS_TABLE] = str(write_holidays(staged / HOLIDAYS_TABLE).resolve())
    return folders


def write_holidays(folder: Path) -> Path:
    """The holidays calendar of the states of the seed store_subdivisions (as the Python
    model computes it on DuckDB)."""
    with open(DBT_PROJECT / "seeds" / "store_subdivisions.csv", newline="") as seed:
        states = [(row["country_code"], row["state"]) for row in csv.DictReader(seed)]
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(holiday_calendar(states, range(FIRST_YEAR, default_last_year() + 1)), folder / "data.parquet")
    return folder


def spark_build(args: argparse.Namespace) -> int:
    if shutil.which("java") is None:
        raise RunFailed(
            ExitCode.USAGE, "Spark needs a Java 17 runtime: apt-get install openjdk-17-jre-headless (Debian 12)"
        )
    out = (args.out or configured_path(DEFAULT_OUT)).resolve()
    warehouse = args.warehouse or configured_warehouse()
    started, cpu_started = time.perf_counter(), _cpu_seconds()
    tables = stage_tables(LakeSettings.from_config(args.lake), warehouse, out / "staged")
    shutil.rmtree(out / "warehouse", ignore_errors=True)  # a catalog per build: no tables left from the last
    env = dict(
        os.environ,
        SPARK_LOCAL_IP="127.0.0.1",
        RETAIL_SPARK_WAREHOUSE=str(out / "warehouse"),
        DBT_ENV_SECRET_PSEUDONYM_KEY=pseudonym_key(),
    )
    command = [
        str(Path(sys.executable).parent / "dbt"),
        "build",
        "--target",
        "spark",
        "--profiles-dir",
        ".",
        "--target-path",
        str(out / "target"),
        "--log-path",
        str(out / "logs"),
        "--vars",
        json.dumps({"spark_tables": tables}),
        # the holidays calendar is staged above (dbt-spark has no local Python models); the unit
        # tests' fixtures are DuckDB SQL
        "--exclude",
        "public_holidays",
        "test_type:unit",
    ]
    if args.select:
        command += ["--select", *args.select]
    proc = subprocess.run(command, cwd=DBT_PROJECT, env=env, capture_output=True, text=True)
    wall, cpu = time.perf_counter() - started, _cpu_seconds() - cpu_started
    print("\n".join(line for line in proc.stdout.splitlines() if any(m in line for m in SUMMARY_MARKS)))
    print(f"spark build: {wall:.1f} s wall, {cpu:.1f} s CPU (with the Spark JVM); warehouse {out / 'warehouse'}")
    if proc.returncode != 0:
        sys.stdout.write(proc.stdout[-4000:])
        raise RunFailed(ExitCode.DBT_FAILED, f"dbt build on Spark failed (log: {out / 'logs' / 'dbt.log'})")
    return ExitCode.OK


def _cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main(argv: list[str] | None = None) -> int:
    return run_command(lambda: spark_build(parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
