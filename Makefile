# Two commands on a fresh machine: `make run` and `make test`. Both set up .venv through `make install`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run chat test lint bench eval clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: install
	$(BIN)/strategibot ingest
	$(BIN)/strategibot chat

chat: install
	$(BIN)/strategibot chat

lint: install
	$(BIN)/ruff check .

test: install lint
	$(BIN)/python -m pytest -q -p no:cacheprovider

eval: install
	$(BIN)/strategibot eval ../shared/eval/devset.jsonl

bench: install
	$(BIN)/python tests/bench.py

clean:
	rm -rf $(VENV) build *.egg-info
