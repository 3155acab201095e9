# Build, test and deploy the vendor token functions. GNU make.
#
#   make help        list the targets
#   make test        go vet, then every test (with the race detector when cgo works)
#   make lint        gofmt, go vet, staticcheck, a go.mod tidiness check, generated files up to date, cfn-lint template.yaml
#   make generate    write the files derived from the vendor descriptors (template.yaml, events/, samconfig.toml, doc tables)
#   make build       every Lambda bootstrap in bin/<vendor>/bootstrap, without SAM
#   make bench       the performance budget: benchmarks and a short report (pkg/perf)
#   make fuzz        every fuzz target for a short while (FUZZTIME=15s each)
#   make local       every route on http://127.0.0.1:3000 with dev-only settings, no AWS account
#   make dev-session another dev session token for make local (SUB=, EMAIL=, NAME=)
#
# With the AWS SAM CLI:
#   sam build        builds each function through build-<LogicalId> below
#   make invoke-<vendor>                             sam local invoke with events/
#   make start-api                                   sam local start-api, hs256 with your SESSION_SECRET_JSON
#   make deploy ENV=prod                             sam build && sam deploy --config-env prod

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

GO ?= go
# Pinned, so lint gives the same answer everywhere; `go run` fetches it once.
STATICCHECK_VERSION := v0.8.2

# Add your own targets to this list, or declare them with another .PHONY line.
.PHONY: help build test lint generate deploy bench fuzz local start-api dev-session print-lambda-goflags

