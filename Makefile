# dinhdanh — two commands matter: `make run` and `make test`. `make help` lists the rest.
SHELL := /bin/bash
.DEFAULT_GOAL := help

CARGO ?= cargo
# The local PostgreSQL the integration suite also runs against (a fresh database per test).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
BIN := target/debug/dinhdanh

.PHONY: help run build test test-rust test-sqlite test-postgres lint openapi openapi-check frontend bench clean

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-16s %s\n", $$1, $$2}'

frontend: ## Build the web app into frontend/dist (when its sources exist)
	@if [ -f frontend/package.json ]; then \
		cd frontend && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && npm run build; \
	else echo "frontend/ has no sources yet: the server will say so at /"; fi

build: frontend ## Build the server (with the web app embedded)
	$(CARGO) build --bin dinhdanh

run: build ## Start the server with demo data and the registry simulator on SQLite (var/dinhdanh.db)
	$(BIN) serve --demo

test: lint test-rust openapi-check ## Everything CI runs: format, lints, unit + integration tests on SQLite and PostgreSQL, drift checks

lint: ## rustfmt check and clippy with warnings as errors
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets -- -D warnings

test-rust: test-sqlite test-postgres

test-sqlite: ## Unit tests and the integration suite on SQLite
	$(CARGO) test --workspace

test-postgres: ## The integration suite on the local PostgreSQL
	TEST_DATABASE_URL=$(TEST_DATABASE_URL) $(CARGO) test -p dinhdanh-tests

openapi: ## Regenerate openapi/openapi.json from the code
	$(CARGO) run -q --bin dinhdanh -- openapi > openapi/openapi.json

openapi-check: ## Fail when openapi/openapi.json differs from the code
	$(CARGO) run -q --bin dinhdanh -- openapi | diff -u openapi/openapi.json - > /dev/null \
		|| { echo "openapi/openapi.json is out of date: run 'make openapi' and commit it"; exit 1; }

bench: ## Benchmarks (prints figures; never asserts timings)
	@echo "no benchmarks yet"

clean: ## Remove build outputs and the local database
	$(CARGO) clean
	rm -rf var frontend/dist
