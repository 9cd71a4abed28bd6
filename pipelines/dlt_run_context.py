"""The project's dlt run context: dlt finds the project's settings and pipelines from any directory.

dlt's default run context reads `.dlt/` from the current directory and keeps pipeline
working folders in a per-user folder (`~/.dlt/pipelines`, or `/var/dlt/pipelines` as root)
shared by every project on the machine. This context, registered as a dlt plugin (entry
point group `dlt` in pyproject.toml, installed by `make install`), anchors dlt at the
project root instead:

- settings: `<project>/.dlt/config.toml` and `secrets.toml`, from any working directory;
- relative destination paths (the DuckDB warehouse, a local lake `bucket_url`): from the
  project root;
- pipeline working folders (state, pending packages): `<project>/.dlt/pipelines`, beside
  the warehouse they belong to, so `dlt pipeline retail_bronze info` works from the
  project with no flag and `make clean` removes them.

dlt's own environment variables still win: `DLT_PROJECT_DIR`, `DLT_LOCAL_DIR` and
`DLT_DATA_DIR` (tests give every warehouse its own data folder this way).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from dlt.common import known_env
from dlt.common.configuration import plugins
from dlt.common.configuration.specs.pluggable_run_context import RunContextBase
from dlt.common.pipeline import get_dlt_pipelines_dir
from dlt.common.runtime.run_context import DOT_DLT, RunContext, active

from pipelines.folders import usable_folder

PROJECT_ROOT = Path(__file__).resolve().parents[1]


class ProjectRunContext(RunContext):
    """dlt's default run context, rooted at the project instead of the working directory."""

    def __init__(self, run_dir: str | None = None) -> None:
        super().__init__(str(PROJECT_ROOT))

    @property
    def data_dir(self) -> str:
        return os.environ.get(known_env.DLT_DATA_DIR, str(PROJECT_ROOT / DOT_DLT))


@plugins.hookimpl(specname="plug_run_context")
def plug_project_run_context(run_dir: str | None, runtime_kwargs: dict[str, Any] | None) -> RunContextBase | None:
    """The project context, unless dlt is explicitly pointed at a folder outside the project."""
    if run_dir is not None and not Path(run_dir).resolve().is_relative_to(PROJECT_ROOT):
        return None
    return ProjectRunContext(run_dir)


def configured_path(value: str) -> Path:
    """A path from dlt config: relative paths start where dlt puts relative local files (the
    run context's `local_dir`, the project root by default), as dlt does for a DuckDB file or
    a local `bucket_url`."""
    path = Path(value)
    return path if path.is_absolute() else Path(active().local_dir) / path


def dlt_pipelines_dir(option: Path | None = None) -> str:
    """dlt's working folder for the project's pipelines: an explicit one (`--pipelines-dir`), or
    dlt's default (this context's `.dlt/pipelines`, or `$DLT_DATA_DIR/pipelines`).

    Raises:
        RunFailed(USAGE): the folder cannot be created or written.
    """
    if option:
        return str(usable_folder(option.resolve(), "--pipelines-dir"))
    return str(usable_folder(Path(get_dlt_pipelines_dir()), "dlt's pipelines folder"))
