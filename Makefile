# Yishi: `make run` serves the demo city, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
PO := $(wildcard translations/*/LC_MESSAGES/messages.po)
MO := $(PO:.po=.mo)
HOST ?= 127.0.0.1
PORT ?= 5000
WORKERS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: run dev test lint venv dev-venv axe migrate translations bench stress screenshots clean

# Two stamps: what the site needs to run (requirements.txt), and that plus the test tools
# (requirements-dev.txt), which only `make test`, `lint`, `bench` and `stress` install.
RUNTIME := $(VENV)/.runtime
DEVTOOLS := $(VENV)/.installed

venv: $(RUNTIME)
dev-venv: $(DEVTOOLS)

$(RUNTIME): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(DEVTOOLS): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@ $(RUNTIME)

# axe-core checks accessibility in the browser tests. Without npm those tests skip (and fail under CI=true).
AXE := node_modules/axe-core/axe.min.js
axe: $(AXE)

$(AXE): package.json package-lock.json
	@if command -v npm >/dev/null; then \
	  npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else \
	  echo "npm is not installed: the accessibility tests will skip (apt-get install -y npm)"; \
	fi

translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po $(RUNTIME)
	$(BIN)/pybabel compile --use-fuzzy -d translations -l $* -i $< -o $@

translations: $(MO)

migrate: venv translations
	$(FLASK) db upgrade

run: migrate
	$(FLASK) seed-demo --if-empty
	@echo "Yishi is at http://$(HOST):$(PORT)/"
	$(BIN)/gunicorn --workers $(WORKERS) --bind $(HOST):$(PORT) --access-logfile - 'app:create_app()'

dev: migrate
	$(FLASK) seed-demo --if-empty
	$(FLASK) run --debug --host $(HOST) --port $(PORT)

lint: dev-venv
	$(BIN)/ruff check .

test: dev-venv axe translations lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# ISSUES (default 1000000) and ENGINE=postgresql (at PGURL) choose the database; it is kept in
# instance/bench and reused while the migrations are the same. wrk measures when installed.
bench: dev-venv translations
	$(BIN)/python bench/relevance.py
	@command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null 2>&1 || \
	  echo "wrk is not installed (apt-get install -y wrk): measuring with a slower Python client"
	$(BIN)/python bench/run.py

# Every bench/stress_*.py (kill -9 during writes, the vote storm…) on SQLite, and with
# ENGINE=postgresql on PostgreSQL too, in STRESS_DATABASE_URL (emptied first). Not part of `make test`.
# Each script reads STRESS_DATABASE_URL (empty: SQLite in a temporary folder) and exits non-zero on a
# lost, duplicated or failed write.
STRESS_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/yishi_stress
stress: dev-venv translations
	@status=0; for script in bench/stress_*.py; do \
	  echo "== $$script on SQLite"; \
	  STRESS_DATABASE_URL= $(BIN)/python $$script || status=1; \
	  if [ "$(ENGINE)" = postgresql ]; then \
	    echo "== $$script on PostgreSQL"; \
	    STRESS_DATABASE_URL=$(STRESS_DATABASE_URL) $(BIN)/python $$script || status=1; \
	  fi; \
	done; exit $$status

# The main pages of a fresh demo in both languages at 1280 and 360 px, into docs/screenshots/ (the
# README shows some; docs/screenshots/.gitignore names those committed). Needs Chromium, as the tests do.
screenshots: dev-venv translations
	$(BIN)/python bench/screenshots.py

clean:
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache $(MO)
