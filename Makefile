# ModelSwitch build. `make run` starts the gateway on the default workspace
# (~/.modelswitch); `make test` is the whole test suite (README, .ci/run).

GO       ?= go
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X main.version=$(VERSION)
BIN      := bin
RUN_ARGS ?=

.PHONY: all build ui run test test-ui vet race fuzz fuzz-short reliability clean

all: build

# The admin SPA (frontend/) is built into frontend/dist and embedded in the binary.
NPM ?= npm
frontend/node_modules/.installed: frontend/package.json frontend/package-lock.json
	$(NPM) --prefix frontend ci --no-audit --no-fund
	touch $@

ui: frontend/node_modules/.installed
	$(NPM) --prefix frontend run build

build: ui
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/modelswitch ./cmd/modelswitch

run: build
	./$(BIN)/modelswitch --start $(RUN_ARGS)

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...

race:
	$(GO) test -race -count=1 ./...

test: vet race fuzz-short test-ui

# Vitest unit tests, then the browser end-to-end test (headless Chromium)
# against the real binary and a mock upstream.
test-ui: build
	$(NPM) --prefix frontend test
	$(NPM) --prefix frontend run e2e

# The reliability suite (DESIGN §17) at full size: kill -9 and SIGTERM under
# load, every fault in both protocols, exact limits under 64 clients, a
# 2000-stream soak, and every fuzz target for 30 s. `make test` runs the same
# tests at their quick size (1000 streams, fuzzing 3 s).
reliability:
	RELIABILITY_STREAMS=2000 $(GO) test -race -count=1 \
	  -run 'Kill9|SIGTERM|RateLimitExact|ThousandStream|Reload|EveryFault|StreamDies|DeadPrimary' \
	  ./cmd/... ./gateway/server/
	@$(MAKE) --no-print-directory fuzz FUZZTIME=30s

# Each fuzz target for a fixed time (FUZZTIME=1m for longer runs); make test
# runs them briefly so a regression in a parser shows up in CI.
FUZZTIME ?= 10s
fuzz-short:
	@$(MAKE) --no-print-directory fuzz FUZZTIME=3s

fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "fuzz $$pkg $$t"; $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

clean:
	rm -rf $(BIN) frontend/dist/assets frontend/dist/index.html
