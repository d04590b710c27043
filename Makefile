# acrm — the two commands a fresh machine needs: `make run` and `make test`.
SHELL := /bin/bash
GO ?= go
DB ?= acrm.duckdb
CUSTOMERS ?= 100000
SEED ?= 42
BIN := bin/acrm
export CGO_ENABLED := 1

.PHONY: all build install run test test-engines bench load lint sample clean readme-figures peers-raw

all: build

build:
	$(GO) build -o $(BIN) ./cmd/acrm

# Put acrm on PATH: go install writes $(go env GOBIN)/acrm, by default $(go env GOPATH)/bin/acrm.
install:
	$(GO) install ./cmd/acrm
	@dir=$$($(GO) env GOBIN); [ -n "$$dir" ] || dir=$$($(GO) env GOPATH)/bin; \
		echo "installed $$dir/acrm (that folder must be on PATH for the README's acrm … commands)"

# Rerun the README's command tour as written and replace the output shown under every
# "$ acrm …" line with what the command prints now (`make test` fails while they differ).
readme-figures:
	$(GO) test ./docs -run '^TestReadmeTour$$' -count=1 -timeout 60m -args -figures

# Build, create the sample workspace if it is missing, open the workbench.
run: build
	@if [ ! -f "$(DB)" ]; then \
		echo "creating sample workspace $(DB) ($(CUSTOMERS) customers, seed $(SEED))…"; \
		./$(BIN) sample --db "$(DB)" --customers $(CUSTOMERS) --seed $(SEED) || { rm -f "$(DB)" "$(DB).wal"; exit 1; }; \
	fi
	./$(BIN) --db "$(DB)"

sample: build
	./$(BIN) sample --db "$(DB)" --customers $(CUSTOMERS) --seed $(SEED)

test:
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 60m ./...

# The compiled SQL (acrm models export-sql, score --all --emit-sql) on real engines: PostgreSQL 15
# and a two-shard ClickHouse, started in a temporary directory on loopback and torn down again;
# missing engines are installed with apt-get when run as root. An engine that cannot be had is
# reported SKIPPED in a banner; ACRM_ENGINES_REQUIRED=1 makes that a failure.
test-engines:
	bash scripts/test-engines.sh

# Go native fuzzing: each target runs FUZZTIME (default 10 minutes) with its corpus under the
# package's testdata/fuzz. `make test` runs the seeds and the saved corpus only.
# FUZZ_PARALLEL sets the fuzzing workers (default 2).
FUZZTIME ?= 10m
FUZZ_TARGETS := \
	./analysis/workspace:FuzzCheckExpression \
	./analysis/workspace:FuzzImportOptions \
	./analysis/sim:FuzzScenarioInputs \
	./tui/simulate:FuzzFieldParse \
	./analysis/nbo:FuzzParseRules \
	./analysis/nbo:FuzzServeBodies \
	./analysis/monitor:FuzzOutcomesImport
FUZZ_PARALLEL ?= 2
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; fn=$${t##*:}; echo "== $$fn ($$pkg, $(FUZZTIME))"; \
		$(GO) test $$pkg -run '^$$' -fuzz "^$$fn\$$" -fuzztime $(FUZZTIME) -parallel $(FUZZ_PARALLEL); \
	done

# Crash tests at soak strength: SIGKILL at 20 random moments per operation.
SOAK_KILLS ?= 20
soak:
	ACRM_SOAK_KILLS=$(SOAK_KILLS) $(GO) test -count=1 -timeout 120m -run TestCrashKillAtRandomMoments -v ./cmd/acrm

# govulncheck against a local vulnerability database built from the golang.org/x/vulndb
# module (its data/osv files, indexed by its cmd/indexdb): the module proxy is needed only to
# fetch the pinned versions once; the scan itself reads file://, no network. The scan uses the
# toolchain go.mod declares (GOTOOLCHAIN=auto: go1.26.10, whose net/http, net/textproto,
# crypto/tls and crypto/x509 fixes acrm serve needs); a build with an older local Go
# (GOTOOLCHAIN=local) carries the standard-library vulnerabilities fixed since.
VULNDB_VERSION ?= v0.0.0-20261105234957-e22db6528018
GOVULNCHECK_VERSION ?= v1.10.0
VULNDB_DIR := .cache/vulndb
vuln:
	@set -e; dir=$$($(GO) mod download -json golang.org/x/vulndb@$(VULNDB_VERSION) | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$$/\1/p'); \
		rm -rf $(VULNDB_DIR); mkdir -p $(dir $(VULNDB_DIR)); \
		$(GO) run golang.org/x/vulndb/cmd/indexdb@$(VULNDB_VERSION) -vulns "$$dir/data/osv" -out $(VULNDB_DIR); \
		GOTOOLCHAIN=auto $(GO) run golang.org/x/vuln/cmd/govulncheck@$(GOVULNCHECK_VERSION) -db file://$(CURDIR)/$(VULNDB_DIR) ./...

bench:
	$(GO) test -run '^$$' -bench . -benchtime 1x -timeout 60m ./...

# Not part of make test: acrm serve on LOAD_DB (a scored workspace) under a bounded loopback
# load — LOAD_CLIENTS concurrent clients for LOAD_SECONDS (≤ 60) — prints req/s, latency
# percentiles, errors and serve's resident memory over the run (bench/load).
LOAD_DB ?= $(DB)
LOAD_SECONDS ?= 30
LOAD_CLIENTS ?= 32
load: build
	bash bench/load/run.sh "$(LOAD_DB)" $(LOAD_SECONDS) $(LOAD_CLIENTS)

# Not part of make test: acrm train's default against scikit-learn (LogisticRegression with C
# by CV) and xgboost on the same raw churn CSVs, scored on the separate test file (needs
# Debian's python3-sklearn, python3-xgboost, python3-pandas).
peers-raw:
	bash bench/peers/raw.sh

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	@if ! command -v staticcheck >/dev/null; then $(GO) install honnef.co/go/tools/cmd/staticcheck@v0.8.2; fi
	PATH="$$PATH:$$($(GO) env GOPATH)/bin" staticcheck ./...
	@bad=$$($(GO) list -deps ./analysis/... ./charts/... ./sampledata/... | grep -E 'charmbracelet|acrm/tui' || true); \
		if [ -n "$$bad" ]; then echo "layering: analysis/charts/sampledata import UI packages:"; echo "$$bad"; exit 1; fi
	@bad=$$(for p in $$($(GO) list ./... | grep -v /analysis/workspace); do $(GO) list -f '{{.ImportPath}}: {{join .Imports " "}}' $$p; done | grep 'duckdb/duckdb-go' | grep -v '^github.com/acrm-dev/acrm/cmd' || true); \
		if [ -n "$$bad" ]; then echo "layering: only analysis/workspace may import the DuckDB driver:"; echo "$$bad"; exit 1; fi
	@# SQL behind the workspace: no database/sql, ws.DB() or SQL text in cmd/, tui/, charts/.
	$(GO) test -count=1 ./internal/layering
	@echo "lint ok"

clean:
	rm -rf bin
