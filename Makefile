# The verbs a newcomer needs. Everything installs into .venv exactly as uv.lock records it.
PY      ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
UV      := $(BIN)/uv
export UV_PROJECT_ENVIRONMENT := $(abspath $(VENV))

.PHONY: install lock outdated preflight protos lint format test run bench clean

## .venv = uv.lock, exactly: missing packages installed, other versions replaced, strays removed.
## uv comes first, by pip with its hashes from the lock; a fresh machine gets the tested set.
install:
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	test -x $(UV) || $(BIN)/python -m pip install --quiet --no-deps --require-hashes -r scripts/uv-bootstrap.txt
	$(UV) sync --locked --quiet

## The one way the lock changes: re-resolve pyproject.toml (UPGRADE=1: to the newest releases),
## then derive the uv bootstrap and every image's requirements.txt from the new lock.
lock:
	test -x $(UV) || $(MAKE) install
	$(UV) lock $(if $(UPGRADE),--upgrade)
	$(UV) sync --locked --quiet
	$(BIN)/python scripts/lockfile.py bootstrap > scripts/uv-bootstrap.txt
	$(BIN)/python deploy/images.py pin

## A report, never a failure: what the lock holds back, and what newer releases exist.
outdated: install
	-$(UV) tree --outdated --depth 1 --quiet
	-npm outdated --prefix frontend

## The system packages the suite drives (Chromium, fonts, Node.js): present, and at which versions.
preflight:
	bash .ci/system-packages check

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
test: install preflight lint
	$(BIN)/python -m pytest

## The whole mesh on embedded defaults; prints the URL.
run: install
	$(BIN)/python -m stack

## Every benchmark, one after another (each is also one command on its own; see README).
bench: install
	$(BIN)/python -m bench.compose
	$(BIN)/python -m bench.preview
	$(BIN)/python -m bench.clip
	$(BIN)/python -m bench.fanout
	$(BIN)/python -m bench.e2e
	$(BIN)/python -m bench.ledger
	$(BIN)/python -m bench.load
	$(BIN)/python -m bench.batch
	$(BIN)/python -m bench.scale

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
