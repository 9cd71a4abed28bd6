# The two commands of the README: `make run` and `make test`. Both bootstrap .venv from
# the pinned lock file on a machine that has only Python 3.11+ and make. The code runs
# from the project root (python -m ...), so the project itself needs no install step.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed

SEED   ?= 42
SCALE  ?= 0.01
RAW    ?= data_raw

.PHONY: run test lint format install generate bronze bronze-info transform optimize bench lock clean

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required; set PYTHON=/path/to/python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	@touch $(STAMP)

install: $(STAMP)

## The main job end to end at a small default scale (SCALE=0.01): generate -> bronze ->
## silver + gold, then a summary (rows per layer, net sales, rejects, time per step).
run: $(STAMP)
	$(PY) pipelines/main_job.py --seed $(SEED) --scale $(SCALE) --raw $(RAW)

generate: $(STAMP)
	$(PY) -m generators --seed $(SEED) --scale $(SCALE) --out $(RAW)

bronze: $(STAMP)
	$(PY) pipelines/bronze_dlt_pipeline.py --raw $(RAW)

## Silver and gold: one `dbt build` through dlt's dbt runner.
transform: $(STAMP)
	$(PY) pipelines/transform_pipeline.py

## Lake maintenance: compact the Delta lake (sorted by date where a table has one), VACUUM
## (168 h retention, dry-run list first), coalesce the Parquet lake's small files. Takes the
## warehouse lock. Time travel: python -m pipelines.lake history|show|diff|restore --help
optimize: $(STAMP)
	$(PY) -m pipelines.lake optimize

## dlt's own view of the last bronze run (the pipelines folder is kept in-project).
bronze-info: $(STAMP)
	DLT_DATA_DIR=$(CURDIR)/.dlt $(BIN)/dlt pipeline retail_bronze info

## The test suite (small scales, real files).
test: $(STAMP)
	$(PY) -m pytest -q

## Lint: ruff (check + format), sqlfluff on the dbt project, mypy on the Python packages.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	cd dbt && ../$(BIN)/sqlfluff lint . --disable-progress-bar
	$(BIN)/mypy schemas generators pipelines

## Apply the formatters (ruff format + safe fixes, sqlfluff fix).
format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	cd dbt && ../$(BIN)/sqlfluff fix . --disable-progress-bar

## Full-scale benchmark; writes docs/benchmarks.md.
bench: $(STAMP)
	$(PY) -m benchmarks.generator --scale 1.0
	$(PY) -m benchmarks.bronze --scale 1.0
	$(PY) -m benchmarks.transform

## Re-freeze requirements.lock from pyproject.toml in a throwaway venv.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet --upgrade pip
	.lock-venv/bin/pip install --quiet -e '.[test,lint]'
	( echo '# Frozen transitive dependency set (pip freeze of a clean venv built from pyproject.toml). Regenerate with `make lock`.'; \
	  .lock-venv/bin/pip freeze --exclude-editable ) > requirements.lock
	rm -rf .lock-venv

clean:
	rm -rf $(RAW) .bench .dlt/pipelines duckdb/warehouse.duckdb duckdb/warehouse.bronze.lock
	rm -rf lake/bronze/delta lake/bronze/parquet/* lake/_rejects/* dbt/target dbt/logs
