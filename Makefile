# casetriage: every task a person or CI needs, from a fresh clone.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
CT := $(BIN)/casetriage
DATA := data/synth
CASES ?= 10000
SEED ?= 7
PORT ?= 3000
export MLFLOW_TRACKING_URI ?= sqlite:///$(CURDIR)/var/mlflow/mlflow.db
export CASETRIAGE_HOME ?= $(CURDIR)/var

.PHONY: bento help setup data data-biased train audit release keys serve run test test-fast test-ui lint format bench notebooks needs-model needs-eval clean

help: ## list every target
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  \033[1m%-12s\033[0m %s\n", $$1, $$2}'

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $@

setup: $(BIN)/.installed ## create .venv and install casetriage with its dev tools

data: setup ## generate the synthetic caseload into data/synth
	$(CT) synth --cases $(CASES) --seed $(SEED) --out $(DATA)

train: setup ## train a candidate risk model and log it to MLflow
	$(CT) train $(DATA)

audit: setup ## a fairness report on the caseload's true probabilities (any table works)
	-$(CT) audit $(DATA)/cases.csv --label crisis_90d --score true_probability --threshold 0.45 \
	  --sensitive race_ethnicity --sensitive sex --sensitive disability --out var/reports/audit-demo

data-biased: setup ## a caseload with injected bias, to watch the fairness gate fail
	$(CT) synth --cases $(CASES) --seed $(SEED) --out data/synth_biased \
	  --label-bias 0.3 --proxy-strength 0.8 --underrepresent "Native American=0.003"

release: setup ## audit the candidate; champion on pass (a 'review' gets a labelled demo sign-off)
	@$(CT) release $(DATA) --report-dir var/reports/latest; code=$$?; \
	if [ $$code -eq 1 ] && grep -q '"verdict": "review"' var/reports/latest/report.json; then \
	  echo "make run: signing off the 'review' as a DEMO on synthetic data (recorded as such)"; \
	  $(CT) signoff candidate --reviewer "make run (demo)" \
	    --reason "Demo on synthetic data only: no ethics review took place; read var/reports/latest/report.html"; \
	else exit $$code; fi

needs-model: setup ## retrain the needs classifier and refiner on corpus/needs/train.jsonl (shipped in features/data)
	$(CT) train-needs

needs-eval: setup ## needs extraction on the dev notes, the training split and the locked split (figures only)
	$(CT) evaluate-needs

bento: setup ## package the champion and the service as a Bento (bentoml build)
	$(CT) bento

keys: setup ## create one demo API key per role (printed once)
	$(CT) keys demo

serve: setup ## serve the API with the champion model on http://127.0.0.1:$(PORT)
	$(CT) serve --port $(PORT)

run: setup data train release keys ## fresh clone to a serving API: install, data, train, audit, release, serve
	@echo
	@echo "API docs:       http://127.0.0.1:$(PORT)/v1/docs"
	@echo "Web pages:      http://127.0.0.1:$(PORT)/ui/  (sign in with a supervisor or ethics_reviewer key above)"
	@echo "Fairness report: var/reports/latest/report.html"
	@echo "MLflow store:   $(MLFLOW_TRACKING_URI)"
	@echo
	$(CT) serve --port $(PORT)

test: setup ## run the whole test suite (slow tests included)
	$(BIN)/python -m pytest

test-fast: setup ## run the fast tests only
	$(BIN)/python -m pytest -m "not slow"

test-ui: setup ## run the browser tests only (needs Debian's chromium)
	$(BIN)/python -m pytest tests/ui

lint: setup ## ruff lint and format check, and the layer contracts (import-linter)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: setup ## apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: setup ## run the benchmarks and print their figures (installs the spark extra)
	@$(BIN)/python -c "import pyspark" 2>/dev/null || $(BIN)/python -m pip install -q -e '.[spark]'
	$(CT) bench

notebooks: setup ## render the notebooks to HTML with their outputs
	$(BIN)/python -m casetriage.notebooks_render notebooks notebooks/_build

clean: ## remove generated data, stores and reports (keeps .venv)
	rm -rf data var mlruns notebooks/_build
