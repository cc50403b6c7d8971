# Bawaba: `make run` serves the platform with demo data; `make test` runs the whole suite.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
BAWABA := $(VENV)/bin/bawaba
HOST ?= 127.0.0.1
PORT ?= 8000

RUN_DEBS := gettext
TEST_DEBS := gettext chromium
BENCH_DEBS := wrk

.PHONY: run setup test lint check-migrations translations css css-check openapi bench clean

setup: $(VENV)/.installed translations

$(VENV)/.installed: pyproject.toml requirements.lock
	@scripts/apt-install $(RUN_DEBS)
	@if [ ! -x $(PY) ]; then python=$$(scripts/find-python) || exit 1; "$$python" -m venv $(VENV); fi
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.lock
	$(PY) -m pip install -q --no-deps -e .
	@touch $@

translations: $(VENV)/.installed
	@cd src/bawaba && ../../$(BAWABA) compilemessages --ignore=.venv -v 0

run: setup
	@mkdir -p var
	$(BAWABA) migrate --noinput -v 0
	$(BAWABA) catalogue load
	$(BAWABA) demo accounts
	$(BAWABA) demo bills
	$(BAWABA) pki demo-ca
	@scripts/run-dev $(HOST) $(PORT)

frontend/node_modules/.package-lock.json: frontend/package-lock.json
	@command -v npm >/dev/null || scripts/apt-install nodejs npm
	npm ci --prefix frontend --no-audit --no-fund --loglevel=error

css: frontend/node_modules/.package-lock.json
	npm run --prefix frontend build

# Rebuilds the committed front-end files and fails if they differ from what is committed.
css-check: css
	@if [ -n "$$(git status --porcelain -- src/bawaba/static/bawaba)" ]; then \
		git status --short -- src/bawaba/static/bawaba; \
		echo "The committed front-end build is stale: run 'make css' and commit."; exit 1; fi

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache
	$(BAWABA) makemigrations --check --dry-run --settings=bawaba.settings.test

openapi: $(VENV)/.installed
	$(BAWABA) export_openapi_schema --api bawaba.api.urls.api --indent 2 --sorted --output openapi/v1.json --settings=bawaba.settings.test

test: setup frontend/node_modules/.package-lock.json
	@scripts/apt-install $(TEST_DEBS)
	@scripts/ensure-redis
	$(MAKE) --no-print-directory lint
	$(VENV)/bin/pytest $(PYTEST_ARGS)

bench: setup
	@scripts/apt-install $(BENCH_DEBS)
	$(PY) -m bench.run

clean:
	rm -rf var $(VENV) frontend/node_modules