# The vendors: one per functions/<vendor>/main.go. A function's SAM logical
# ID is its vendor's name, capitalised, followed by "Function"
# (functions/acme is AcmeFunction); build-<LogicalId> and
# invoke-<vendor> derive one from the other, so a new vendor needs no entry
# here.
VENDORS := $(patsubst functions/%/main.go,%,$(wildcard functions/*/main.go))
INVOKE_TARGETS := $(VENDORS:%=invoke-%)
.PHONY: $(INVOKE_TARGETS)
logical-id = $(shell printf '%s' '$(1)' | sed 's/^./\U&/')Function
vendor-of  = $(shell printf '%s' '$(1)' | tr '[:upper:]' '[:lower:]')

# LAMBDA_GOFLAGS are the production build flags, and this is their one
# source: the test harnesses read them with `make -s print-lambda-goflags`.
# Static (CGO_ENABLED=0), without the RPC mode of aws-lambda-go
# (lambda.norpc), reproducible paths, no VCS stamp (-buildvcs=false: with
# the commit in every binary, any commit would change every bootstrap, and
# AutoPublishAlias would roll out every function; functions/
# reproducible_test.go holds this), no symbol tables (-s implies -w).
LAMBDA_GOFLAGS := -tags=lambda.norpc -trimpath -buildvcs=false -ldflags=-s
LAMBDA_GOOS    := linux
LAMBDA_GOARCH  := arm64

# go-lambda builds ./functions/$(2) into $(1) the way Lambda runs it on
# provided.al2023 / arm64.
define go-lambda
GOOS=$(LAMBDA_GOOS) GOARCH=$(LAMBDA_GOARCH) CGO_ENABLED=0 GOFLAGS='$(LAMBDA_GOFLAGS)' $(GO) build -o $(1) ./functions/$(2)
endef

help: ## List the targets
	@awk '/^[a-zA-Z0-9_.-]+:.*## / { t = $$0; sub(/:.*/, "", t); d = $$0; sub(/.*## /, "", d); printf "  %-24s %s\n", t, d } \
	      /^##> / { t = $$2; d = $$0; sub(/^##> [^ ]+ +/, "", d); printf "  %-24s %s\n", t, d }' $(MAKEFILE_LIST)

build: $(VENDORS:%=bin/%/bootstrap) ## Build every function's bootstrap into bin/<vendor>/ (linux/arm64, no SAM)

# Always handed to go build, which knows best what is up to date.
bin/%/bootstrap: FORCE
	$(call go-lambda,$@,$*)

.PHONY: FORCE
FORCE:

##> build-<LogicalId>     For `sam build` (BuildMethod: makefile): write $(ARTIFACTS_DIR)/bootstrap
build-%Function:
	@test -n "$(ARTIFACTS_DIR)" || { echo >&2 "$@: ARTIFACTS_DIR is not set; this target is run by sam build"; exit 1; }
	@test -f functions/$(call vendor-of,$*)/main.go || { echo >&2 "$@: no functions/$(call vendor-of,$*)/main.go"; exit 1; }
	$(call go-lambda,$(ARTIFACTS_DIR)/bootstrap,$(call vendor-of,$*))

# print-lambda-goflags prints LAMBDA_GOFLAGS, for the test harnesses that
# build bootstraps as this Makefile does.
print-lambda-goflags:
	@echo '$(LAMBDA_GOFLAGS)'

# The race detector needs cgo, which needs a C compiler; without one the
# tests still run, without -race.
RACE = $(if $(filter 1,$(shell $(GO) env CGO_ENABLED 2>/dev/null)),-race)

test: ## go vet, then go test -race ./... (-race only when cgo is available)
	$(GO) vet ./...
	$(if $(RACE),,@echo "note: cgo is not available, so the tests run without -race")
	$(GO) test $(RACE) ./...

# cfn-lint validates template.yaml as `sam validate --lint` does. Where it is
# not installed, lint says how to install it and goes on, unless
# REQUIRE_CFN_LINT=1 (as .ci/run sets), which makes it an error.
CFN_LINT ?= cfn-lint
REQUIRE_CFN_LINT ?=

lint: ## gofmt check, go vet, staticcheck (pinned), go mod tidy check, generated files up to date, cfn-lint template.yaml
	@unformatted="$$(gofmt -l .)"; \
	if [ -n "$$unformatted" ]; then echo "gofmt -w needed for:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...
	$(GO) mod tidy -diff
	$(GO) run ./cmd/generate -check
	@if command -v $(CFN_LINT) >/dev/null 2>&1; then \
		echo "$(CFN_LINT) template.yaml"; $(CFN_LINT) template.yaml; \
	elif [ -n "$(REQUIRE_CFN_LINT)" ]; then \
		echo >&2 "cfn-lint is required (REQUIRE_CFN_LINT is set) but not installed: python3 -m pip install cfn-lint"; exit 1; \
	else \
		echo "note: cfn-lint is not installed, so template.yaml was not linted; install it with: python3 -m pip install cfn-lint"; \
	fi

# generate writes every file derived from the vendor descriptors (package
# generate): template.yaml, events/*.json, samconfig.toml and the reference
# tables of README.md, docs/ and each vendor's README.md. lint fails when
# one of them differs from what it would write.
generate: ## Write template.yaml, events/, samconfig.toml and the docs' tables from the vendor descriptors
	$(GO) run ./cmd/generate

# bench keeps the raw benchmark output in BENCH_OUT and prints the report of
# pkg/perf/report; it fails when a budget is missed. About two minutes.
BENCH_OUT := bin/bench.txt

bench: ## Performance budget: warm handler vs crypto floor; cold start, size, memory vs a yardstick; first request to a vendor API in round trips
	@mkdir -p $(dir $(BENCH_OUT))
	@echo "BenchmarkWarm: each function's handler path and its cryptography floor, interleaved..."
	@$(GO) test -run '^$$' -bench '^BenchmarkWarm$$' -count 5 -benchtime 500ms ./pkg/perf > $(BENCH_OUT) || { cat $(BENCH_OUT); exit 1; }
	@echo "BenchmarkBootstrap: build the bootstraps and the yardstick, start each 20 times..."
	@$(GO) test -run '^$$' -bench '^BenchmarkBootstrap$$' -benchtime 10x -timeout 10m ./pkg/perf >> $(BENCH_OUT) || { cat $(BENCH_OUT); exit 1; }
	@echo "BenchmarkFirstRequest: the first request after a cold start of each function that calls its vendor's API, 50 ms round trips, with and without the warm-up..."
	@$(GO) test -run '^$$' -bench '^BenchmarkFirstRequest$$' -benchtime 10x ./pkg/perf >> $(BENCH_OUT) || { cat $(BENCH_OUT); exit 1; }
	@echo "(raw results: $(BENCH_OUT))"
	@$(GO) run ./pkg/perf/report $(BENCH_OUT)

# Each fuzz target (every func Fuzz... in a _test.go file) runs for
# FUZZTIME; go test -fuzz takes one target at a time. Minimising a new input
# is capped at 2s so a short run stays short. A failure leaves its input in
# the package's testdata/fuzz/, which plain `make test` then replays.
FUZZTIME ?= 15s
FUZZ_TARGETS = $(shell grep -rl --include='*_test.go' '^func Fuzz' pkg functions 2>/dev/null | \
	xargs -r grep -o '^func Fuzz[A-Za-z0-9_]*' | sed 's|^\(.*\)/[^/]*:func |./\1:|' | sort -u)

fuzz: ## Run every fuzz target for FUZZTIME (default 15s each)
	@for t in $(FUZZ_TARGETS); do \
		echo "fuzz $${t#*:} in $${t%%:*} for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$${t#*:}$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 2s "$${t%%:*}"; \
	done

# local serves every route as API Gateway would, through the functions' own
# handlers, with dev-only defaults (hs256 dev sessions, dev secrets, a
# stand-in for each vendor API a function calls); any setting of the
# functions can be overridden in the environment, and LOCAL_ADDR moves it
# from 127.0.0.1:3000. It refuses to start when a setting reaches a real
# vendor while sessions still use the dev signing key, and answers only
# requests addressed to a loopback host.
# Ctrl-C stops it.
# Built, then run, rather than go run, so that Ctrl-C ends make cleanly.
local: ## Serve all routes on http://127.0.0.1:3000 with dev-only settings (no AWS account); prints a curl to try
	$(GO) build -o bin/local ./cmd/local
	bin/local

# dev-session prints a session token that make local accepts, and only that
# on stdout, so that TOKEN=$$(make -s dev-session SUB=u1) works. SUB, EMAIL
# and NAME default to cmd/local's (EMAIL to <SUB>@example.com); only values
# given on the command line are used, never like-named environment
# variables (NAME, for one, is often set for other reasons), and a note on
# stderr names any of them that is set only in the environment. TTL (a Go
# duration) defaults to 1h.
DEV_SESSION_VARS := SUB EMAIL NAME TTL
dev-session: ## Print a dev session token for make local (SUB=, EMAIL=, NAME=, TTL=); use make -s
	@$(if $(call env-only,$(DEV_SESSION_VARS)),echo >&2 "note: dev-session ignores $(subst $(space),$(comma) ,$(call env-only,$(DEV_SESSION_VARS))) from the environment; pass values on the command line: make -s dev-session $(foreach v,$(call env-only,$(DEV_SESSION_VARS)),$(v)=...)")
	@$(GO) run ./cmd/local -dev-session $(call cli-flag,SUB,sub) $(call cli-flag,EMAIL,email) $(call cli-flag,NAME,name) $(call cli-flag,TTL,ttl)

# cli-flag gives -$(2) '<value of $(1)>' if variable $(1) was set on the make
# command line, and nothing otherwise.
quote = '$(subst ','\'',$(1))'
cli-flag = $(if $(filter command line,$(origin $(1))),-$(2) $(call quote,$($(1))))
comma := ,
space := $(subst ,, )
# env-only gives those of the variables $(1) that come from the environment
# only, not from the make command line.
env-only = $(strip $(foreach v,$(1),$(if $(filter environment%,$(origin $(v))),$(v))))

##> invoke-<vendor>       sam build <LogicalId> && sam local invoke it with events/<vendor>.json and events/env.json
$(INVOKE_TARGETS): invoke-%:
	sam build $(call logical-id,$*)
	sam local invoke $(call logical-id,$*) -e events/$*.json --env-vars events/env.json $(INVOKE_FLAGS)

# A function that calls its vendor's API reaches, offline, the stand-in of
# make local (events/env.json) on the host's loopback: run make local first.
# Host networking lets the container reach it (Linux Docker); it changes
# nothing for the others.
INVOKE_FLAGS ?= --docker-network host

# start-api serves TokenApi with `sam local start-api`, in hs256 mode with
# the dev-only settings of events/start-api-env.json (samconfig.toml's
# local_start_api section) and the session key of SESSION_SECRET_JSON, which
# must be your own: the functions SAM runs are the deployed bootstraps,
# which refuse the dev-only key. It writes bin/start-api-env.json from both.
# It listens beside make local, whose stand-ins of the vendor APIs the
# functions call on the host's loopback.
START_API_PORT ?= 3001
start-api: ## sam build, then sam local start-api on 127.0.0.1:3001 (START_API_PORT), hs256 with your SESSION_SECRET_JSON
	@mkdir -p bin
	$(GO) run ./cmd/local -start-api-env events/start-api-env.json > bin/start-api-env.json
	sam build
	sam local start-api --host 127.0.0.1 --port $(START_API_PORT) --docker-network host --env-vars bin/start-api-env.json

# ENV names a samconfig.toml environment: default or prod.
ENV ?= default

deploy: ## sam build && sam deploy with samconfig.toml's ENV environment (ENV=default|prod)
	sam build --config-env $(ENV)
	sam deploy --config-env $(ENV)
