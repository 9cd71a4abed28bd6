"""Delta time travel and restore (`python -m pipelines.lake history|show|diff|restore`) on the raw
returns table and the bronze Delta lake, with the runbook's restore drills end to end."""

from __future__ import annotations

import csv
import fcntl
import io
import json
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from bronze_checks import TABLES, three_destinations, warehouse
from conftest import ROOT, run_bronze
from dbt_runs import transform
from deltalake import DeltaTable

import duckdb


def run_lake(*args: str, raw: Path, target: Path) -> subprocess.CompletedProcess:
    """The real lake CLI in a subprocess, pointed at a raw folder and a bronze target."""
    paths = ["--raw", str(raw), "--lake", str(target / "lake"), "--warehouse", str(target / "warehouse.duckdb")]
    return subprocess.run(
        [sys.executable, "-m", "pipelines.lake", *args, *paths], cwd=ROOT, capture_output=True, text=True
    )


def assert_one_line_error(proc: subprocess.CompletedProcess, code: int, *words: str) -> None:
    assert proc.returncode == code, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert proc.stderr.startswith("error: ") and all(w in proc.stderr for w in words), proc.stderr


def copy_target(raw: Path, bronze: Path, into: Path) -> tuple[Path, Path]:
    """Private copies of a raw folder and a bronze target (warehouse, lake, dlt folder, and any
    published Gold, whose `current` link stays a link) to mutate."""
    shutil.copytree(raw, into / "raw")
    shutil.copytree(bronze, into / "t", symlinks=True)
    return into / "raw", into / "t"


def returns_history(raw: Path) -> dict:
    """The generator's own account of the returns versions it wrote."""
    return json.loads((raw / "_manifest.json").read_text())["returns_history"]


def csv_rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def diff_counts(stdout: str) -> dict[str, int]:
    """The added / removed / changed counts a diff printed."""
    return {
        words[0]: int(words[1].replace(",", ""))
        for words in (line.split() for line in stdout.splitlines())
        if len(words) > 1 and words[0] in ("added", "removed", "changed") and words[1][0].isdigit()
    }


def history_lines(proc: subprocess.CompletedProcess) -> dict[int, str]:
    return {int(line.split()[0]): line for line in proc.stdout.splitlines()[2:]}


def test_history_lists_every_version(raw, bronze):
    expected = returns_history(raw)["versions"]
    proc = run_lake("history", "raw.returns", raw=raw, target=bronze)
    assert proc.returncode == 0, proc.stderr
    lines = history_lines(proc)
    assert sorted(lines) == [v["version"] for v in expected]
    for v in expected:  # rows inserted/updated/deleted per commit
        figures = {
            "create": f" WRITE        {v.get('rows', 0):,}/-/- ",
            "append": f" WRITE        {v.get('rows', 0):,}/-/- ",
            "merge": f" MERGE        {v.get('inserted', 0):,}/{v.get('updated', 0):,}/0 ",
            "delete": f" DELETE       -/-/{v.get('deleted', 0):,} ",
        }[v["operation"]]
        assert figures in lines[v["version"]], lines[v["version"]]
    # Bronze replays the same sequence into its Delta lake, the schema change included.
    proc = run_lake("history", "bronze.returns", raw=raw, target=bronze)
    assert [line.split()[3] for line in proc.stdout.splitlines()[2:]] == ["WRITE", "MERGE", "ADD", "MERGE", "MERGE"]
    assert "fields return_reason_code" in proc.stdout


def test_show_reads_a_version_and_a_timestamp(raw, bronze):
    deleted = returns_history(raw)["deleted_return_ids"]
    where = f"return_id IN ({', '.join(map(str, deleted))})"
    before = run_lake("show", "raw.returns", "2", "--where", where, "--csv", raw=raw, target=bronze)
    after = run_lake("show", "raw.returns", "latest", "--where", where, "--csv", raw=raw, target=bronze)
    assert sorted(int(r["return_id"]) for r in csv_rows(before.stdout)) == sorted(deleted)
    assert csv_rows(after.stdout) == []
    # A timestamp reads the version current at that moment: between the commits of 1 and 2, version 1.
    commits = {h["version"]: h["timestamp"] for h in DeltaTable(raw / "returns").history()}
    between = datetime.fromtimestamp((commits[1] + commits[2]) / 2000, UTC).isoformat()
    proc = run_lake("show", "raw.returns", between, "--csv", "--limit", "10000000", raw=raw, target=bronze)
    versions = returns_history(raw)["versions"]
    assert len(csv_rows(proc.stdout)) == versions[0]["rows"] + versions[1]["rows"]
    assert "return_reason_code" not in proc.stdout.splitlines()[0]  # the column came with version 2
    proc = run_lake("show", "bronze.orders_header", "--limit", "3", raw=raw, target=bronze)
    with warehouse(bronze) as con:
        rows = con.sql("SELECT count(*) FROM bronze.orders_header").fetchone()[0]
    assert proc.returncode == 0 and f": {rows:,} rows" in proc.stdout.splitlines()[0]


