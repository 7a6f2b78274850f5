#!/usr/bin/env bash
# make test-claude-code: a real Claude Code (npm @anthropic-ai/claude-code, pinned) runs a two-turn tool loop
# through the gateway on an OpenAI-style upstream: Anthropic client → conversion → upstream → back.
#   1. with ANTHROPIC_* in its environment (the gateway alone);
#   2. issue 10's "Done when": the "Claude Code → ModelSwitch" switch is turned on through the core's control
#      channel (run/control.sock, as the tray does) against a HOME whose ~/.claude/settings.json already holds
#      hooks, a statusLine, other env keys and odd formatting; Claude Code then runs with NO ANTHROPIC_* variable in
#      its environment, so it reaches the gateway only through what the switch wrote; switched off, settings.json
#      must be byte-for-byte the original (cmp);
#   3. issue 18's tier mapping: Claude Code with its own model names (no gateway model name anywhere in its
#      environment) and its background requests left on: the title request it sends to its Haiku model lands on
#      the virtual model "fast" through the alias claude-*haiku*, the tool-loop turns on "main" through claude-*.
# Each run passes when Claude Code ran the Bash tool, reported its output, and the gateway answered every request
# with 200.
set -euo pipefail
cd "$(dirname "$0")/../.."
CC_VERSION=${CC_VERSION:-2.1.197}   # the newest that installs on Node 20 without warnings
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work" || true; }
trap cleanup EXIT
# The gateway's own log file: off a terminal the core writes no console copy (issue 16); its stdout and stderr
# (startup errors) go to gateway.out.
log="$work/ws/logs/gateway.log"
fail() { echo "claude-code-e2e: $*"; echo "--- gateway output and log (tail)"; tail -5 "$work/gateway.out"; tail -20 "$log"; exit 1; }
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
  fast: {aliases: ["claude-*haiku*"], adapters: [{adapter: strict-openai, model_name: fast-upstream}]}
  main: {aliases: ["claude-*"], adapters: [{adapter: strict-openai, model_name: main-upstream}]}
api_keys:
  - {key: sk-claude-code-e2e-1, name: claude-code}
YAML
# The core reads Claude Code's settings from its own HOME: the temporary one.
env -u CLAUDE_CONFIG_DIR HOME="$work/home" ./bin/modelswitch --start --workspace "$work/ws" > "$work/gateway.out" 2>&1 & pids+=($!)
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$gw/health" >/dev/null && break; sleep 0.1; done

# claude runs Claude Code in the project directory with only the variables given (env -i) and checks its answer.
# Its background model calls are off unless background=on.
background=off
claude() {
  local name=$1; shift
  local quiet=(CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 DISABLE_NON_ESSENTIAL_MODEL_CALLS=1)
  [ "$background" = on ] && quiet=()
  (cd "$work/proj" && env -i PATH="$PATH" HOME="$work/home" TERM=dumb "$@" "${quiet[@]}" \
    DISABLE_TELEMETRY=1 DISABLE_AUTOUPDATER=1 DISABLE_ERROR_REPORTING=1 \
    timeout 120 "$work/cc/node_modules/.bin/claude" -p "run: echo hello-from-tool" --output-format json \
    --allowedTools Bash > "$work/$name.json") || fail "$name: Claude Code exited $?: $(cat "$work/$name.json")"
  cat "$work/$name.json"; echo
  grep -q '"is_error":false' "$work/$name.json" || fail "$name: Claude Code reported an error"
  grep -q 'hello-from-tool' "$work/$name.json" || fail "$name: the tool's output did not come back"
  if grep -E '"status":[45][0-9][0-9]' "$log"; then fail "$name: the gateway refused a request"; fi
}

# 1. Explicit environment.
claude env-run ANTHROPIC_BASE_URL="http://127.0.0.1:$gw" ANTHROPIC_AUTH_TOKEN=sk-claude-code-e2e-1 \
  ANTHROPIC_MODEL=glm-5 ANTHROPIC_SMALL_FAST_MODEL=glm-5 ANTHROPIC_DEFAULT_HAIKU_MODEL=glm-5 \
  ANTHROPIC_DEFAULT_SONNET_MODEL=glm-5 ANTHROPIC_DEFAULT_OPUS_MODEL=glm-5 CLAUDE_CODE_SUBAGENT_MODEL=glm-5
env_requests=$(wc -l < "$work/upstream.jsonl")
served() { grep -E '"msg":.*"status":200' "$log" | grep -o '"key_id":"[^"]*"' || true; }
# The gateway's log is written asynchronously: wait for one line per upstream request.
wait_served() { for _ in $(seq 50); do [ "$(served | wc -l)" -ge "$1" ] && return; sleep 0.1; done; fail "the gateway logged $(served | wc -l) requests, want $1"; }
wait_served "$env_requests"
env_keys=$(served | sort -u)
env_lines=$(served | wc -l)
echo "claude-code-e2e: explicit environment ok ($env_requests upstream requests, gateway key $env_keys)"

