# backcoach: `make run` serves the app, `make test` runs every check.
VENV    := .venv
PY      := $(VENV)/bin/python
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed-stamp
NPM_STAMP := node_modules/.installed-stamp

.PHONY: setup run test lint bench accuracy clean

LOCALE_PO := $(wildcard src/backcoach/locale/*/LC_MESSAGES/*.po)
LOCALE_MO := $(LOCALE_PO:.po=.mo)

setup: $(STAMP) $(NPM_STAMP) $(LOCALE_MO)  ## venv, Python and npm dependencies, vendored front-end assets, compiled translations

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[vision,dev]'
	touch $(STAMP)

$(NPM_STAMP): package.json package-lock.json scripts/vendor_assets.py
	npm ci --no-audit --no-fund --loglevel=error
	$(PY) scripts/vendor_assets.py
	touch $(NPM_STAMP)

# One translation catalog compiled (scripts/i18n.py update|check for translators).
%.mo: %.po $(STAMP)
	$(PY) scripts/i18n.py compile-one $<

run: setup  ## migrate the database and serve the web app on http://127.0.0.1:8000
	$(BIN)/backcoach db upgrade
	$(BIN)/backcoach serve --host 127.0.0.1 --port 8000

lint: setup  ## ruff, strict mypy and ESLint (our own JS, not vendor/)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/mypy --strict src tests/support
	npx --no-install eslint src/backcoach/web/static/js eslint.config.js

test: lint  ## every test: unit, integration (SQLite + PostgreSQL), browser, video
	$(BIN)/pytest

bench: setup  ## speed and memory figures with their targets, printed (never asserted); BENCH="--quick web" for a short web run
	$(PY) -m benchmarks $(BENCH)

accuracy: setup  ## docs/accuracy.md: counting, hold-time and form accuracy on the shared clips and synthetic suites
	$(PY) -m benchmarks.accuracy

clean:
	rm -rf $(VENV) node_modules src/backcoach/web/static/vendor