def test_diff_counts_added_removed_and_changed_rows(raw, bronze):
    history = returns_history(raw)
    merge, delete = history["versions"][2], history["versions"][3]
    proc = run_lake("diff", "raw.returns", "1", "2", raw=raw, target=bronze)
    assert proc.returncode == 1  # different
    assert diff_counts(proc.stdout) == {"added": merge["inserted"], "removed": 0, "changed": merge["updated"]}
    assert f"e.g. {history['updated_return_ids'][0]}," in proc.stdout
    proc = run_lake("diff", "raw.returns", "2", "3", raw=raw, target=bronze)
    assert diff_counts(proc.stdout) == {"added": 0, "removed": delete["deleted"], "changed": 0}
    # Raw returns and what bronze made of them agree; the bronze lake agrees with DuckDB.
    assert run_lake("diff", "raw.returns", "latest", "warehouse", raw=raw, target=bronze).returncode == 0
    proc = run_lake("diff", "bronze.orders_lines", "latest", "warehouse", raw=raw, target=bronze)
    assert proc.returncode == 0 and "identical" in proc.stdout


def test_diff_finds_a_row_changed_in_the_warehouse(raw, bronze, tmp_path):
    raw, target = copy_target(raw, bronze, tmp_path)
    with duckdb.connect(str(target / "warehouse.duckdb")) as con:
        return_id = con.sql(
            "UPDATE bronze.returns SET qty = qty + 1 WHERE return_id = (SELECT min(return_id) FROM "
            "bronze.returns) RETURNING return_id"
        ).fetchone()[0]
    proc = run_lake("diff", "raw.returns", "latest", "warehouse", raw=raw, target=target)
    assert proc.returncode == 1
    assert diff_counts(proc.stdout) == {"added": 0, "removed": 0, "changed": 1}
    assert f"e.g. {return_id}\n" in proc.stdout and "changed columns: qty 1\n" in proc.stdout


@pytest.mark.parametrize(
    "args, words",
    [
        (("history", "bronze.nope"), ("bronze.nope", "known: raw.returns")),
        (("history", "returns"), ("unknown table",)),
        (("show", "raw.returns", "99"), ("no version 99",)),
        (("show", "raw.returns", "2019-01-01"), ("did not exist",)),
        (("diff", "raw.returns", "soon"), ("neither a version number",)),
        (("show", "raw.returns", "--where", "qty >>> 1"), ("bad --where",)),
        (("restore", "raw.returns", "warehouse"), ("not `warehouse`",)),
    ],
)
def test_bad_input_is_one_clear_line(raw, bronze, args, words):
    assert_one_line_error(run_lake(*args, raw=raw, target=bronze), 2, *words)


