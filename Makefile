# Quick start: `make reproduce` then `make test`. Both create .venv from the lock file when missing.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: reproduce test test-fast venv lock clean

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

venv: $(STAMP)

reproduce: $(STAMP)
	$(BIN)/sidedoor reproduce

test: $(STAMP)
	$(BIN)/python -m pytest -q

# For the development loop only; `make test` runs everything.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow"

# Regenerate the lock file from pyproject's dependencies (needs network access to PyPI).
lock:
	rm -rf .lockenv && $(PYTHON) -m venv .lockenv
	.lockenv/bin/pip install --quiet --upgrade pip
	.lockenv/bin/pip install --quiet -e ".[test]"
	.lockenv/bin/pip freeze --exclude-editable | grep -v '^sidedoor' > requirements.lock
	rm -rf .lockenv

clean:
	rm -rf $(VENV) report .pytest_cache
