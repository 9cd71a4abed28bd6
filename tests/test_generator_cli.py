"""Bad arguments and bad output folders give a clear error, never a traceback."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys

import pytest
from conftest import ROOT, SCALE, SEED, raw_files, run_generator

from generators.new_column_values import VALUES
from generators.new_columns import NEW_COLUMNS

GENERATION_LIBRARIES = {"numpy", "polars", "pyarrow"}


@pytest.mark.parametrize(
    "args, message",
    [
        (["--scale", "-1"], "must be greater than 0"),
        (["--scale", "0"], "must be greater than 0"),
        (["--scale", "abc"], "is not a number"),
        (["--seed", "-3"], "must not be negative"),
        (["--days", "2"], "--start-date and --days go together"),
        (["--start-date", "2026-13-01", "--days", "2"], "is not a date"),
        (["--start-date", "2023-01-01", "--days", "2"], "must be after"),
        (["--late-days", "2"], "--late-days belongs to an increment"),
        (["--start-date", "2026-01-01", "--days", "100000"], "--days is at most 731"),
        (["--start-date", "2099-12-30", "--days", "3"], "run past 2099-12-31"),
        (["--start-date", "2026-01-01", "--days", "1", "--late-days", "100000"], "before the base window's first day"),
        (["--only", "nonsense"], "invalid choice"),
        (["--add-column", "products.brand"], "--add-column belongs to an increment"),
        (["--start-date", "2026-01-01", "--days", "1", "--add-column", "products.colour"], "invalid choice"),
    ],
)
def test_bad_arguments(args, message, tmp_path):
    proc = run_generator("--out", str(tmp_path / "out"), *args, check=False)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("args", [["--help"], ["--scale", "0"], ["--days", "2"]])
def test_usage_is_answered_without_the_generation_libraries(args):
    """--help and usage errors load no numpy, polars or pyarrow (a second of imports per call otherwise)."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "generators", *args], cwd=ROOT, capture_output=True, text=True
    )
    imported = {
        line.rsplit("|", 1)[1].strip().split(".")[0]
        for line in proc.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert "generators" in imported, proc.stderr  # -X importtime did report the imports
    assert imported.isdisjoint(GENERATION_LIBRARIES), sorted(imported & GENERATION_LIBRARIES)


def test_every_new_column_choice_has_its_values():
    assert VALUES.keys() == NEW_COLUMNS.keys()


def test_unwritable_out(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    proc = run_generator("--scale", SCALE, "--out", str(blocker / "sub"), check=False)
    assert proc.returncode == 2
    assert "cannot write to --out" in proc.stderr and "Traceback" not in proc.stderr
    proc = run_generator("--scale", SCALE, "--out", str(blocker), check=False)
    assert proc.returncode == 2 and "is a file" in proc.stderr


def test_foreign_non_empty_folder_is_refused(tmp_path):
    (tmp_path / "precious.txt").write_text("keep me")
    proc = run_generator("--scale", SCALE, "--out", str(tmp_path), check=False)
    assert proc.returncode == 2 and "not written by the generator" in proc.stderr
    assert (tmp_path / "precious.txt").read_text() == "keep me"


def test_increment_needs_a_base(tmp_path):
    proc = run_generator(
        "--scale", SCALE, "--out", str(tmp_path / "empty"), "--start-date", "2026-01-01", "--days", "1", check=False
    )
    assert proc.returncode == 2 and "no base dataset" in proc.stderr


def test_only_regenerates_a_subset(raw, tmp_path):
    out = tmp_path / "d"
    shutil.copytree(raw, out)  # the session's base dataset (seed SEED)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and "returns" not in p.parts}
    (out / "customers.csv").unlink()
    proc = run_generator("--seed", SEED, "--scale", SCALE, "--out", str(out), "--only", "customers")
    assert proc.returncode == 0
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and "returns" not in p.parts}
    assert after == before  # the same bytes come back, the rest is untouched


def test_progress_and_summary_are_shown(raw):
    """The session's base dataset was generated without --quiet (conftest `raw`)."""
    stdout, stderr = ((raw.parent / f"generator.{name}").read_text() for name in ("stdout", "stderr"))
    assert "rows" in stderr and "MB written" in stderr
    assert "orders_header" in stdout and "total" in stdout


def test_an_interrupted_run_is_completed_by_the_next(raw, tmp_path):
    """Ctrl-C: one line and exit 130, no traceback (the generator's threads stop with it); the same
    command again writes the batch whole: the same bytes as the session's uninterrupted run."""
    out = tmp_path / "d"
    command = ["--seed", SEED, "--scale", SCALE, "--out", str(out)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "generators", *command],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    first = proc.stderr.readline()  # the first progress line: the run is under way
    proc.send_signal(signal.SIGINT)
    rest = proc.stderr.read()
    assert proc.wait() == 130, (first, rest)
    assert first.startswith("[") and "interrupted:" in rest and "Traceback" not in rest
    assert not (out / "_manifest.json").exists()  # what it wrote is not taken for a batch

    run_generator(*command)
    assert raw_files(out) == raw_files(raw)
