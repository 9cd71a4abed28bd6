"""How one local lake folder (`--lake DIR` of bronze, the main job and the lake commands) holds
bronze's lakes. Standard library only: the lake commands read it without importing dlt."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DELTA_DATASET = "delta"  # the Delta lake pipeline's dataset: the tables' folder under the bucket URL


@dataclass(frozen=True)
class LakeFolders:
    bucket: Path  # the Delta lake's bucket URL (dlt's filesystem destination)
    delta: Path  # the Delta tables: <bucket>/delta/<table>
    parquet: Path  # the Parquet lake: <parquet>/<table>
    rejects: Path  # the rejects: <rejects>/<table>


def lake_folders(root: Path) -> LakeFolders:
    bucket = root / "bronze"
    return LakeFolders(bucket, bucket / DELTA_DATASET, bucket / "parquet", root / "_rejects")
