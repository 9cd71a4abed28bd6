"""Bronze over time: increments and late files, changed files, interruptions at every step,
the warehouse lock, bad inputs and their exit codes."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest
from bronze_checks import TABLES, manifest, raw_records, three_destinations, warehouse
from conftest import ROOT, bronze_args, copy_bronze, run_bronze
from dbt_runs import transform
from raw_readers import load_log

import duckdb

CRASH_POINTS = ("extracting", "extracted", "loaded", "parquet", "delta")
FACTS = ("orders_header", "orders_lines", "sensors", "events", "shipments")


def counts(target) -> dict[str, int]:
    with warehouse(target) as con:
        return {t: con.sql(f"SELECT count(*) FROM bronze.{t}").fetchone()[0] for t in TABLES}


def expected_counts(raw) -> dict[str, int]:
    """What bronze must hold, from the raw files alone: records minus the logged rejects."""
    log = load_log(raw)["sources"]
    out = {}
    for table, pattern in (
        ("orders_header", "orders_header/*/*.csv"),
        ("orders_lines", "orders_lines/*/*.csv"),
        ("sensors", "sensors/*/*/*.csv"),
        ("events", "events/*/*.jsonl"),
        ("shipments", "shipments/*.parquet"),
    ):
        out[table] = sum(raw_records(p) for p in raw.glob(pattern))
    out["events"] -= log["events"]["malformed_json"]["count"] + log["events"]["missing_envelope_field"]["count"]
    out["returns"] = json.loads((raw / "_manifest.json").read_text())["sources"]["returns"]["rows"]
    return out


def assert_exactly_once(raw, target) -> None:
    """Every raw record loaded once, every file settled once, the three destinations identical."""
    expected, got = expected_counts(raw), counts(target)
    for table in (*FACTS, "returns"):
        assert got[table] == expected[table], table
    assert (manifest(target)["status"] == "loaded").all()
    with warehouse(target) as con:  # the anomaly log is replaced whenever it changes: once per version
        dup = con.sql(
            "SELECT count(*) FROM (SELECT path FROM bronze.file_manifest WHERE status = 'loaded' "
            "AND table_name <> 'anomaly_log' GROUP BY path HAVING count(*) > 1)"
        ).fetchone()[0]
    assert dup == 0
    for table in TABLES:
        prints = three_destinations(target, table)
        assert prints["duckdb"] == prints["delta"] == prints["parquet"], table


def one_error_line(proc: subprocess.CompletedProcess) -> str:
    """The run's message: a single `error:` line, never a traceback."""
    lines = proc.stderr.strip().splitlines()
    assert "Traceback" not in proc.stderr and lines and lines[-1].startswith("error: "), proc.stderr[-2000:]
    return lines[-1]


def test_increment_and_late_file_are_loaded_exactly_once(raw_incremented, bronze, tmp_path):
    """The session's increment (conftest INCREMENT) arrives in a raw folder bronze has loaded."""
    data = tmp_path / "raw"
    shutil.copytree(raw_incremented, data)  # the base files keep their times: bronze has them
    target = copy_bronze(bronze, tmp_path / "t")
    before = counts(target)
    customers_before = pl.read_csv(data / "customers.csv", infer_schema=False).height
    run_bronze(data, target)
    after = counts(target)
    for table in FACTS:
        assert after[table] > before[table], table
    assert_exactly_once(data, target)
    late = manifest(target).filter(pl.col("path").str.contains("order_dt=2025-12-29/part-00731"))
    assert late.height == 2 and (late["status"] == "loaded").all()  # header and lines of the late day
    # Change files are applied by key: no duplicates, the new values win.
    assert after["customers"] == before["customers"] == customers_before
    changes = pl.read_csv(next((data / "customers_changes").rglob("*.csv")), infer_schema=False)
    stores = pl.read_csv(next((data / "stores_changes").rglob("*.csv")), infer_schema=False)
    with warehouse(target) as con:
        for cid, line1 in changes.select("customer_id", "address_line1").iter_rows():
            assert (
                con.sql(
                    "SELECT address_line1 FROM bronze.customers WHERE customer_id = ?", params=[int(cid)]
                ).fetchone()[0]
                == line1
            )
        closed = con.sql(
            "SELECT close_dt::VARCHAR FROM bronze.stores WHERE store_id = ?", params=[int(stores["store_id"][0])]
        ).fetchone()[0]
    assert closed == "2026-01-01"
    # Once more: nothing new.
    assert "nothing new" in run_bronze(data, target).stdout
    assert counts(target) == after


