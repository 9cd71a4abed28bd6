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
    planted = {m.name: m for m in scorecard(raw)}
    assert not planted[name].passed
    assert planted[name].value == headers.filter(pl.col("channel") == "pos").height > 0


def test_a_bot_like_customer_fails_the_scorecard(realistic, metrics, tmp_path):
    name = "most orders by one customer in a day"
    assert metrics[name].passed
    raw = _linked_copy(realistic, tmp_path / "planted")
    path = raw / "orders_header" / "order_dt=2025-03-03" / "part-00000.csv"
    headers = pl.read_csv(path, infer_schema=False)
    copies = pl.concat([headers.head(1)] * 6).with_columns(  # one customer, six more orders that day
        order_id=(pl.int_range(1, 7) + 900_000_000).cast(pl.String)
    )
    _replace(path, pl.concat([headers, copies]))
    planted = {m.name: m for m in scorecard(raw)}
    assert not planted[name].passed and planted[name].value >= 7
