"""dbt's unit tests (`unit_tests:` in the models' yml): the transform leaves them out of its builds
(dbt runs them in development and CI, not in production); the suite runs every one of them here,
once, through the transform's own switch."""

from __future__ import annotations

import json

import yaml
from conftest import DBT_TARGET, ROOT
from dbt_runs import pipeline_env


def test_every_unit_test_passes_when_the_transform_is_asked_for_them(built, workspace):
    defined = {
        test["name"]: test["model"]
        for path in (ROOT / "dbt" / "models").rglob("*.yml")
        for test in yaml.safe_load(path.read_text()).get("unit_tests", [])
    }
    assert len(defined) >= 10
    workspace.checkout(built)  # a unit test reads the columns of the relations its model refers to
    # `dbt build` runs a unit test with its model, before building it. The unit tests are selected
    # directly and no data test comes with their models (dbt's DBT_INDIRECT_SELECTION, which the
    # transform's dbt inherits): the models' data tests run in every other build of the suite.
    env = pipeline_env(DBT_INDIRECT_SELECTION="empty")
    proc = workspace.transform("--unit-tests", "--select", "test_type:unit", *sorted(set(defined.values())), env=env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    results = json.loads((DBT_TARGET / "run_results.json").read_text())["results"]
    passed = {r["unique_id"].rsplit(".", 1)[1] for r in results if r["unique_id"].startswith("unit_test.")}
    assert passed == set(defined) and all(r["status"] in ("pass", "success") for r in results)