def test_changed_file_policy(loaded_copy):
    data, target = loaded_copy
    before = counts(target)
    orders = sorted(data.glob("orders_header/*/*.csv"))[10]
    text = orders.read_text().splitlines()
    orders.write_text("\n".join(text + [text[-1]]) + "\n")  # a re-delivered file with one more row
    products = data / "products.csv"
    rows = products.read_text().splitlines()
    fields = rows[1].split(",")
    fields[2] = "Renamed Product"
    products.write_text("\n".join([rows[0], ",".join(fields)] + rows[2:]) + "\n")
    proc = run_bronze(data, target, check=False)
    # The conflict is a file bronze did not load: the run says so and exits 4.
    assert proc.returncode == 4, proc.stderr[-2000:]
    assert f"CONFLICT {orders.relative_to(data)}: content changed after it was loaded" in proc.stderr
    one_error_line(proc)
    m = manifest(target)
    conflict = m.filter(pl.col("path") == str(orders.relative_to(data)))
    assert conflict["status"].to_list() == ["conflict"] and "keeps the first version" in conflict["reason"][0]
    assert counts(target)["orders_header"] == before["orders_header"]  # never loaded twice
    with warehouse(target) as con:
        assert (
            con.sql("SELECT name FROM bronze.products WHERE product_id = ?", params=[int(fields[0])]).fetchone()[0]
            == "Renamed Product"
        )
    assert counts(target)["products"] == before["products"]  # re-applied by key
    # The conflict is recorded once, not at every run.
    run_bronze(data, target)
    with warehouse(target) as con:
        assert con.sql("SELECT count(*) FROM bronze.file_manifest WHERE status = 'conflict'").fetchone()[0] == 1
    # A loaded file that vanished from the raw folder (regenerated?) is reported, its rows kept.
    gone = sorted(data.glob("events/*/*.jsonl"))[3]
    gone.unlink()
    proc = run_bronze(data, target)
    assert f"warning: 1 files loaded earlier are no longer in {data} (e.g. {gone.relative_to(data)})" in proc.stderr
    assert "make clean" in proc.stderr and counts(target) == before


@pytest.mark.drill
@pytest.mark.parametrize("point", CRASH_POINTS)
def test_run_killed_at_any_step_is_completed_by_the_next(raw_incremented, bronze, tmp_path, point):
    """kill -9 at each step of loading an increment; the next run completes it exactly once."""
    target = copy_bronze(bronze, tmp_path / "t")
    env = dict(os.environ, RETAIL_BRONZE_CRASH_AT=point)
    killed = run_bronze(raw_incremented, target, env=env, check=False)
    assert killed.returncode == -signal.SIGKILL, (point, killed.stderr[-2000:])
    run_bronze(raw_incremented, target)
    assert_exactly_once(raw_incremented, target)


@pytest.mark.drill
def test_lake_is_written_from_the_warehouse_when_the_load_package_is_gone(raw_incremented, bronze, tmp_path):
    """A load the lake never got, whose package files are lost: the next run exports it from DuckDB."""
    target = copy_bronze(bronze, tmp_path / "t")
    env = dict(os.environ, RETAIL_BRONZE_CRASH_AT="loaded")
    assert run_bronze(raw_incremented, target, env=env, check=False).returncode == -signal.SIGKILL
    package_files = list((target / "pipelines" / "retail_bronze" / "load" / "loaded").rglob("*.parquet"))
    assert package_files
    for path in package_files:
        path.unlink()
    run_bronze(raw_incremented, target)
    assert_exactly_once(raw_incremented, target)


