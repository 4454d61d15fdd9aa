# robodrl — one command each: `make demo`, `make test`. Everything installs into .venv.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.robodrl-setup
TORCH := torch==2.13.0
export MUJOCO_GL ?= egl

.PHONY: setup demo test test-slow test-recipes bench lint format docs docs-tables clean

setup: $(STAMP)

# torch goes in first and pinned: a bare `torch` requirement would pull a multi-GB CUDA build.
$(STAMP): pyproject.toml
	bash .ci/system-deps.sh
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q $(TORCH)
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

demo: setup
	$(BIN)/robodrl demo

test: setup
	$(BIN)/python -m pytest -q

test-slow: setup
	$(BIN)/python -m pytest -q -m 'not recipes'

test-recipes: setup
	$(BIN)/python -m pytest -q -m recipes tests/recipes

bench: setup
	$(BIN)/python benchmarks/env_throughput.py
	$(BIN)/python benchmarks/dr_overhead.py
	$(BIN)/python benchmarks/train_throughput.py
	$(BIN)/python benchmarks/export_latency.py
	$(BIN)/python benchmarks/eval_throughput.py

# the documentation site (site/) from docs/, warnings as errors; docs-tables rewrites the
# generated tables in docs/*.md from the code (a test fails when they are stale)
docs: setup
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet

docs-tables: setup
	$(BIN)/python docs/tables.py

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info site
