#!/usr/bin/env bash
# make test-sdk-node: the official Node OpenAI SDK (npm openai, pinned in package.json and package-lock.json)
# drives the gateway's Responses API (POST /v1/responses) — whole, stream: true and the responses.stream()
# helper — on a scripted mock upstream (mock-upstream.mjs) speaking Chat Completions, Anthropic Messages and
# Responses: text with usage, a tool round trip, reasoning (encrypted_content passed through unchanged),
# previous_response_id and an unknown model's 404 (responses.test.mjs). Needs node (20+), npm (the registry, the
# first time) and the gateway binary (make build; MS_BIN overrides bin/modelswitch).
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=build/sdk-node-e2e
if [ ! -d "$dir/node_modules/openai" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules" ]; then
  npm ci --prefix "$dir" --no-audit --no-fund --silent
  touch "$dir/node_modules"
fi
export MS_BIN=${MS_BIN:-bin/modelswitch}
exec node --test --test-reporter=spec "$dir/responses.test.mjs"
