#!/usr/bin/env bash
# make test-claude-code: a real Claude Code (npm @anthropic-ai/claude-code, pinned) runs a two-turn tool loop
# through the gateway on an OpenAI-style upstream: Anthropic client → conversion → upstream → back. It passes when
# Claude Code ran the Bash tool, reported its output, and the gateway answered every request with 200.
set -euo pipefail
cd "$(dirname "$0")/../.."
CC_VERSION=${CC_VERSION:-2.1.197}   # the newest that installs on Node 20 without warnings
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work" || true; }
trap cleanup EXIT
npm install --prefix "$work/cc" --no-audit --no-fund --silent "@anthropic-ai/claude-code@$CC_VERSION" >/dev/null
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
up=$(free_port); gw=$(free_port)
python3 build/claudecode-e2e/mock_upstream.py "$up" "$work/upstream.jsonl" & pids+=($!)
mkdir -p "$work/ws" "$work/home" "$work/proj"
cat > "$work/ws/config.yaml" <<YAML
gateway: {host: 127.0.0.1, port: $gw}
providers:
  - {name: strict-openai, provider: openai, base_url: "http://127.0.0.1:$up/v1", api_key: upstream-secret}
models:
  glm-5: {adapters: [{adapter: strict-openai, model_name: glm-5.1}]}
api_keys:
  - {key: sk-claude-code-e2e-1, name: claude-code}
YAML
./bin/modelswitch --start --workspace "$work/ws" > "$work/gateway.log" 2>&1 & pids+=($!)
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$gw/health" >/dev/null && break; sleep 0.1; done
cd "$work/proj"
env -i PATH="$PATH" HOME="$work/home" TERM=dumb \
  ANTHROPIC_BASE_URL="http://127.0.0.1:$gw" ANTHROPIC_AUTH_TOKEN=sk-claude-code-e2e-1 \
  ANTHROPIC_MODEL=glm-5 ANTHROPIC_SMALL_FAST_MODEL=glm-5 ANTHROPIC_DEFAULT_HAIKU_MODEL=glm-5 \
  ANTHROPIC_DEFAULT_SONNET_MODEL=glm-5 ANTHROPIC_DEFAULT_OPUS_MODEL=glm-5 CLAUDE_CODE_SUBAGENT_MODEL=glm-5 \
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 DISABLE_TELEMETRY=1 DISABLE_AUTOUPDATER=1 DISABLE_ERROR_REPORTING=1 \
  DISABLE_NON_ESSENTIAL_MODEL_CALLS=1 \
  timeout 120 "$work/cc/node_modules/.bin/claude" -p "run: echo hello-from-tool" --output-format json \
  --allowedTools Bash > "$work/out.json"
cd - >/dev/null
cat "$work/out.json"; echo
grep -q '"is_error":false' "$work/out.json" || { echo "claude-code-e2e: Claude Code reported an error"; exit 1; }
grep -q 'hello-from-tool' "$work/out.json" || { echo "claude-code-e2e: the tool's output did not come back"; exit 1; }
if grep -E 'status=[45][0-9][0-9]' "$work/gateway.log"; then echo "claude-code-e2e: the gateway refused a request"; exit 1; fi
echo "claude-code-e2e: ok ($(wc -l < "$work/upstream.jsonl") upstream requests)"
