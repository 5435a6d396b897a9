# The two commands a new user needs: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=
WORKERS ?= 2

.PHONY: demo test test-fast lint format bench lock schema messages clean help

help:
	@echo "make demo    run the demo conference on http://127.0.0.1:8000"
	@echo "make test    run the whole test suite (PostgreSQL too when DATABASE_URL is set)"
	@echo "make lint    ruff, migrations check; make format; make bench; make schema"

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/cmeconf demo

test: $(STAMP)
	$(BIN)/python -m pytest -n $(WORKERS) $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/cmeconf makemigrations --check --dry-run

format: $(STAMP)
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

schema: $(STAMP)
	$(BIN)/cmeconf spectacular --validate --fail-on-warn --file docs/api/openapi.yaml

bench: $(STAMP)
	$(BIN)/python bench/run.py
	$(BIN)/python bench/activity_file.py
	$(BIN)/python bench/checkin.py
	$(BIN)/python bench/licensure.py
	$(BIN)/python bench/certificates.py

# Re-pin every dependency after changing pyproject.toml.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --upgrade pip
	.lock-venv/bin/python -m pip install --quiet -e '.[dev]'
	.lock-venv/bin/python -m pip freeze --exclude-editable | grep -v '^-e' > requirements.lock
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) var
