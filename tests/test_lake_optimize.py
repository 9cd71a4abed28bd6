"""`python -m pipelines.lake optimize` (make optimize): Delta compaction and VACUUM, Parquet
coalescing, without breaking bronze's guarantees (identical rows in the three destinations,
exactly-once lake exports, later incremental runs)."""

from __future__ import annotations

import fcntl
import json
from pathlib import Path

import pytest
from bronze_checks import TABLES, three_destinations, warehouse
from conftest import INCREMENT, SCALE, SEED, run_bronze, run_generator
from deltalake import DeltaTable
from test_lake_travel import assert_one_line_error, copy_target, run_lake

import duckdb

# Each runs bronze and/or an every-node dbt build of its own: `make test-drills` (CI runs both tiers).
pytestmark = pytest.mark.drill

SECOND_INCREMENT = ("--start-date", "2026-01-03", "--days", "2", "--late-days", "1")
THIRD_INCREMENT = ("--start-date", "2026-01-05", "--days", "2")


@pytest.fixture(scope="module")
def incremented(raw, bronze, tmp_path_factory) -> tuple[Path, Path]:
    """Bronze after two daily increments (with late files): small files in Delta and Parquet."""
    raw, target = copy_target(raw, bronze, tmp_path_factory.mktemp("lake_increments"))
    for increment in (INCREMENT, SECOND_INCREMENT):
        run_generator("--seed", SEED, "--scale", SCALE, "--out", str(raw), *increment)
        run_bronze(raw, target)
    return raw, target


@pytest.fixture()
def lake_copy(incremented, tmp_path) -> tuple[Path, Path]:
    return copy_target(*incremented, tmp_path)


def delta_files(target: Path, table: str) -> tuple[list[tuple], int]:
    """Active files' partitions, and all data files on disk (active or not yet vacuumed)."""
    path = target / "lake" / "bronze" / "delta" / table
    actions = DeltaTable(path).get_add_actions(flatten=True)
    names = actions.column_names
    partitions = list(zip(*[actions.column(n).to_pylist() for n in names if n.startswith("partition.")], strict=True))
    return partitions or [()] * actions.num_rows, len(list(path.rglob("*.parquet")))


def parquet_folders(target: Path) -> dict[Path, list[str]]:
    root = target / "lake" / "bronze" / "parquet"
    return {
        folder: sorted(f.name for f in folder.glob("*.parquet"))
        for folder in [root, *root.rglob("*")]
        if folder.is_dir() and any(folder.glob("*.parquet"))
    }


def assert_three_destinations_identical(target: Path) -> None:
    for table in TABLES:
        prints = three_destinations(target, table)
        assert len(set(prints.values())) == 1, (table, prints)


def newest_load(target: Path) -> str:
    with warehouse(target) as con:
        return con.sql("SELECT max(load_id) FROM bronze._dlt_loads WHERE status = 0").fetchone()[0]


