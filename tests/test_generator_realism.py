"""The realism scorecard (benchmarks/realism.py) on a generated dataset: every metric in its
range, and a metric that fails when the data breaks the behaviour it measures.

Scale 0.1 is the smallest where every metric is stable: the top-SKU share needs a catalogue
of a few thousand products (2,500 here) before a 2% ceiling means something, and the
cohort and store metrics need thousands of customers and hundreds of stores.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import polars as pl
import pytest
from conftest import run_generator

from benchmarks.realism import scorecard

REALISM_SCALE = "0.1"


@pytest.fixture(scope="module")
def realistic(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("realism") / "data_raw"
    run_generator("--seed", "7", "--scale", REALISM_SCALE, "--out", str(out))
    return out


@pytest.fixture(scope="module")
def metrics(realistic):
    return {m.name: m for m in scorecard(realistic)}


def test_every_metric_is_in_range(metrics):
    failed = [f"{m.name}: {m.shown(m.value)} not in {m.range_text}" for m in metrics.values() if not m.passed]
    assert not failed, "\n".join(failed)


def _linked_copy(raw: Path, target: Path) -> Path:
    """A copy of the dataset whose files link to the original (only planted files are real copies)."""
    shutil.copytree(raw, target, copy_function=os.symlink)
    return target


def _replace(path: Path, frame: pl.DataFrame) -> None:
    path.unlink()
    frame.write_csv(path, line_terminator="\n", null_value="")


def test_stores_trading_at_night_fail_the_scorecard(realistic, metrics, tmp_path):
    name = "in-store orders outside trading hours"
    assert metrics[name].passed
    raw = _linked_copy(realistic, tmp_path / "planted")
    path = raw / "orders_header" / "order_dt=2024-06-14" / "part-00000.csv"
    headers = pl.read_csv(path, infer_schema=False)
    night = headers.with_columns(  # in-store orders at 03:xx local time
        order_ts=pl.when(pl.col("channel") == "pos")
        .then(pl.col("order_ts").str.slice(0, 11) + "03" + pl.col("order_ts").str.slice(13))
        .otherwise(pl.col("order_ts"))
    )
    _replace(path, night)
    planted = {m.name: m for m in scorecard(raw, groups=(metrics[name].group,))}
    assert not planted[name].passed
    assert planted[name].value > 0.9 * headers.filter(pl.col("channel") == "pos").height  # orphans aside


def test_an_order_before_its_customer_joined_fails_the_scorecard(realistic, metrics, tmp_path):
    name = "orders before the customer's join time"
    assert metrics[name].passed
    raw = _linked_copy(realistic, tmp_path / "planted")
    path = raw / "orders_header" / "order_dt=2025-03-03" / "part-00000.csv"
    headers = pl.read_csv(path, infer_schema=False)
    customers = pl.read_csv(realistic / "customers.csv", infer_schema=False)
    joined_late = customers.filter(pl.col("join_ts") > "2025-03-04")["customer_id"][0]
    _replace(path, headers.with_columns(customer_id=pl.lit(joined_late)))  # the whole day's orders
    planted = {m.name: m for m in scorecard(raw, groups=(metrics[name].group,))}
    assert not planted[name].passed and planted[name].value > 0.9 * headers.height  # orphaned-store orders aside