@pytest.mark.parametrize(
    "args, words",
    [
        (("history", "raw.returns", "--limit", "-3"), ("argument --limit: must be 1 or more, not -3",)),
        (("history", "raw.returns", "--limit", "0"), ("argument --limit: must be 1 or more, not 0",)),
        (("show", "raw.returns", "--limit", "ten"), ("argument --limit: 'ten' is not a whole number",)),
        (("optimize", "--retention-hours", "-1", "--unsafe-retention"), ("argument --retention-hours: must be 0",)),
    ],
)
def test_bad_counts_are_refused_before_anything_runs(tmp_path, args, words):
    proc = run_lake(*args, raw=tmp_path, target=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert all(w in proc.stderr.splitlines()[-1] for w in words), proc.stderr


def test_optimize_without_a_lake_is_a_clear_error(tmp_path):
    proc = run_lake("optimize", raw=tmp_path, target=tmp_path / "none")
    assert_one_line_error(proc, 2, f"no lake at {tmp_path / 'none' / 'lake'}")
    assert not (tmp_path / "none").exists()  # nothing created


def test_a_warehouse_under_a_file_is_bad_input_not_busy(raw, bronze, tmp_path):
    """The lock beside the warehouse cannot be taken there: exit 2 (bad input), as the pipelines say
    it, not 3 (busy), which would tell a script to try again later."""
    (tmp_path / "a_file").write_text("a file")
    paths = ["--raw", str(raw), "--lake", str(bronze / "lake"), "--warehouse", str(tmp_path / "a_file" / "w.duckdb")]
    proc = subprocess.run(
        [sys.executable, "-m", "pipelines.lake", "optimize", "--dry-run", *paths],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert_one_line_error(proc, 2, f"{tmp_path / 'a_file'} is a file, not a folder")


def test_restore_is_refused_while_bronze_runs(raw, bronze):
    with open(bronze / "warehouse.lock", "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        proc = run_lake("restore", "raw.returns", "2", raw=raw, target=bronze)
    assert_one_line_error(proc, 3, "in use by another run")
    assert DeltaTable(raw / "returns").version() == returns_history(raw)["versions"][-1]["version"]


@pytest.mark.drill
def test_drill_restore_raw_returns_then_bronze_silver_gold_follow(raw, built_target, workspace, tmp_path):
    """The runbook's drill: a delete in the returns source is undone by restoring the version
    before it; bronze applies the restore, the transform rebuilds silver and gold returns."""
    raw, target = copy_target(raw, built_target, tmp_path)  # silver and gold built once already
    deleted = returns_history(raw)["deleted_return_ids"]
    before_delete = returns_history(raw)["versions"][-1]["version"] - 1

    proc = run_lake("restore", "raw.returns", str(before_delete), raw=raw, target=target)
    assert proc.returncode == 0, proc.stderr
    assert diff_counts(proc.stdout) == {"added": len(deleted), "removed": 0, "changed": 0}
    restored = DeltaTable(raw / "returns")
    assert restored.history(1)[0]["operation"] == "RESTORE"
    assert (
        pl.from_arrow(restored.to_pyarrow_table())
        .sort("return_id")
        .equals(pl.from_arrow(DeltaTable(raw / "returns", version=before_delete).to_pyarrow_table()).sort("return_id"))
    )
    run_bronze(raw, target)
    assert run_lake("diff", "raw.returns", "latest", "warehouse", raw=raw, target=target).returncode == 0
    assert len(set(three_destinations(target, "returns").values())) == 1
    with workspace.hosting(target / "warehouse.duckdb") as hosted:
        assert transform(hosted, pipelines_dir=target / "pipelines").returncode == 0
    with warehouse(target) as con:
        gold = {r[0] for r in con.sql("SELECT return_id FROM gold.fct_returns").fetchall()}
        silver = con.sql("SELECT count(*) FROM silver.silver_returns").fetchone()[0]
        raw_rows = restored.to_pyarrow_table().num_rows
    assert set(deleted) <= gold and len(gold) == silver == raw_rows


@pytest.mark.drill
def test_drill_restore_a_damaged_bronze_lake_table(raw, bronze, tmp_path):
    """The bronze lake is a copy of DuckDB bronze: a version equal to DuckDB is restored, any
    other is refused, and silver and gold (which read DuckDB) need nothing."""
    raw, target = copy_target(raw, bronze, tmp_path)
    table = DeltaTable(target / "lake" / "bronze" / "delta" / "orders_lines")
    good = table.version()
    table.delete("src_partition_month = '2024-03'")  # two accidental manual deletes
    table.delete("src_partition_month = '2024-04'")
    prints = three_destinations(target, "orders_lines")
    assert prints["delta"] != prints["duckdb"] == prints["parquet"]

    proc = run_lake("diff", "bronze.orders_lines", "warehouse", "latest", raw=raw, target=target)
    with warehouse(target) as con:
        march = con.sql("SELECT count(*) FROM bronze.orders_lines WHERE src_partition_month = '2024-03'").fetchone()[0]
    assert proc.returncode == 1 and diff_counts(proc.stdout)["removed"] > march  # March and April
    proc = run_lake("diff", "bronze.orders_lines", "warehouse", str(good + 1), raw=raw, target=target)
    assert proc.returncode == 1 and diff_counts(proc.stdout) == {"added": 0, "removed": march, "changed": 0}
    refused = run_lake("restore", "bronze.orders_lines", str(good + 1), raw=raw, target=target)
    assert_one_line_error(refused, 4, "refused", "differs from DuckDB")
    assert DeltaTable(table.table_uri).version() == good + 2  # nothing was committed
    proc = run_lake("restore", "bronze.orders_lines", str(good), raw=raw, target=target)
    assert proc.returncode == 0, proc.stderr
    assert "nothing else to run" in proc.stdout
    assert len(set(three_destinations(target, "orders_lines").values())) == 1
    assert run_lake("diff", "bronze.orders_lines", "latest", "warehouse", raw=raw, target=target).returncode == 0


def test_vacuumed_versions_are_refused_clearly(raw, bronze, tmp_path):
    raw, target = copy_target(raw, bronze, tmp_path)
    proc = run_lake("optimize", "--retention-hours", "0", "--unsafe-retention", raw=raw, target=target)
    assert proc.returncode == 0, proc.stderr
    assert_one_line_error(run_lake("show", "bronze.returns", "0", raw=raw, target=target), 2, "removed by VACUUM")
    assert_one_line_error(run_lake("restore", "bronze.returns", "0", raw=raw, target=target), 2, "removed by VACUUM")


@pytest.mark.drill
def test_drill_rebuild_the_delta_lake_from_duckdb(raw, bronze, tmp_path):
    """When no version equals DuckDB: without the Delta lake and its dlt state, bronze exports every load again."""
    raw, target = copy_target(raw, bronze, tmp_path)
    DeltaTable(target / "lake" / "bronze" / "delta" / "orders_lines").delete("src_partition_month = '2024-05'")
    assert run_lake("diff", "bronze.orders_lines", "latest", "warehouse", raw=raw, target=target).returncode == 1

    shutil.rmtree(target / "lake" / "bronze" / "delta")
    shutil.rmtree(target / "pipelines" / "retail_bronze_lake")
    run_bronze(raw, target)
    for table in TABLES:
        prints = three_destinations(target, table)
        assert len(set(prints.values())) == 1, (table, prints)
