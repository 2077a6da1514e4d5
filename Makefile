# briefing-bot — the two commands of the quick start are `make run` and `make test`.
# Needs only Python 3.11+ and make: the first target run creates .venv and installs into it,
# with the exact versions pinned in requirements.lock (`make lock` re-pins after a change of the
# ranges in pyproject.toml, which are what library users of the package get).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test lint typecheck pytest coverage format bench install lock clean browser

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

install: $(STAMP)

## run: the main job on the bundled sample store (the bot when DISCORD_TOKEN is set)
run: $(STAMP)
	$(BIN)/python scripts/run.py

## test: the whole suite: lint, format check, type check, tests
test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy briefings bot scripts tests bench

## browser: Debian's chromium and chromium-driver for the web panel's tests (apt-get, as root)
browser:
	@bash scripts/ensure_chromium.sh

## pytest: the tests; the state layer's also against a throwaway PostgreSQL when installed
pytest: $(STAMP) browser
	PYTHON=$(BIN)/python bash scripts/test.sh

## bench: the store index benchmarks at 10,000 and 100,000 articles and the warm CLI call (minutes; not in make test)
bench: $(STAMP)
	$(BIN)/python bench/run.py
	$(BIN)/python bench/cli.py
	$(BIN)/python bench/scale.py

## coverage: the tests with branch coverage of briefings/ and bot/ (aim: 90 % on briefings/)
coverage: $(STAMP)
	PYTHON=$(BIN)/python bash scripts/test.sh -q --cov --cov-report=term
	$(BIN)/python -m coverage report --include='briefings/*' --format=total \
		| sed 's/^/branch coverage of briefings\/: /; s/$$/ %/'

## lock: re-pin requirements.lock from pyproject.toml's ranges (the latest versions they allow)
lock: $(STAMP)
	$(BIN)/pip-compile --quiet --extra dev --strip-extras --no-emit-index-url --no-emit-find-links \
		--output-file requirements.lock pyproject.toml

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis data/sample-store
