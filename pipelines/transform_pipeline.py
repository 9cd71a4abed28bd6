"""Silver and gold: `dbt build` of the dbt project in `dbt/`, run through dlt's dbt runner against
the bronze warehouse.

    python pipelines/transform_pipeline.py [--warehouse FILE] [--pipelines-dir DIR] [--select ...]

Plain `cd dbt && dbt build` works too (the profile reads RETAIL_WAREHOUSE, defaulting to
../duckdb/warehouse.duckdb).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.chdir(ROOT)  # dlt reads .dlt/config.toml from the working directory

import dlt  # noqa: E402
from dlt.common.runners import Venv  # noqa: E402
from dlt.helpers.dbt.exceptions import DBTProcessingError  # noqa: E402

from pipelines.bronze_dlt_pipeline import bronze_pipeline  # noqa: E402
from pipelines.publish_gold import publish_after_build  # noqa: E402
from pipelines.pseudonym_key import pseudonym_key  # noqa: E402

DBT_PROJECT = ROOT / "dbt"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python pipelines/transform_pipeline.py", description=__doc__.splitlines()[0])
    p.add_argument("--warehouse", type=Path, default=Path(dlt.config["bronze.warehouse"]))
    p.add_argument("--pipelines-dir", type=Path, default=Path(dlt.config["bronze.pipelines_dir"]))
    p.add_argument("--select", nargs="+", help="dbt selection (default: everything)")
    p.add_argument("--full-refresh", action="store_true", help="rebuild incremental models from scratch")
    return p.parse_args(argv)


def failed_nodes(run_results: Path) -> list[tuple[str, str, str]]:
    """(status, node name, first line of the message) of every node that failed or errored."""
    try:
        results = json.loads(run_results.read_text())["results"]
    except (OSError, ValueError, KeyError):
        return []
    return [
        (
            r["status"],
            r["unique_id"].split(".")[-2] if r["unique_id"].count(".") > 2 else r["unique_id"],
            (r.get("message") or "").splitlines()[0] if r.get("message") else "",
        )
        for r in results
        if r["status"] in ("fail", "error")
    ]


def node_layer(node: dict, nodes: dict) -> str:
    """silver or gold (snapshots and seeds count as silver); a test belongs to the latest
    layer among the nodes it depends on."""
    if node["resource_type"] == "test":
        parents = [nodes[p] for p in node["depends_on"]["nodes"] if p in nodes]
        return "gold" if any(node_layer(p, nodes) == "gold" for p in parents) else "silver"
    return "gold" if node.get("schema") == "gold" else "silver"


def layer_seconds(target: Path) -> dict[str, float]:
    """dbt node time per layer of the last dbt build: the execution time of the layer's
    models, snapshots, seeds and tests, summed (dbt runs 2 threads, so the sum of both
    layers can exceed the wall time), from dbt's run_results.json and manifest.json."""
    try:
        nodes = json.loads((target / "manifest.json").read_text())["nodes"]
        results = json.loads((target / "run_results.json").read_text())["results"]
    except (OSError, ValueError, KeyError):
        return {}
    seconds: dict[str, float] = {}
    for r in results:
        if r["unique_id"] in nodes:
            layer = node_layer(nodes[r["unique_id"]], nodes)
            seconds[layer] = seconds.get(layer, 0.0) + r["execution_time"]
    return {layer: seconds[layer] for layer in ("silver", "gold") if layer in seconds}


def describe_layer_seconds(target: Path) -> str:
    """'silver 4.1 s + gold 3.8 s' for the last dbt build ('' when dbt left no results)."""
    return " + ".join(f"{layer} {seconds:.1f} s" for layer, seconds in layer_seconds(target).items())


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ["DBT_ENV_SECRET_PSEUDONYM_KEY"] = pseudonym_key()  # dbt scrubs DBT_ENV_SECRET_* from its logs
    if not args.warehouse.exists():
        print(
            f"error: warehouse {args.warehouse} does not exist; run the bronze pipeline first "
            "(python pipelines/bronze_dlt_pipeline.py)",
            file=sys.stderr,
        )
        return 2
    os.environ["RETAIL_WAREHOUSE"] = str(args.warehouse.resolve())
    pipeline = bronze_pipeline(args.warehouse, args.pipelines_dir)
    # The runner starts `python` from a venv: ours (sys.prefix), which has dbt-duckdb,
    # whether or not it was activated.
    runner = dlt.dbt.package(pipeline, str(DBT_PROJECT), venv=Venv.restore(sys.prefix))
    # No --fail-fast: every failing test is reported, and dbt skips what depends on a failure.
    params = (["--select", *args.select] if args.select else []) + (["--full-refresh"] if args.full_refresh else [])
    started = time.perf_counter()
    try:
        # `dbt build` (models, tests, seeds, snapshots in DAG order): the runner's public
        # methods cover run/test only, so its command entry point is used directly.
        results = runner._run_dbt_command("build", params)
    except DBTProcessingError:
        # The runner's exception loses dbt's results on its way out of the subprocess;
        # dbt's own run_results.json names every failing node.
        failed = failed_nodes(DBT_PROJECT / "target" / "run_results.json")
        for status, name, message in failed:
            print(f"  {status.upper():<6} {name}: {message}", file=sys.stderr)
        if failed:
            print(
                f"error: dbt build failed ({len(failed)} failing nodes, details in the dbt log above); "
                "fix the data or the model, then run again",
                file=sys.stderr,
            )
        else:
            print(
                "error: dbt could not start the build (a parse, compile or connection error, shown above); "
                "fix the project or the warehouse path, then run again",
                file=sys.stderr,
            )
        return 1
    counts: dict[str, int] = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    print(
        f"silver + gold: dbt build of {len(results)} nodes in {time.perf_counter() - started:.1f} s "
        f"({', '.join(f'{k} {v}' for k, v in sorted(counts.items()))})"
    )
    return publish_after_build(args.warehouse)  # Gold as Parquet for readers (the BI app), atomically swapped


if __name__ == "__main__":
    sys.exit(main())
