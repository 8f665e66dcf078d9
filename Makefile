# Reelforge: `make run` starts the platform on this machine, `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_INSTALLED := $(VENV)/.installed-run
TEST_INSTALLED := $(VENV)/.installed-test
TEST_WORKERS ?= 2

.PHONY: run test lint bench deps system-deps-run system-deps-test lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(RUN_INSTALLED): requirements.lock $(BIN)/reelforge | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $@

# The `reelforge` command (libs/cli): the checkout on the venv's import path, and a script that runs it.
$(BIN)/reelforge: | $(BIN)/python
	echo "$(CURDIR)" > "$$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))')/reelforge-checkout.pth"
	printf '#!/bin/sh\nexec "%s/python" -m libs.cli "$$@"\n' "$(CURDIR)/$(BIN)" > $@
	chmod +x $@

$(TEST_INSTALLED): requirements-test.lock $(BIN)/reelforge | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-test.lock
	touch $@ $(RUN_INSTALLED)

system-deps-run:
	./scripts/install-system-deps.sh run

system-deps-test:
	./scripts/install-system-deps.sh test

deps: system-deps-run $(RUN_INSTALLED)

## run: start the broker and every service; the API on http://127.0.0.1:8000 (Ctrl-C stops)
run: deps
	$(BIN)/python -m libs.embedded

## test: the whole suite against a real broker, PostgreSQL, SQLite, an S3 server and ffmpeg
test: system-deps-test $(TEST_INSTALLED)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

## lint: ruff over the code, the tests, the benchmarks and the scripts; mypy over the code; import-linter's contracts (pyproject.toml)
lint: $(TEST_INSTALLED)
	$(BIN)/ruff check libs services tests bench scripts
	$(BIN)/mypy libs services
	$(BIN)/lint-imports

## bench: render (vs a bare encode and MoviePy; BENCH_ARGS='--moviepy-python PY'), voices, idle, hops, throughput, gateway, fanout, memory, then the goals' summary atop docs/benchmarks.md (about 28 min on 2 cores)
bench: system-deps-test $(TEST_INSTALLED)
	$(BIN)/python -m bench.render $(BENCH_ARGS)
	$(BIN)/python -m bench.voices
	$(BIN)/python -m bench.idle
	$(BIN)/python -m bench.hops --jobs 10
	$(BIN)/python -m bench.throughput --sizes 10,50,200 --replicated-sizes 10,50
	$(BIN)/python -m bench.gateway --seconds 10
	$(BIN)/python -m bench.fanout
	$(BIN)/python -m bench.memory
	$(BIN)/python -m bench.summary

## lock: re-pin both lock files in clean environments; the run-time pins are taken from the test resolution
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet -r requirements-test.in
	.lock-venv/bin/pip freeze --exclude-editable | sort > requirements-test.lock
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet -r requirements.in -c requirements-test.lock
	.lock-venv/bin/pip freeze --exclude-editable | sort > requirements.lock
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) var .pytest_cache
