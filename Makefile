# The verbs a newcomer needs. Everything installs into .venv with pip; nothing by hand.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed

.PHONY: install protos lint format test run bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## Regenerate the gRPC stubs in adreel/v1 from protos/ (never edit them by hand).
protos: install
	$(BIN)/buf lint protos
	$(BIN)/python scripts/gen_protos.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## The whole suite: lint, then every test against real PostgreSQL, NATS, FFmpeg and gRPC.
test: install lint
	$(BIN)/python -m pytest

## The whole mesh on embedded defaults; prints the URL.
run: install
	$(BIN)/python -m stack

## Every benchmark, one after another (each is also one command on its own; see README).
bench: install
	$(BIN)/python -m bench.compose
	$(BIN)/python -m bench.clip
	$(BIN)/python -m bench.fanout
	$(BIN)/python -m bench.e2e
	$(BIN)/python -m bench.ledger
	$(BIN)/python -m bench.load

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
