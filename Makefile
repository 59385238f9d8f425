# Bokbot: `make run` starts the assistant, `make test` runs every test. See README.md.

SHELL := /bin/bash
VENV := .venv
RASA_VENV := .venv-rasa
PY := $(VENV)/bin/python
RASA_PY := $(RASA_VENV)/bin/python
RASA_VERSION := 3.6.21
# Debian packages the tests need (browser, hledger/ledger-cli, PDF tools, fonts, WeasyPrint's Pango,
# speech: espeak-ng for pronunciations and spoken replies, ffmpeg for audio, sox for the voice tests;
# receipts: Tesseract OCR with its Norwegian and English models).
SYSTEM_PACKAGES := chromium hledger ledger poppler-utils fonts-dejavu-core fonts-inter libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 espeak-ng ffmpeg sox tesseract-ocr tesseract-ocr-nor tesseract-ocr-eng postgresql-client

# Beside today (SQLite and PostgreSQL), `make test` runs the tests of everything that reads a
# date (the ledger, the actions, the REST API, in two processes, on SQLite: the day, not the
# engine, is what changes) and the end-to-end tests again with the clock pinned to days whose
# windows cross a year's end, the second of them on PostgreSQL (less the tests of process
# faults, replicas and voice accuracy, which no day changes). Any
# day works for the whole suite the same way: BOKBOT_TODAY=2027-02-28 make test
# (BOKBOT_TEST_BACKEND=postgresql puts the end-to-end stack on the local PostgreSQL server).
OTHER_DAYS := 2026-12-31:sqlite 2027-01-01:postgresql
DATED_TESTS := tests/ledger tests/actions tests/api

.PHONY: run setup test lint types contracts unit nlu-test conversations e2e other-days nlu-report system-deps train bench clean

run: setup
	$(VENV)/bin/bokbot up

setup: $(VENV)/.installed $(RASA_VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@py=$$(bot/find-python.sh 3.11 2>/dev/null || bot/find-python.sh 3.12 2>/dev/null || bot/find-python.sh 3.13) || \
	  { echo "Python 3.11 or newer is needed for .venv (looked for python3.11, python3.12, python3.13)."; exit 1; }; \
	  test -x $(PY) || $$py -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

$(RASA_VENV)/.installed: nlu/requirements.txt
	@py=$$(bot/find-python.sh 3.10) || exit 1; \
	  test -x $(RASA_PY) || $$py -m venv $(RASA_VENV)
	$(RASA_PY) -m pip install --quiet --upgrade pip setuptools wheel
	$(RASA_PY) -m pip install --quiet rasa==$(RASA_VERSION) -r nlu/requirements.txt
	touch $@

system-deps:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else echo "Please install these Debian packages: $$missing (sudo apt-get install $$missing)"; exit 1; fi; \
	fi

train: setup
	$(VENV)/bin/bokbot train

test: setup system-deps
	$(MAKE) lint types contracts unit nlu-test conversations e2e other-days

other-days:
	@for pair in $(OTHER_DAYS); do \
	  day=$${pair%%:*}; backend=$${pair##*:}; \
	  echo "== the unit and end-to-end tests on $$day ($$backend)"; \
	  BOKBOT_TODAY=$$day BOKBOT_TEST_BACKEND=$$backend $(PY) -m pytest -q -n 2 -m "not e2e and not postgres" $(DATED_TESTS) || exit 1; \
	  BOKBOT_TODAY=$$day BOKBOT_TEST_BACKEND=$$backend $(PY) -m pytest -q tests/e2e -m "not processes" || exit 1; \
	done

lint:
	$(VENV)/bin/ruff check bot nlu actions ledger channels tests bench

types:
	$(VENV)/bin/mypy ledger

contracts:
	$(VENV)/bin/lint-imports

unit:
	$(PY) -m pytest -q -n 2 -m "not e2e" --ignore=tests/nlu --ignore=tests/e2e

nlu-test:
	PYTHONPATH=. $(RASA_PY) -m pytest -q -p no:cacheprovider tests/nlu

conversations:
	tests/conversations/run.sh

e2e:
	$(PY) -m pytest -q tests/e2e

nlu-report: setup
	PYTHONPATH=. $(RASA_PY) -m nlu.report

bench: setup
	$(PY) -m bench.ledger_bench --backend sqlite
	$(PY) -m bench.ledger_bench --backend postgresql
	$(PY) -m bench.voice

clean:
	rm -rf var/cache models/*.tar.gz .pytest_cache .mypy_cache .ruff_cache
