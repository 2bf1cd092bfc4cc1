# Every target that runs something first makes sure .venv exists and is current.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup system-deps demo test sweep-local lint clean

setup: $(STAMP)

# .venv holds exactly dev.lock (hash-pinned; `python -m pipeline lock` regenerates it), synced by uv,
# which is bootstrapped from its own pin in that lock; the project itself is installed editable.
$(STAMP): pyproject.toml dev.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	awk '/^uv==/{keep=1; print; next} keep && /^ /{print; next} {keep=0}' dev.lock > $(VENV)/uv.lock.txt
	PIP_CONFIG_FILE=/dev/null $(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps \
		--require-hashes -r $(VENV)/uv.lock.txt
	UV_CACHE_DIR=.cache/uv $(BIN)/uv pip sync --quiet --require-hashes --python $(BIN)/python dev.lock
	UV_CACHE_DIR=.cache/uv $(BIN)/uv pip install --quiet --no-deps --python $(BIN)/python -e .
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