def hold_lock(path: Path) -> subprocess.Popen:
    """Another process holding the warehouse lock until its stdin is closed."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, sys\n"
            f"f = open({str(path)!r}, 'a+'); fcntl.flock(f, fcntl.LOCK_EX)\n"
            "f.seek(0); f.truncate(); f.write('a test, pid 1'); f.flush()\n"
            "print('locked', flush=True); sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    return holder


def test_a_second_run_is_refused_at_once_or_waits(raw, loaded_copy):
    data, target = loaded_copy
    mtime = (target / "warehouse.duckdb").stat().st_mtime_ns
    holder = hold_lock(target / "warehouse.lock")
    proc = run_bronze(data, target, check=False)
    assert proc.returncode == 3
    assert one_error_line(proc).startswith(f"error: the warehouse {target / 'warehouse.duckdb'} is in use by another")
    assert "a test, pid 1" in proc.stderr and "--wait" in proc.stderr
    assert (target / "warehouse.duckdb").stat().st_mtime_ns == mtime  # nothing was changed
    # --wait: the run starts once the holder is gone.
    waiting = subprocess.Popen(
        [sys.executable, "pipelines/bronze_dlt_pipeline.py", *bronze_args(data, target), "--wait"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert waiting.stderr is not None
    assert "waiting for it to finish" in waiting.stderr.readline()
    holder.communicate("")  # release
    out, err = waiting.communicate()
    assert waiting.returncode == 0 and "nothing new" in out, err[-2000:]


def test_garbage_warehouse_is_one_line_naming_the_file(raw, tmp_path):
    target = tmp_path / "t"
    target.mkdir()
    (target / "warehouse.duckdb").write_bytes(os.urandom(4096))
    proc = run_bronze(raw, target, check=False)
    assert proc.returncode == 5
    assert str(target / "warehouse.duckdb") in one_error_line(proc)
    (target / "warehouse.duckdb").unlink()
    (target / "warehouse.duckdb").mkdir()  # a wrong path: a folder
    proc = run_bronze(raw, target, check=False)
    assert proc.returncode == 5 and "is a directory" in one_error_line(proc)


def test_dry_run_changes_nothing(raw, tmp_path):
    target = tmp_path / "t"
    proc = run_bronze(raw, target, "--dry-run")
    assert "orders_header" in proc.stdout and "files" in proc.stdout
    assert not target.exists()  # no warehouse, no lock file, no dlt state


def test_missing_or_empty_raw_folder_is_a_clear_error(tmp_path):
    proc = run_bronze(tmp_path / "nowhere", tmp_path / "t", check=False)
    assert proc.returncode == 2 and "generate it first" in one_error_line(proc)
    (tmp_path / "empty").mkdir()
    proc = run_bronze(tmp_path / "empty", tmp_path / "t", check=False)
    assert proc.returncode == 2 and "holds no raw files" in one_error_line(proc)
    assert not (tmp_path / "t" / "warehouse.duckdb").exists()


@pytest.mark.parametrize("folder", ["lake", "pipelines"])
def test_a_file_where_a_folder_belongs_is_a_clear_error_before_any_work(raw, tmp_path, folder):
    """--lake or --pipelines-dir naming a file: one line, exit 2, nothing loaded (it failed with a
    traceback before, the lake's halfway through the run, after the load into DuckDB)."""
    target = tmp_path / "t"
    target.mkdir()
    (target / folder).write_text("a file")
    proc = run_bronze(raw, target, check=False)
    assert proc.returncode == 2 and f"{target / folder} is a file, not a folder" in one_error_line(proc)
    assert not (target / "warehouse.duckdb").exists()
    if folder == "pipelines":  # the transform takes the same option
        duckdb.connect(str(target / "warehouse.duckdb")).close()
        proc = transform(target / "warehouse.duckdb", pipelines_dir=target / folder)
        assert proc.returncode == 2 and "is a file, not a folder" in one_error_line(proc)


def test_a_warehouse_under_a_file_is_a_clear_error(raw, tmp_path):
    """The warehouse's folder is where its lock goes: a file there was a traceback."""
    (tmp_path / "a_file").write_text("a file")
    proc = run_bronze(raw, tmp_path / "t", "--warehouse", str(tmp_path / "a_file" / "warehouse.duckdb"), check=False)
    assert proc.returncode == 2 and f"{tmp_path / 'a_file'} is a file, not a folder" in one_error_line(proc)


def test_bronze_runs_from_any_directory_with_paths_relative_to_it(raw, loaded_copy, tmp_path):
    data, target = loaded_copy
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "pipelines" / "bronze_dlt_pipeline.py"),
            "--raw",
            os.path.relpath(data, tmp_path),
            "--warehouse",
            os.path.relpath(target / "warehouse.duckdb", tmp_path),
            "--lake",
            os.path.relpath(target / "lake", tmp_path),
            "--pipelines-dir",
            os.path.relpath(target / "pipelines", tmp_path),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0 and "nothing new" in proc.stdout, proc.stderr[-2000:]


# -- configured through dlt alone: no flag ---------------------------------------------------


def dlt_env(raw: Path, target: Path) -> dict[str, str]:
    """Settings in dlt's standard environment variables, as a deployment would set them."""
    return dict(
        os.environ,
        DLT_DATA_DIR=str(target / "dlt"),  # pipelines folder: <DLT_DATA_DIR>/pipelines
        SOURCES__RETAIL_BRONZE__RAW_DIR=str(raw),
        DESTINATION__DUCKDB__CREDENTIALS=str(target / "warehouse.duckdb"),
        DESTINATION__FILESYSTEM__BUCKET_URL=str(target / "lake" / "bronze"),
        BRONZE_LAKE__PARQUET_DIR=str(target / "lake" / "bronze" / "parquet"),
        BRONZE_LAKE__REJECTS_DIR=str(target / "lake" / "_rejects"),
    )


def stopped(pid: int) -> bool:
    return Path(f"/proc/{pid}/stat").read_text().split(") ")[1].startswith("T")


