"""Shared fixtures of the BI tests: the session's built warehouse (conftest `built`: the real
transform on the session bronze) published once as Gold by the real publish CLI, one app server
and one browser per session, and SQL over the warehouse for expected values."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

import duckdb

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from analytics import browser  # noqa: E402


def copy_target(source: Path, target: Path) -> Path:
    """A private copy of a bronze/BI target folder (warehouse, dlt folder, lake, published Gold);
    the `current` link is relative, so it stays valid."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(source / "warehouse.duckdb", target / "warehouse.duckdb")
    for folder in ("pipelines", "lake", "gold"):
        if (source / folder).exists():
            shutil.copytree(source / folder, target / folder, symlinks=True)
    return target / "warehouse.duckdb"


@pytest.fixture(scope="session")
def bi_target(built_target) -> Path:
    """Bronze (the session's) + the real transform, which published Gold to <target>/gold: the
    session's `built_target` (its transform asserts the publish), read-only."""
    return built_target


@pytest.fixture()
def bi_env(bi_target, monkeypatch, tmp_path):
    """The app's environment for in-process tests (AppTest): demo mode on the session's Gold."""
    monkeypatch.setenv("GOLD__PUBLISH_DIR", str(bi_target / "gold"))
    monkeypatch.setenv("RETAIL_BI_MODE", "demo")
    monkeypatch.setenv("RETAIL_BI_USERS", str(tmp_path / "users.toml"))
    return bi_target


def warehouse_sql(target: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(target / "warehouse.duckdb"), read_only=True) as con:
        con.execute("SET TimeZone = 'UTC'")
        return con.execute(sql, params or []).fetchall()


@pytest.fixture(scope="session")
def bi_server(bi_target):
    """One app server (demo mode) on the session's Gold, for every browser test."""
    missing = browser.chromium_missing()
    if missing:
        pytest.skip(f"browser tests need Chromium: {missing}")
    with browser.app_server({"GOLD__PUBLISH_DIR": str(bi_target / "gold"), "RETAIL_BI_MODE": "demo"}) as url:
        yield url


@pytest.fixture(scope="session")
def chromium(bi_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = browser.launch(pw)
        yield instance
        instance.close()