def test_optimize_compacts_and_bronze_keeps_its_guarantees(lake_copy):
    raw, target = lake_copy
    # A crash between writing a load's Parquet files and recording the export leaves files that
    # the next bronze run rewrites under the same names: they must not be coalesced meanwhile.
    unrecorded = newest_load(target)
    with duckdb.connect(str(target / "warehouse.duckdb")) as con:
        con.execute("DELETE FROM ops.lake_exports WHERE load_id = ? AND target = 'parquet'", [unrecorded])
    before = {t: delta_files(target, t) for t in TABLES}
    versions = {t: DeltaTable(target / "lake" / "bronze" / "delta" / t).version() for t in TABLES}
    folders_before = parquet_folders(target)

    proc = run_lake("optimize", raw=raw, target=target)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("dry run: 0 files") == len(TABLES)  # 168 h: nothing is old enough yet
    for table in TABLES:
        partitions, on_disk = delta_files(target, table)
        assert len(partitions) == len(set(partitions)), table  # one file per partition now
        assert on_disk >= before[table][1], table  # the replaced files stay for time travel
    assert sum(len(p) for p, _ in before.values()) > sum(len(delta_files(target, t)[0]) for t in TABLES)
    for folder, names in parquet_folders(target).items():
        own = [n for n in names if unrecorded in n]
        assert own == [n for n in folders_before.get(folder, []) if unrecorded in n], folder
        assert len(names) - len(own) <= 1, (folder, names)
    assert sum(map(len, parquet_folders(target).values())) < sum(map(len, folders_before.values()))
    assert_three_destinations_identical(target)
    # OPTIMIZE changed files, not rows: the version before it and the one after hold the same rows.
    for table in ("events", "shipments", "orders_lines"):
        proc = run_lake("diff", f"bronze.{table}", str(versions[table]), "latest", raw=raw, target=target)
        assert proc.returncode == 0, proc.stdout

    # The next bronze run rewrites the unrecorded export in place; a later increment loads as usual.
    run_bronze(raw, target)
    assert_three_destinations_identical(target)
    with warehouse(target) as con:
        rows = con.sql("SELECT count(*) FROM bronze.orders_lines").fetchone()[0]
    run_generator("--seed", SEED, "--scale", SCALE, "--out", str(raw), *THIRD_INCREMENT)
    run_bronze(raw, target)
    with warehouse(target) as con:
        assert con.sql("SELECT count(*) FROM bronze.orders_lines").fetchone()[0] > rows
    assert_three_destinations_identical(target)

    # A short retention (tests only: it gives up time travel) really deletes the replaced files.
    proc = run_lake("optimize", "--retention-hours", "0", "--unsafe-retention", raw=raw, target=target)
    assert proc.returncode == 0, proc.stderr
    assert "deleted" in proc.stdout
    for table in TABLES:
        partitions, on_disk = delta_files(target, table)
        assert on_disk == len(partitions), table
    assert_three_destinations_identical(target)


def test_dry_run_changes_nothing(lake_copy):
    raw, target = lake_copy

    def state() -> dict:
        return {p: (p.stat().st_size, p.stat().st_mtime_ns) for p in (target / "lake").rglob("*") if p.is_file()}

    before = state()
    proc = run_lake("optimize", "--dry-run", raw=raw, target=target)
    assert proc.returncode == 0, proc.stderr
    assert "would rewrite" in proc.stdout and "would coalesce" in proc.stdout
    assert state() == before


def test_interrupted_coalescing_is_completed_or_undone(lake_copy):
    """States a killed coalescing leaves, planted by hand: the next run finishes or discards them."""
    raw, target = lake_copy
    parquet = target / "lake" / "bronze" / "parquet"
    # Killed after the new file was in place, before the old ones were removed: rows twice.
    done = parquet / "events" / "src_partition_month=2026-01"
    inputs = sorted(f.name for f in done.glob("load_*.parquet"))
    assert len(inputs) > 1
    loads = [name.removeprefix("load_").rsplit("_", 1)[0] for name in inputs]
    merged = f"loads_{loads[0]}_{loads[-1]}.parquet"
    files = [str(done / f) for f in inputs]
    duckdb.sql(f"COPY (SELECT * FROM read_parquet({files})) TO '{done / merged}' (FORMAT parquet)")
    (done / "_coalesce.json").write_text(json.dumps({"target": merged, "inputs": inputs}))
    # Killed while writing: a partial file and its journal.
    undone = parquet / "orders_lines" / "src_partition_month=2026-01"
    (undone / "loads_3_4.parquet.tmp").write_bytes(b"PAR1 half a file")
    (undone / "_coalesce.json").write_text(json.dumps({"target": "loads_3_4.parquet", "inputs": ["x.parquet"]}))
    prints = three_destinations(target, "events")
    assert prints["parquet"] != prints["duckdb"]

    proc = run_lake("optimize", raw=raw, target=target)
    assert proc.returncode == 0, proc.stderr
    for folder in (done, undone):
        assert not (folder / "_coalesce.json").exists() and not list(folder.glob("*.tmp"))
        assert len(list(folder.glob("*.parquet"))) == 1, sorted(folder.iterdir())
    assert_three_destinations_identical(target)


def test_optimize_is_refused_while_bronze_runs(incremented):
    raw, target = incremented
    with open(target / "warehouse.lock", "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        proc = run_lake("optimize", raw=raw, target=target)
    assert_one_line_error(proc, 3, "in use by another run")


def test_short_retention_needs_to_be_meant(incremented):
    raw, target = incremented
    assert_one_line_error(run_lake("optimize", "--retention-hours", "24", raw=raw, target=target), 2, "168")
