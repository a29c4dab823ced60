# Two set-up commands: `make demo` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck unit docs bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "bulkhead needs Python 3.11+ (set PYTHON=python3.11)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)
	@echo "== hardened tenant (expect: no findings, exit 0) =="
	$(BIN)/bulkhead scan examples/hardened --config examples/bulkhead.toml
	@echo
	@echo "== flawed tenant (expect: findings, exit 1) =="
	@$(BIN)/bulkhead scan examples/flawed --config examples/bulkhead.toml; code=$$?; \
	  if [ $$code -ne 1 ]; then echo "expected exit 1 from the flawed tenant, got $$code"; exit 1; fi
	@echo
	@echo "== the example platform: tenancy advice, render, and a scan of the result (expect: clean) =="
	$(BIN)/bulkhead tenancy --platform examples/platform/bulkhead.yaml
	@rm -rf .demo-render
	$(BIN)/bulkhead render examples/platform/bulkhead.yaml --output .demo-render \
	  --redis-image registry.example.com/redis@sha256:3f1c9a0b6e2d4c8f7a5b9e1d0c2f4a6b8d0e2c4f6a8b0d2e4f6a8c0e2d4f6b8a
	$(BIN)/bulkhead scan .demo-render examples/platform/cluster \
	  --approved-registry registry.example.com --fail-on low
	@rm -rf .demo-render
	@echo
	@echo "== an example release: evidence, gates, deployments, ledger, trace =="
	examples/release/demo.sh $(BIN)/bulkhead
	@echo
	@echo "== a disaster-recovery drill on an Odoo-like sample database =="
	$(BIN)/bulkhead drill demo

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -q

test: lint typecheck unit

docs: $(STAMP)
	$(BIN)/bulkhead controls docs --output docs/controls

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py --tenants 100 300 1000 --runs 5
	$(BIN)/python benchmarks/hostile.py --runs 5

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
