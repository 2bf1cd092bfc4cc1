# Every target that runs something first makes sure .venv exists and is current.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup system-deps demo test sweep-local lint clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# Debian packages the container and browser parts need (idempotent; root on these machines).
system-deps:
	bash scripts/install-system-deps.sh

# The main job: a local end-to-end sweep through API Gateway, both Lambdas and S3 on the emulator.
demo: setup
	$(BIN)/python -m pipeline demo

# Everything CI runs: static checks, unit, functional, end-to-end (zip and image functions).
test: setup system-deps
	$(BIN)/python -m pipeline ci

# The same sweep without any AWS emulator: in-process, results under out/.
sweep-local: setup
	$(BIN)/python -m pipeline run --local tests/fixtures/requests/runbook.json --out out/local
	$(BIN)/python -m pipeline verify --run-id demo-run-001 --source out/local

lint: setup
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache
