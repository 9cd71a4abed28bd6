# The two commands of the README: `make run` and `make test`. Both bootstrap .venv from
# the pinned lock file on a machine that has only Python 3.11+ and make, then install the
# project itself in editable mode (its packages, and the dlt plugin that anchors dlt's
# settings and pipelines folder at the project root: pipelines/dlt_run_context.py).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed
SECRETS := .dlt/secrets.toml

SEED   ?= 42
SCALE  ?= 0.01
# pytest-xdist workers of `make test` (each test module runs whole on one worker; the session's
# shared datasets and builds are made once for all workers); TEST_WORKERS=1 runs it serially
TEST_WORKERS ?= 2
RAW    ?= data_raw

.PHONY: run daily schedule test test-drills test-spark install-spark lint format install generate bronze bronze-info transform optimize bi screenshots bench realism lock clean

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required; set PYTHON=/path/to/python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

# Local settings dlt only reads from secrets (the warehouse path): created once from the
# committed example; the file itself is git-ignored, for real credentials.
$(SECRETS):
	cp .dlt/example.secrets.toml $@

install: $(STAMP) | $(SECRETS)

## The main job end to end at a small default scale (SCALE=0.01): generate -> bronze ->
## silver + gold, then a summary (rows per layer, net sales, rejects, time per step).
run: $(STAMP) | $(SECRETS)
	$(PY) pipelines/main_job.py --seed $(SEED) --scale $(SCALE) --raw $(RAW)

## The scheduled run: the next day(s) after the latest in the raw folder, through every layer,
## data-quality metrics (gold.dq_metrics) and a log in logs/. Settings: [scheduled_run] in
## .dlt/config.toml; options: python pipelines/scheduled_run.py --help (DAILY_ARGS="--late-file").
daily: $(STAMP) | $(SECRETS)
	$(PY) pipelines/scheduled_run.py $(DAILY_ARGS)

## The crontab line of the scheduled run; `make schedule INSTALL=1` installs it for this user.
schedule: $(STAMP) | $(SECRETS)
	@$(PY) pipelines/scheduled_run.py --crontab $(if $(INSTALL),--install)

generate: $(STAMP)
	$(PY) -m generators --seed $(SEED) --scale $(SCALE) --out $(RAW)

bronze: $(STAMP) | $(SECRETS)
	$(PY) pipelines/bronze_dlt_pipeline.py --raw $(RAW)

## Silver and gold: one `dbt build` through dlt's dbt runner.
transform: $(STAMP) | $(SECRETS)
	$(PY) pipelines/transform_pipeline.py

## Lake maintenance: compact the Delta lake (sorted by date where a table has one), VACUUM
## (168 h retention, dry-run list first), coalesce the Parquet lake's small files. Takes the
## warehouse lock. Time travel: python -m pipelines.lake history|show|diff|restore --help
optimize: $(STAMP) | $(SECRETS)
	$(PY) -m pipelines.lake optimize

## dlt's own view of the last bronze run: plain `dlt pipeline retail_bronze info|trace|schema|load-package`
## works from the project root (the pipelines folder is .dlt/pipelines).
bronze-info: $(STAMP) | $(SECRETS)
	$(BIN)/dlt pipeline retail_bronze info

## The BI app on the Gold that `make run` published: http://127.0.0.1:8501. Sign-in with the
## accounts of analytics/users.toml when that file exists, else the demo mode (persona picker,
## no sign-in); BI_MODE=accounts|demo chooses explicitly.
BI_MODE ?= $(if $(wildcard analytics/users.toml),accounts,demo)
bi: $(STAMP) | $(SECRETS)
	@$(PY) -m analytics.gold
	@echo "BI app in $(BI_MODE) mode on http://127.0.0.1:8501 (Ctrl+C stops it)"
	cd analytics && RETAIL_BI_MODE=$(BI_MODE) ../$(PY) serve.py

## Screenshots of every page for the README (docs/images/bi_*.png), from the published Gold.
screenshots: $(STAMP) | $(SECRETS)
	$(PY) -m analytics.screenshots

## The test suite (small scales, real files) but its drills: the tests that run bronze and/or
## an every-node dbt build of their own (pytest marker `drill`) are `make test-drills`. CI runs both.
test: $(STAMP) | $(SECRETS)
	$(PY) -m pytest -q -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder -m "not drill"

## The drills: runbook drills, kill drills, the main job and the scheduled runs end to end,
## incremental builds compared with full ones, lake maintenance.
test-drills: $(STAMP) | $(SECRETS)
	$(PY) -m pytest -q -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder -m drill

## Scale-out proofs (docs/scale_out.md): the dbt project built on Spark (local mode) from the
## bronze lake a DuckDB build used, compared with that build; and bronze's Delta lake on an
## S3-compatible server (moto) by configuration alone. Installs Java 17 when missing (as root).
SPARK_STAMP := $(VENV)/.spark-installed
MOTO_VENV   := .venv-moto
$(SPARK_STAMP): $(STAMP) requirements-spark.lock
	$(PY) -m pip install --quiet --no-deps -r requirements-spark.lock
	@touch $@

$(MOTO_VENV)/.installed: requirements-moto.lock
	$(PYTHON) -m venv $(MOTO_VENV)
	$(MOTO_VENV)/bin/pip install --quiet -r requirements-moto.lock
	@touch $@

install-spark: $(SPARK_STAMP) $(MOTO_VENV)/.installed

test-spark: install-spark | $(SECRETS)
	@command -v java >/dev/null || [ "$$(id -u)" != 0 ] || \
		(apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q openjdk-17-jre-headless)
	RETAIL_SCALE_OUT=1 $(PY) -m pytest -q tests/test_scale_out_spark.py tests/test_scale_out_s3.py

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

## Full-scale benchmark; writes docs/benchmarks.md. The end-to-end runs (`make run` at
## scale 1.0 and 3.0, each from nothing) take about 15 minutes on 2 cores.
bench: $(STAMP) | $(SECRETS)
	$(PY) -m benchmarks.generator --scale 1.0
	$(PY) -m benchmarks.bronze --scale 1.0
	$(PY) -m benchmarks.transform
	$(PY) -m benchmarks.bi
	$(PY) -m benchmarks.end_to_end --scales 1.0 3.0

## The data realism scorecard at full scale (seed 42): generates into .bench/realism and
## writes docs/data_realism.md; fails when a metric is out of its range.
REALISM_SCALE ?= 1.0
realism: $(STAMP)
	$(PY) -m generators --seed 42 --scale $(REALISM_SCALE) --out .bench/realism --quiet
	$(PY) -m benchmarks.realism --raw .bench/realism --write

## Re-freeze requirements.lock from pyproject.toml in a throwaway venv.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet --upgrade pip
	.lock-venv/bin/pip install --quiet -e '.[test,lint]'
	( echo '# Frozen transitive dependency set (pip freeze of a clean venv built from pyproject.toml). Regenerate with `make lock`.'; \
	  .lock-venv/bin/pip freeze --exclude-editable ) > requirements.lock
	rm -rf .lock-venv

clean:
	rm -rf $(RAW) .bench .dlt/pipelines duckdb/warehouse.duckdb duckdb/warehouse.duckdb.wal duckdb/warehouse.lock
	rm -rf lake/bronze/delta lake/bronze/parquet/* lake/_rejects/* lake/gold lake/spark dbt/target dbt/logs
