# Two commands on a fresh machine: `make run` and `make test`. Both set up .venv through `make install`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run chat test lint bench load eval fit clean node-tools

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The main job: index the bundled corpus, then the Teams bot with a local Teams client (Agents Playground)
# to open in the browser; without Node.js it says how to get it and runs the bot alone.
run: install node-tools
	$(BIN)/strategibot ingest
	$(BIN)/python -m bot.terminal.run_local

chat: install
	$(BIN)/strategibot chat

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: install lint node-tools
	$(BIN)/python -m pytest -q -p no:cacheprovider

eval: install
	$(BIN)/strategibot eval ../shared/eval/devset.jsonl

# Fit the ranker and the answerability model on the question bank (tests/bank/), choosing their settings and
# the answer thresholds on documents held out of the fit; writes the models and tests/bank/report.md.
fit: install
	$(BIN)/python tests/fit.py

# `make bench SCALE=100000`: the scale-up at that many passages, its vectors on a Chroma server it starts.
bench: install
	$(BIN)/python tests/bench.py $(if $(SCALE),--scale-passages $(SCALE) --chroma-server,)

# The Teams bot under load: `strategibot serve` in its own process, 50 conversations at once against a local
# Bot Connector stand-in (the stress figure, tests/load.py); then a real day's load, 15 questions a second
# against two `strategibot serve` processes sharing PostgreSQL and a Chroma server (tests/load_paced.py).
# Writes build/load-report.json and build/load-paced-report.json and prints Markdown tables.
load: install
	$(BIN)/python tests/load.py
	$(BIN)/python tests/load_paced.py

clean:
	rm -rf $(VENV) build *.egg-info

# --- Teams surface: Node tools for `make run` (Agents Playground) and the browser/manifest tests ---------
node-tools: node_modules/.package-lock.json

node_modules/.package-lock.json: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --ignore-scripts --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: the bot runs without the Teams-like chat (install Node.js 20+ and npm)"; fi