# 2. The switch. The user's settings: a hook Claude Code runs after each tool (it leaves a mark), a statusLine,
# permissions, other env keys, tabs, CRLF line ends, a unicode escape, an exponent and an empty array.
mkdir -p "$work/home/.claude"
printf '{\r\n\t"$schema": "https://json.schemastore.org/claude-code-settings.json",\r\n  "env" : {\r\n\t\t"MY_TOOL_FLAG":"1" ,  "DISABLE_TELEMETRY": "1"\r\n  },\r\n\t"hooks": {"PostToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "echo hook-ran >> %s/hook.log"}]}]},\r\n    "statusLine": {"type": "command", "command": "echo caf\\u00e9", "padding": 0},\r\n  "permissions": {"allow": ["Bash(echo:*)"], "deny": [ ]},\r\n  "cleanupPeriodDays": 3e1\r\n}\r\n' "$work" \
  > "$work/home/.claude/settings.json"
chmod 600 "$work/home/.claude/settings.json"
cp -p "$work/home/.claude/settings.json" "$work/settings.orig"
ctl() { curl -sS --fail-with-body --unix-socket "$work/ws/run/control.sock" -X POST "http://modelswitch$1" \
  -H 'Content-Type: application/json' -d "$2"; }
on=$(ctl /claudecode '{"enabled": true}') || fail "switching on: $on"
echo "switch on: $on"
echo "$on" | grep -q '"enabled":true' || fail "the switch did not turn on"
echo "--- what the switch changed in settings.json:"
diff "$work/settings.orig" "$work/home/.claude/settings.json" | tr -d '\r' | sed -E 's/(sk-[A-Za-z0-9_-]{6})[A-Za-z0-9_-]+/\1…/' || true
before=$(wc -l < "$work/upstream.jsonl")
claude switch-run    # no ANTHROPIC_* at all: Claude Code finds the gateway through settings.json
switch_requests=$(( $(wc -l < "$work/upstream.jsonl") - before ))
[ "$switch_requests" -ge 2 ] || fail "the switch run sent $switch_requests upstream requests, want the two-turn loop"
grep -q 'hook-ran' "$work/hook.log" 2>/dev/null || fail "the user's PostToolUse hook did not run: their settings were lost"
# The gateway saw the switch's own key (created in config.yaml as "Claude Code (desktop)"), not the env run's.
grep -q 'Claude Code (desktop)' "$work/ws/config.yaml" || fail "the switch created no API key"
wait_served $((env_lines + switch_requests))
switch_keys=$(served | tail -n +$((env_lines + 1)) | sort -u)
[ -n "$switch_keys" ] && [ "$switch_keys" != "$env_keys" ] || fail "the switch run was not served with the switch's key ($switch_keys)"
off=$(ctl /claudecode '{"enabled": false}') || fail "switching off: $off"
echo "switch off: $off"
cmp "$work/settings.orig" "$work/home/.claude/settings.json" || fail "settings.json is not byte-for-byte the original after switch-off"
echo "claude-code-e2e: switch ok ($switch_requests upstream requests with gateway key $switch_keys; user hook ran; settings.json restored byte for byte: $(wc -c < "$work/settings.orig") bytes, cmp equal)"

# 3. Tier mapping. Claude Code's own names: claude-sonnet-4-5 for the turns, claude-haiku-4-5 for background work
# (this version sends background requests to the main model on a custom base URL unless a Haiku model is named).
before=$(wc -l < "$work/upstream.jsonl")
background=on claude tier-run ANTHROPIC_BASE_URL="http://127.0.0.1:$gw" ANTHROPIC_AUTH_TOKEN=sk-claude-code-e2e-1 \
  ANTHROPIC_MODEL=claude-sonnet-4-5 ANTHROPIC_DEFAULT_HAIKU_MODEL=claude-haiku-4-5
tail -n +$((before + 1)) "$work/upstream.jsonl" > "$work/tier.jsonl"
tiers=$(python3 -c '
import json, sys
seen = {}
for line in open(sys.argv[1]):
    b = json.loads(line)
    kind = "turn" if b.get("tools") else "background"
    seen.setdefault(kind, set()).add(b["model"])
print(" ".join(k + "=" + ",".join(sorted(v)) for k, v in sorted(seen.items())))' "$work/tier.jsonl")
echo "claude-code-e2e: tier mapping: $tiers"
[ "$tiers" = "background=fast-upstream turn=main-upstream" ] || \
  fail "background requests must reach fast (fast-upstream) and tool turns main (main-upstream); got: $tiers"
haiku_logged() { grep '"requested_model":"claude-haiku-4-5"' "$log" | grep -F '"model":"fast"' | grep -qF '"route":"alias claude-*haiku*"'; }
for _ in $(seq 50); do haiku_logged && break; sleep 0.1; done
haiku_logged || fail "the request log does not show claude-haiku-4-5 served by fast through the alias"
echo "claude-code-e2e: tier mapping ok (Claude Code's Haiku requests on fast, its Sonnet turns on main)"
echo "claude-code-e2e: ok ($(wc -l < "$work/upstream.jsonl") upstream requests in all)"
