# ModelSwitch build. `make run` starts the gateway on the default workspace
# (~/.modelswitch); `make test` is the whole test suite (README, .ci/run).

GO       ?= go
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X main.version=$(VERSION)
BIN      := bin
RUN_ARGS ?=

.PHONY: all build ui run test test-ui vet race fuzz fuzz-short clean

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