@pytest.fixture(scope="module")
def configured_run(raw, tmp_path_factory):
    """A first load configured through dlt's environment variables only, stopped right after its
    DuckDB load (warehouse open, lake not written) while `dbt source freshness` runs against the
    warehouse, then continued: (env, target, bronze run, dbt run)."""
    target = tmp_path_factory.mktemp("configured")
    env = dlt_env(raw, target)
    out, err = target / "bronze.out", target / "bronze.err"
    with out.open("w") as stdout, err.open("w") as stderr:
        load = subprocess.Popen(
            [sys.executable, "pipelines/bronze_dlt_pipeline.py"],
            cwd=ROOT,
            env=dict(env, RETAIL_BRONZE_STOP_AT="loaded"),
            stdout=stdout,
            stderr=stderr,
        )
        while not stopped(load.pid):
            assert load.poll() is None, err.read_text()[-2000:]
            time.sleep(0.2)
        dbt = subprocess.run(
            [os.path.join(os.path.dirname(sys.executable), "dbt"), "source", "freshness", "--profiles-dir", "."],
            cwd=ROOT / "dbt",
            # its own target folder: a parse for this warehouse path would replace the worker's saved one
            env=dict(env, RETAIL_WAREHOUSE=str(target / "warehouse.duckdb"), DBT_TARGET_PATH=str(target / "dbt")),
            capture_output=True,
            text=True,
        )
        load.send_signal(signal.SIGCONT)
        load.wait()
    bronze = subprocess.CompletedProcess(load.args, load.returncode, out.read_text(), err.read_text())
    return env, target, bronze, dbt


@pytest.mark.drill
def test_dbt_source_freshness_during_a_load_does_not_break_it(raw, configured_run):
    env, target, bronze, dbt = configured_run
    assert dbt.returncode != 0 and "Could not set lock" in dbt.stdout + dbt.stderr  # dbt is the one refused
    assert bronze.returncode == 0, bronze.stderr[-2000:]
    assert_exactly_once(raw, target)


@pytest.mark.drill
def test_plain_dlt_cli_sees_the_pipeline(configured_run):
    env, target, _, _ = configured_run
    dlt_cli = os.path.join(os.path.dirname(sys.executable), "dlt")

    def dlt(*args: str) -> str:
        proc = subprocess.run([dlt_cli, *args], cwd=ROOT, env=env, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    assert "dataset_name: bronze" in dlt("pipeline", "retail_bronze", "info")
    assert "Step load COMPLETED" in dlt("pipeline", "retail_bronze", "trace")
    assert "is in LOADED state" in dlt("pipeline", "retail_bronze", "load-package")
    assert "file_manifest:" in dlt("pipeline", "retail_bronze", "schema")
    listed = dlt("pipeline", "--list-pipelines")
    assert "retail_bronze " in listed and "retail_bronze_lake" in listed and str(target / "dlt") in listed


@pytest.mark.drill
def test_attached_pipeline_reads_the_warehouse(configured_run):
    env, target, _, _ = configured_run
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "import dlt\n"
            "pipeline = dlt.attach('retail_bronze')\n"
            "print(pipeline.dataset()('SELECT count(*) FROM orders_lines').fetchall()[0][0])",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert int(proc.stdout) == counts(target)["orders_lines"] > 0


def test_plain_pipeline_run_never_loads_a_file_twice(raw, tmp_path):
    """The source as a dlt user would run it: `pipeline.run(retail_bronze())`, twice."""
    env = dlt_env(raw, tmp_path)
    script = (
        "import dlt\n"
        "from pipelines.bronze import retail_bronze\n"
        "pipeline = dlt.pipeline('plain_bronze', destination='duckdb', dataset_name='bronze')\n"
        "pipeline.run(retail_bronze(tables=['orders_header']))\n"
        "pipeline.run(retail_bronze(tables=['orders_header']))\n"
        "print(pipeline.dataset()('SELECT count(*) FROM orders_header').fetchall()[0][0])"
    )
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert int(proc.stdout.split()[-1]) == sum(raw_records(p) for p in raw.glob("orders_header/*/*.csv"))


def test_project_is_dlts_run_context_from_any_directory(tmp_path):
    """With no DLT_ variable, dlt finds the project's settings and its pipelines folder from anywhere."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DLT_", "SOURCES__", "DESTINATION__"))}
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "import dlt\nfrom dlt.common.pipeline import get_dlt_pipelines_dir\n"
            "print(get_dlt_pipelines_dir()); print(dlt.config['sources.retail_bronze.raw_dir'])",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == [str(ROOT / ".dlt" / "pipelines"), "data_raw"]


def test_make_clean_removes_the_pipelines_state():
    """`make clean` removes the folder dlt keeps retail_bronze's state in (dry run: the commands only)."""
    proc = subprocess.run(["make", "-n", "clean"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0
    assert ".dlt/pipelines" in proc.stdout.split()
