# microcert — the two commands are `make run` and `make test`; everything they need is here.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 8000

VERIFIERS := tools/verifiers
NODE_STAMP := $(VERIFIERS)/node_modules/.installed-stamp
SYSTEM_STAMP := var/.system-packages-stamp

.PHONY: run test lint audit soak install migrate demo messages lock clean system-packages verifiers bench

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11+ is required"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

install: $(STAMP)

# Fonts (Noto, with CJK) for PDF certificates and Chromium for browser tests, from Debian.
$(SYSTEM_STAMP): scripts/system-packages.sh
	scripts/system-packages.sh
	@mkdir -p var && touch $(SYSTEM_STAMP)

system-packages: $(SYSTEM_STAMP)

# The independent credential verifiers (Node 20, pinned by package-lock.json).
$(NODE_STAMP): $(VERIFIERS)/package.json $(VERIFIERS)/package-lock.json
	cd $(VERIFIERS) && npm ci --no-audit --no-fund --loglevel=error
	@touch $(NODE_STAMP)

verifiers: $(NODE_STAMP)

migrate: install system-packages
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

## Set up, migrate, load the demo data (once) and serve on http://127.0.0.1:8000
run: demo
	@echo ""
	@echo "  microcert is starting on http://$(HOST):$(PORT)/"
	@echo "    catalogue:   http://$(HOST):$(PORT)/en/   (also /vi/, /zh-hans/, /fr/)"
	@echo "    frameworks:  http://$(HOST):$(PORT)/en/frameworks/"
	@echo "    CASE 1.1:    http://$(HOST):$(PORT)/ims/case/v1p1/CFDocuments"
	@echo "    teachers:    http://$(HOST):$(PORT)/en/learn/   assessors: /en/review/   institutions: /en/institution/"
	@echo "    REST API:    http://$(HOST):$(PORT)/api/v1/openapi.json"
	@echo "    admin:       http://$(HOST):$(PORT)/en/admin/"
	@echo ""
	$(PY) manage.py runserver $(HOST):$(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

## Security checks: bandit on our code (fails on high severity), pip-audit on the lock file
## (says plainly when no advisory source answers)
audit: install
	scripts/audit.sh

## Set up and run the whole test suite (SQLite by default; DATABASE_URL selects PostgreSQL)
test: lint audit system-packages verifiers
	DATABASE_URL=sqlite://:memory: $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest -n 2

## Benchmarks on a database of their own (var/bench/ on SQLite, microcert_bench on PostgreSQL):
## one table on screen, figures merged into var/bench/results.json (see bench/README.md)
bench: install
	$(PY) -m bench.run

## Ten minutes of mixed traffic (pages, verification, issuance) through gunicorn; fails on any
## error or growing memory (see docs/reliability.md). SOAK_SECONDS=60 for a short run.
soak: install system-packages
	$(PY) -m soak.run

## Re-extract UI strings into the gettext catalogues (needs GNU gettext)
messages: install
	cd src/microcert && ../../$(PY) ../../manage.py makemessages -l vi -l zh_Hans -l fr --no-obsolete --ignore "*/tests/*"
	cd src/microcert && ../../$(PY) ../../manage.py compilemessages

## Re-resolve the pinned dependencies after editing pyproject.toml
lock: install
	$(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements.lock

clean:
	rm -rf $(VENV) var
