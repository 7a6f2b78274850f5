# ModelSwitch build. `make run` starts the gateway on the default workspace
# (~/.modelswitch); `make test` is the whole test suite (README, .ci/run).

GO       ?= go
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X main.version=$(VERSION)
BIN      := bin
RUN_ARGS ?=

.PHONY: all build ui run run-headless test-claude-code test-codex test-sdk-node test test-ui vet race fuzz fuzz-short reliability bench bench-quick bench-bin clean

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

# make run: the desktop flavour (tray; the admin window on demand). Without a
# display it runs headless and says so. run-headless needs no cgo or GTK.
run: desktop
	./$(DESKTOP_BIN)/modelswitch $(RUN_ARGS)

run-headless: build
	./$(BIN)/modelswitch --start $(RUN_ARGS)

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...

race:
	$(GO) test -race -count=1 ./...

test: vet race fuzz-short test-ui test-desktop test-sdk-node

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

# A real Claude Code session (npm, pinned) through the gateway on an
# OpenAI-style upstream: a two-turn tool loop, once with ANTHROPIC_* in its
# environment and once with none, reaching the gateway only through the
# settings the Claude Code switch wrote (turned on over the core's control
# socket, over a settings.json with hooks and odd formatting, restored byte
# for byte when switched off), and once with Claude Code's own model names,
# its Haiku background requests landing on the virtual model "fast" and its
# turns on "main" through aliases. Needs python3, curl and the npm registry.
test-claude-code: build
	build/claudecode-e2e/run.sh

# A real Codex CLI (npm @openai/codex, pinned) in `codex exec` mode through the
# gateway's Responses API: a shell tool loop on a Responses upstream
# (pass-through) and on an Anthropic one (converted), then a model the gateway
# does not have, whose error Codex must show. The mock upstream is a small Go
# program on loopback. Needs node/npm (the registry) and curl.
test-codex: build
	build/codex-e2e/run.sh

# The official Node OpenAI SDK (npm openai, pinned in build/sdk-node-e2e's
# package-lock.json) against the gateway's Responses API: responses.create
# whole and stream: true, and the responses.stream() helper, on a Chat
# Completions, an Anthropic and a Responses upstream (one scripted node:http
# mock): text with usage, a tool round trip, reasoning (encrypted_content
# unchanged on pass-through), previous_response_id, an unknown model's 404.
# Needs node 20+ and, the first time, the npm registry.
test-sdk-node: build
	build/sdk-node-e2e/run.sh

# make bench measures the gateway against the DESIGN §16 budget and writes
# docs/benchmarks.md (BENCH_QUICK=1, or make bench-quick, finishes in a minute).
# The binary keeps its symbols so perf can name functions.
bench-bin: ui
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '-X main.version=$(VERSION)' -o $(BIN)/modelswitch-bench ./cmd/modelswitch

bench: bench-bin
	$(GO) run ./bench/cmd/bench -gateway $(BIN)/modelswitch-bench

bench-quick: bench-bin
	BENCH_QUICK=1 $(GO) run ./bench/cmd/bench -gateway $(BIN)/modelswitch-bench

# Each fuzz target for a fixed time (FUZZTIME=1m for longer runs); make test
# runs them briefly so a regression in a parser shows up in CI.
FUZZTIME ?= 10s
fuzz-short:
	@$(MAKE) --no-print-directory fuzz FUZZTIME=3s

fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "fuzz $$pkg $$t"; GO=$(GO) build/fuzz-one.sh $$pkg $$t $(FUZZTIME) || exit 1; \
	  done; \
	done

clean:
	rm -rf $(BIN) frontend/dist/assets frontend/dist/index.html

# --- desktop flavour: core with tray (cgo) and the Wails window (desktop.md) ---
WEBKIT       ?= webkit2_41
DESKTOP_TAGS := desktop,production,$(WEBKIT)
DESKTOP_BIN  := $(BIN)/desktop
DESKTOP_DEBS := build-essential pkg-config libgtk-3-dev libwebkit2gtk-4.1-dev libayatana-appindicator3-dev
SMOKE_DEBS   := xvfb xauth dbus dbus-x11 x11-utils xdotool imagemagick trayer \
                haskell-status-notifier-item-utils haskell-gtk-sni-tray-utils xclip
SMOKE_TOOLS  := xvfb-run dbus-run-session xwininfo xdotool import trayer status-notifier-watcher gtk-sni-tray-standalone
SUDO         := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

.PHONY: desktop deps-desktop deps-desktop-test test-desktop wails-cli

# On Debian/Ubuntu the GTK/WebKit/AppIndicator build packages are installed
# when missing; macOS has what it needs with Xcode's command line tools.
deps-desktop:
	@[ "$$(uname)" = Darwin ] || pkg-config --exists gtk+-3.0 webkit2gtk-4.1 ayatana-appindicator3-0.1 2>/dev/null || { \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $(DESKTOP_DEBS); }

deps-desktop-test:
	@for t in $(SMOKE_TOOLS); do command -v $$t >/dev/null || missing=1; done; [ -z "$$missing" ] || { \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $(SMOKE_DEBS); }

desktop: ui deps-desktop
	CGO_ENABLED=1 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -tags $(DESKTOP_TAGS) -o $(DESKTOP_BIN)/modelswitch ./cmd/modelswitch
	CGO_ENABLED=1 $(GO) build -trimpath -ldflags '-s -w' -tags $(DESKTOP_TAGS) -o $(DESKTOP_BIN)/modelswitch-ui ./cmd/modelswitch-ui

test-desktop: desktop deps-desktop-test
	CGO_ENABLED=1 $(GO) vet -tags $(DESKTOP_TAGS) ./app/... ./cmd/...
	$(GO) vet -tags desktopsmoke ./build/smoke
	CGO_ENABLED=1 $(GO) test -race -count=1 -tags $(DESKTOP_TAGS) ./app/... ./cmd/...
	MS_BIN_DIR=$(DESKTOP_BIN) build/desktop-smoke.sh

wails-cli:
	cd build/wailscli && $(GO) build -o ../../$(BIN)/wails github.com/wailsapp/wails/v2/cmd/wails
