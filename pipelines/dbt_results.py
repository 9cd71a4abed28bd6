"""Reading what a dbt invocation left in its target folder (`dbt/target/`, or DBT_TARGET_PATH):
the nodes that failed and the time spent per layer. Only an invocation that started at or after
a given moment counts, so a `run_results.json` left by an earlier build is never reported as
this run's."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

DBT_PROJECT = Path(__file__).resolve().parents[1] / "dbt"
# dbt's own override of the project's target-path (relative paths start at the project).
TARGET = DBT_PROJECT / os.environ.get("DBT_TARGET_PATH", "target")


def run_results(target: Path = TARGET, since: datetime | None = None) -> list[dict[str, Any]]:
    """The results of the last dbt invocation, or [] when there are none (newer than `since`)."""
    try:
        document = json.loads((target / "run_results.json").read_text())
        results: list[dict[str, Any]] = document["results"]
        generated = datetime.fromisoformat(document["metadata"]["generated_at"].replace("Z", "+00:00"))
    except (OSError, ValueError, KeyError):
        return []
    if since is not None and generated < since:
        return []
    return results


def failed_nodes(results: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """(status, node name, first line of the message) of every node that failed or errored."""
    return [
        (
            r["status"],
            r["unique_id"].split(".")[-2] if r["unique_id"].count(".") > 2 else r["unique_id"],
            (r.get("message") or "").splitlines()[0] if r.get("message") else "",
        )
        for r in results
        if r["status"] in ("fail", "error")
    ]


def node_layer(node: dict[str, Any], nodes: dict[str, Any]) -> str:
    """silver or gold (snapshots and seeds count as silver); a test belongs to the latest
    layer among the nodes it depends on."""
    if node["resource_type"] == "test":
        parents = [nodes[p] for p in node["depends_on"]["nodes"] if p in nodes]
        return "gold" if any(node_layer(p, nodes) == "gold" for p in parents) else "silver"
    return "gold" if node.get("schema") == "gold" else "silver"


def layer_seconds(target: Path = TARGET, since: datetime | None = None) -> dict[str, float]:
    """dbt node time per layer of the last dbt build: the execution time of the layer's
    models, snapshots, seeds and tests, summed (dbt runs 2 threads, so the sum of both
    layers can exceed the wall time), from dbt's run_results.json and manifest.json."""
    results = run_results(target, since)
    try:
        nodes = json.loads((target / "manifest.json").read_text())["nodes"]
    except (OSError, ValueError, KeyError):
        return {}
    seconds: dict[str, float] = {}
    for r in results:
        if r["unique_id"] in nodes:
            layer = node_layer(nodes[r["unique_id"]], nodes)
            seconds[layer] = seconds.get(layer, 0.0) + r["execution_time"]
    return {layer: seconds[layer] for layer in ("silver", "gold") if layer in seconds}


def describe_layer_seconds(target: Path = TARGET, since: datetime | None = None) -> str:
    """'silver 4.1 s + gold 3.8 s' for the last dbt build ('' when dbt left no results)."""
    return " + ".join(f"{layer} {seconds:.1f} s" for layer, seconds in layer_seconds(target, since).items())
