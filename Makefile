# Two entry points, both self-contained on a fresh machine with Python 3.11:
#   make report   set up .venv and analyze seeds/ into reports/
#   make test     set up .venv (+ headless Chromium for browser tests) and run the suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: report test bench accuracy lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

report: $(STAMP)
	$(BIN)/lineage analyze seeds --out reports

test: $(STAMP)
	bash scripts/install-browser.sh
	$(BIN)/python -m pytest; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: the suite is broken" >&2; exit 1; fi; \
	exit $$rc

bench: $(STAMP)
	$(BIN)/python bench/throughput.py

accuracy: $(STAMP)
	$(BIN)/python bench/accuracy.py

lint: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/ruff check lineage tests bench tools
	$(BIN)/ruff format --check lineage tests bench tools
	$(BIN)/mypy lineage --ignore-missing-imports

clean:
	rm -rf $(VENV) build *.egg-info
