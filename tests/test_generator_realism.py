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


def _planted(realistic: Path, target: Path, day: str, change) -> tuple[Path, pl.DataFrame]:
    """A copy of the dataset whose files link to the original, except one day's orders file,
    rewritten by `change`; returns the copy and that file's original rows."""
    shutil.copytree(realistic, target, copy_function=os.symlink)
    path = target / "orders_header" / f"order_dt={day}" / "part-00000.csv"
    headers = pl.read_csv(path, infer_schema=False)
    path.unlink()
    change(headers).write_csv(path, line_terminator="\n", null_value="")
    return target, headers


def _measured(raw: Path, metric) -> float:
    planted = {m.name: m for m in scorecard(raw, groups=(metric.group,))}[metric.name]
    assert not planted.passed, f"{metric.name} passes on planted data: {planted.value}"
    assert planted.value is not None
    return planted.value


def test_stores_trading_at_night_fail_the_scorecard(realistic, metrics, tmp_path):
    metric = metrics["in-store orders outside trading hours"]
    assert metric.passed
    night = pl.col("order_ts").str.slice(0, 11) + "03" + pl.col("order_ts").str.slice(13)  # 03:xx local time
    raw, headers = _planted(
        realistic,
        tmp_path / "planted",
        "2024-06-14",
        lambda h: h.with_columns(order_ts=pl.when(pl.col("channel") == "pos").then(night).otherwise("order_ts")),
    )
    pos = headers.filter(pl.col("channel") == "pos").height
    assert _measured(raw, metric) > 0.9 * pos > 0  # orders with an orphaned store aside


def test_an_order_before_its_customer_joined_fails_the_scorecard(realistic, metrics, tmp_path):
    metric = metrics["orders before the customer's join time"]
    assert metric.passed
    customers = pl.read_csv(realistic / "customers.csv", infer_schema=False)
    joined_late = customers.filter(pl.col("join_ts") > "2025-03-04")["customer_id"][0]
    raw, headers = _planted(  # the whole day's orders by a customer who joined the day after
        realistic, tmp_path / "planted", "2025-03-03", lambda h: h.with_columns(customer_id=pl.lit(joined_late))
    )
    assert _measured(raw, metric) > 0.9 * headers.height  # orders with an orphaned store aside
