# dinhdanh — two commands matter: `make run` and `make test`. `make help` lists the rest.
SHELL := /bin/bash
.DEFAULT_GOAL := help

CARGO ?= cargo
# The local PostgreSQL the integration suite also runs against (a fresh database per test).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
BIN := target/debug/dinhdanh

.PHONY: help run build test test-rust test-sqlite test-postgres lint openapi openapi-check schemathesis frontend frontend-check e2e screenshots bench bench-scale clean

# The web app's node modules: `npm ci` when missing or older than the lock file.
NODE_MODULES := frontend/node_modules/.package-lock.json

help: ## List the targets
	@grep -hE '^[a-zA-Z0-9_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-16s %s\n", $$1, $$2}'

$(NODE_MODULES): frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund

# The built web app, rebuilt when a source, the lock file or the API document changed.
FRONTEND_SOURCES := $(shell find frontend/src frontend/public -type f 2>/dev/null) \
	frontend/index.html frontend/vite.config.ts frontend/tsconfig.json \
	frontend/tsconfig.app.json frontend/tsconfig.node.json openapi/openapi.json

frontend/dist/index.html: $(NODE_MODULES) $(FRONTEND_SOURCES)
	cd frontend && npm run build

frontend: frontend/dist/index.html ## Build the web app into frontend/dist when its sources changed (npm ci first when needed)

build: frontend ## Build the server (with the web app embedded)
	$(CARGO) build --bin dinhdanh

run: build ## Start the server with demo data and the registry simulator on SQLite (var/dinhdanh.db)
	$(BIN) serve --demo

test: frontend lint test-rust openapi-check schemathesis frontend-check e2e ## Everything CI runs: format, lints, unit + integration tests on SQLite and PostgreSQL, drift checks, schemathesis against the API document, web app tests in a browser

lint: ## rustfmt check and clippy with warnings as errors
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets -- -D warnings

test-rust: test-sqlite test-postgres

test-sqlite: ## Unit tests and the integration suite on SQLite
	$(CARGO) test --workspace

test-postgres: ## The integration suite on the local PostgreSQL
	TEST_DATABASE_URL=$(TEST_DATABASE_URL) $(CARGO) test -p dinhdanh-tests

openapi: $(NODE_MODULES) ## Regenerate openapi/openapi.json from the code and the web app's client types from it
	$(CARGO) run -q --bin dinhdanh -- openapi > openapi/openapi.json
	cd frontend && npx openapi-typescript ../openapi/openapi.json -o src/api/schema.d.ts

openapi-check: ## Fail when openapi/openapi.json differs from the code
	$(CARGO) run -q --bin dinhdanh -- openapi | diff -u openapi/openapi.json - > /dev/null \
		|| { echo "openapi/openapi.json is out of date: run 'make openapi' and commit it"; exit 1; }

frontend-check: $(NODE_MODULES) ## Web app: typecheck, Vitest, and fail when src/api/schema.d.ts differs from openapi.json
	cd frontend && npm run typecheck
	cd frontend && npx vitest run
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
		(cd frontend && npx openapi-typescript ../openapi/openapi.json -o "$$tmp/schema.d.ts" >/dev/null) && \
		diff -u frontend/src/api/schema.d.ts "$$tmp/schema.d.ts" > /dev/null \
		|| { echo "frontend/src/api/schema.d.ts is out of date: run 'make openapi' and commit it"; exit 1; }

e2e: frontend ## Browser flows (playwright-core + Debian's chromium) against the debug server on a small fresh demo (E2E_DEMO_STUDENTS)
	$(CARGO) build --bin dinhdanh
	cd frontend && node --test --test-reporter=spec e2e/

README_SCREENSHOTS := 02-hoc-sinh-cua-lop 03-ho-so 05-sua-tu-dong 11-tong-quan-thong-ke 12-nhap-excel-xem-truoc 15-doi-chieu-csdlqg 17-chuyen-dia-chi-xem-truoc 16-lop-tren-dien-thoai

screenshots: e2e ## Re-run the browser flows and copy the README's screenshots into docs/screenshots
	mkdir -p docs/screenshots
	for name in $(README_SCREENSHOTS); do cp frontend/e2e/output/$$name.png docs/screenshots/; done

schemathesis: ## schemathesis (PyPI, all checks, fixed seed) against a demo server: does the OpenAPI document tell the truth; fails on any finding
	tests/schemathesis.sh

bench: ## Benchmarks: rules, offline check, encryption, Excel import, verification, statistics, concurrent edits (prints figures, asserts none)
	$(CARGO) bench -p dinhdanh --bench rules
	$(CARGO) bench -p dinhdanh --bench check_csv
	$(CARGO) bench -p dinhdanh --bench crypto
	TEST_DATABASE_URL=$(TEST_DATABASE_URL) $(CARGO) bench -p dinhdanh --bench reads
	TEST_DATABASE_URL=$(TEST_DATABASE_URL) $(CARGO) bench -p dinhdanh-tests --bench excel_import
	$(CARGO) bench -p dinhdanh-tests --bench verification
	$(CARGO) bench -p dinhdanh-tests --bench progress
	@if pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then \
		echo "statistics on PostgreSQL ($(TEST_DATABASE_URL))"; \
		TEST_DATABASE_URL=$(TEST_DATABASE_URL) $(CARGO) bench -p dinhdanh-tests --bench progress; \
	else echo "PostgreSQL is not running: the statistics benchmark ran on SQLite only"; fi
	@if pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then \
		TEST_DATABASE_URL=$(TEST_DATABASE_URL) $(CARGO) bench -p dinhdanh-tests --bench concurrent_edits; \
	else echo "PostgreSQL is not running: the concurrent edits ran on SQLite only"; \
		TEST_DATABASE_URL= $(CARGO) bench -p dinhdanh-tests --bench concurrent_edits; fi

BENCH_SCALE_STUDENTS ?= 5000000

bench-scale: ## A province on a fresh PostgreSQL database: seed-demo of BENCH_SCALE_STUDENTS (5,000,000), then HTTP p50/p95 (not in CI)
	$(CARGO) build --release -p dinhdanh
	BENCH_SCALE_STUDENTS=$(BENCH_SCALE_STUDENTS) TEST_DATABASE_URL=$(TEST_DATABASE_URL) \
		$(CARGO) bench -p dinhdanh-tests --bench scale

clean: ## Remove build outputs and the local database
	$(CARGO) clean
	rm -rf var frontend/dist frontend/e2e/output
