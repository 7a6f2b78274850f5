#!/usr/bin/env bash
# make test-codex: a real Codex CLI (npm @openai/codex, pinned) in `codex exec` mode runs a shell tool loop through
# the gateway's Responses API (POST /v1/responses) on a scripted mock upstream (build/codex-e2e/mockupstream):
#   1. codex-resp → provider: responses (pass-through: Responses client, Responses upstream);
#   2. codex-anth → provider: anthropic (converted: Responses client → Anthropic Messages upstream → back);
#   3. a request the gateway cannot serve (a model it does not have): Codex must show the gateway's error.
# A loop run passes when Codex ran exec_command ({"cmd": "echo codex-loop-N > out.txt && cat out.txt"}) in its work
# directory, printed the scripted final message, reported the upstream's usage (cached tokens included), the
# upstream saw exactly the two expected requests (the second carrying the command's output back) with the
# provider's key, and the gateway logged both with status 200.
# Codex is configured as the spec notes on Codex traffic record: a fresh CODEX_HOME=HOME per run with a custom
# provider (wire_api = "responses", env_key), env -i, stdin closed, and the three settings that keep 0.171.0 off the
# internet (features.plugins, analytics, check_for_update_on_startup). Needs go, node/npm (the registry) and curl.
set -euo pipefail
cd "$(dirname "$0")/../.."
CODEX_VERSION=${CODEX_VERSION:-0.171.0}
GO=${GO:-go}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work" || true; }
trap cleanup EXIT
fail() {
  echo "codex-e2e: FAIL: $*"
  for f in "$work"/*/stdout "$work"/*/stderr; do [ -s "$f" ] && { echo "--- $f (tail)"; tail -15 "$f"; }; done
  echo "--- upstream requests"; cut -c1-300 "$work/upstream.jsonl" 2>/dev/null || true
  echo "--- gateway output and log (tail)"; tail -5 "$work/gateway.out" 2>/dev/null; tail -20 "$work/ws/logs/gateway.log" 2>/dev/null || true
  exit 1
}
t0=$(date +%s.%N)
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1fs", b - a }'; }

# Codex (the launcher and its native binary), the mock upstream, the gateway.
npm install --prefix "$work/codex" --no-audit --no-fund --silent "@openai/codex@$CODEX_VERSION" >/dev/null
codex_bin="$work/codex/node_modules/.bin/codex"
version=$("$codex_bin" --version)
[ "$version" = "codex-cli $CODEX_VERSION" ] || fail "codex --version says '$version', want codex-cli $CODEX_VERSION"
$GO build -o "$work/mockupstream" ./build/codex-e2e/mockupstream
marker="codex-loop-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')"
"$work/mockupstream" -port-file "$work/up.port" -log "$work/upstream.jsonl" -marker "$marker" > "$work/mock.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do [ -s "$work/up.port" ] && break; sleep 0.1; done
[ -s "$work/up.port" ] || fail "the mock upstream did not start: $(cat "$work/mock.log")"
up=$(cat "$work/up.port")
gw=$("$work/mockupstream" -free-port)
mkdir -p "$work/ws" "$work/gwhome"
cat > "$work/ws/config.yaml" <<YAML
gateway: {host: 127.0.0.1, port: $gw}
providers:
  - {name: up-responses, provider: responses, base_url: "http://127.0.0.1:$up/v1", api_key: upstream-secret-responses}
  - {name: up-anthropic, provider: anthropic, base_url: "http://127.0.0.1:$up", api_key: upstream-secret-anthropic}
models:
  codex-resp: {adapters: [{adapter: up-responses, model_name: gpt-upstream-codex}]}
  codex-anth: {adapters: [{adapter: up-anthropic, model_name: claude-upstream-codex}]}
api_keys:
  - {key: sk-codex-e2e-1, name: codex}
YAML
HOME="$work/gwhome" ./bin/modelswitch --start --workspace "$work/ws" > "$work/gateway.out" 2>&1 &
pids+=($!)
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$gw/health" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$gw/health" >/dev/null || fail "the gateway did not start"
echo "codex-e2e: codex $CODEX_VERSION, mock upstream :$up, gateway :$gw, marker $marker (setup $(since "$t0"))"

# codex NAME MODEL [ARGS...] runs `codex exec` with a fresh CODEX_HOME (= HOME) and work directory, only the
# variables given (env -i) and stdin closed; its exit status is in $work/NAME/rc.
codex() {
  local name=$1 model=$2; shift 2
  local d="$work/$name"
  mkdir -p "$d/home" "$d/proj"
  cat > "$d/home/config.toml" <<TOML
model = "$model"
model_provider = "ms"
check_for_update_on_startup = false

[features]
plugins = false

[analytics]
enabled = false

[model_providers.ms]
name = "ModelSwitch"
base_url = "http://127.0.0.1:$gw/v1"
env_key = "MS_KEY"
wire_api = "responses"
TOML
  local rc=0
  (cd "$d/proj" && env -i PATH="$PATH" HOME="$d/home" CODEX_HOME="$d/home" MS_KEY=sk-codex-e2e-1 TERM=dumb \
    timeout 120 "$codex_bin" exec --skip-git-repo-check --dangerously-bypass-approvals-and-sandbox --color never "$@" \
    "Run the shell command this task needs, then report what it printed." < /dev/null > "$d/stdout" 2> "$d/stderr") || rc=$?
  echo "$rc" > "$d/rc"
}

# gateway_lines MODEL: the gateway's request log lines for that virtual model, from its own log file (off a
# terminal the core writes no console copy, issue 16).
gateway_lines() { grep -E "\"key_id\":\"[^\"]+\",\"model\":\"$1\"" "$work/ws/logs/gateway.log" || true; }
# The request log is written asynchronously: wait for N lines.
wait_logged() {
  for _ in $(seq 50); do [ "$(gateway_lines "$1" | wc -l)" -ge "$2" ] && return; sleep 0.1; done
  fail "$1: the gateway logged $(gateway_lines "$1" | wc -l) requests, want $2"
}

# loop NAME MODEL UPSTREAM_PATH UPSTREAM_MODEL UPSTREAM_KEY_HEADER: one tool loop and its checks.
loop() {
  local name=$1 model=$2 path=$3 upmodel=$4 keyheader=$5
  local before t
  before=$(wc -l < "$work/upstream.jsonl")
  t=$(date +%s.%N)
  codex "$name" "$model" --json
  local d="$work/$name" took
  took=$(since "$t")
  [ "$(cat "$d/rc")" = 0 ] || fail "$name: codex exec exited $(cat "$d/rc")"
  grep -qx "$marker" "$d/proj/out.txt" 2>/dev/null || fail "$name: out.txt in the work directory does not hold $marker"
  tail -n +$((before + 1)) "$work/upstream.jsonl" > "$d/upstream.jsonl"
  # What Codex printed (--json: JSONL events) and what the upstream received, checked in one place.
  CHECK_NAME=$name CHECK_PATH=$path CHECK_MODEL=$upmodel CHECK_KEY=$keyheader CHECK_MARKER=$marker \
    CHECK_EVENTS="$d/stdout" CHECK_UPSTREAM="$d/upstream.jsonl" node - <<'JS' || fail "$name: see above"
const fs = require('fs');
const e = process.env, m = e.CHECK_MARKER;
const lines = f => fs.readFileSync(f, 'utf8').split('\n').filter(l => l.trim()).map(l => JSON.parse(l));
const die = msg => { console.log(`codex-e2e: ${e.CHECK_NAME}: ${msg}`); process.exit(1); };
// Codex's events.
const ev = lines(e.CHECK_EVENTS);
const done = ev.filter(x => x.type === 'item.completed').map(x => x.item);
const cmd = done.find(i => i.type === 'command_execution');
if (!cmd) die('Codex ran no command: ' + JSON.stringify(ev));
if (!cmd.command.includes(`echo ${m} > out.txt`) || cmd.exit_code !== 0 || !cmd.aggregated_output.includes(m))
  die('the command execution is not the scripted one: ' + JSON.stringify(cmd));
const msg = done.filter(i => i.type === 'agent_message').map(i => i.text).pop();
const want = `the command printed ${m}.`;
if (!msg || !msg.includes(want)) die(`the final agent message is ${JSON.stringify(msg)}, want one ending "${want}"`);
const errs = done.filter(i => i.type === 'error' && !/Model metadata .* not found/.test(i.message));
if (errs.length || ev.some(x => x.type === 'turn.failed' || x.type === 'error')) die('Codex reported errors: ' + JSON.stringify(ev));
const turn = ev.find(x => x.type === 'turn.completed');
// Both upstream scripts report 1200 input tokens per turn, 1000 of them cached (Anthropic: 200 + 1000 read), 30 out.
const u = turn && turn.usage;
if (!u || u.input_tokens !== 2400 || u.cached_input_tokens !== 2000 || u.output_tokens !== 60)
  die('turn.completed usage is ' + JSON.stringify(u) + ', want input 2400, cached 2000, output 60 (two turns)');
// The upstream's requests.
const up = lines(e.CHECK_UPSTREAM);
if (up.length !== 2) die(`the upstream got ${up.length} requests, want 2: ` + up.map(r => r.path).join(' '));
up.forEach((r, i) => {
  const b = r.body || {};
  if (r.path !== e.CHECK_PATH) die(`upstream request ${i + 1} went to ${r.path}, want ${e.CHECK_PATH}`);
  if (b.model !== e.CHECK_MODEL) die(`upstream request ${i + 1} names model ${b.model}, want ${e.CHECK_MODEL}`);
  if (b.stream !== true) die(`upstream request ${i + 1} is not streamed`);
  const [k, v] = e.CHECK_KEY.split('=');
  if (r.headers[k] !== v) die(`upstream request ${i + 1} carries ${k}: ${r.headers[k]}, want the provider's key`);
});
const [first, second] = up.map(r => r.body);
let carried;
if (e.CHECK_PATH === '/v1/responses') {
  if (second.store !== false) die('the pass-through lost store: false');
  if (first.input.some(it => it.type === 'function_call_output')) die('the first request already holds a tool output');
  const call = second.input.find(it => it.type === 'function_call');
  const out = second.input.find(it => it.type === 'function_call_output');
  if (!call || call.call_id !== 'call_mock1' || call.name !== 'exec_command') die('the second request lacks the function_call: ' + JSON.stringify(call));
  if (!out || out.call_id !== 'call_mock1') die('the second request lacks the function_call_output');
  carried = out.output;
} else {
  const blocks = msg => typeof msg.content === 'string' ? [{ type: 'text', text: msg.content }] : msg.content;
  if (first.messages.some(x => blocks(x).some(b => b.type === 'tool_result'))) die('the first request already holds a tool result');
  const msgs = second.messages;
  const use = blocks(msgs[msgs.length - 2]).find(b => b.type === 'tool_use');
  const res = blocks(msgs[msgs.length - 1]).find(b => b.type === 'tool_result');
  if (!use || use.id !== 'toolu_mock1' || use.name !== 'exec_command' || use.input.cmd === undefined)
    die('the second request lacks the tool_use: ' + JSON.stringify(msgs.slice(-2)));
  if (!res || res.tool_use_id !== 'toolu_mock1') die('the second request lacks the tool_result: ' + JSON.stringify(msgs.slice(-1)));
  carried = JSON.stringify(res.content);
}
if (!String(carried).includes(m)) die('the tool output sent upstream does not carry the marker: ' + JSON.stringify(carried));
console.log(`codex-e2e: ${e.CHECK_NAME}: ran ${JSON.stringify(cmd.command)} → ${JSON.stringify(cmd.aggregated_output.trim())}; ` +
  `final message ${JSON.stringify(msg)}; usage ${JSON.stringify(u)}; upstream ${up.length}× ${e.CHECK_PATH}, ` +
  `second carried ${JSON.stringify(String(carried).slice(0, 60))}…`);
JS
  wait_logged "$model" 2
  local logged
  logged=$(gateway_lines "$model")
  [ "$(echo "$logged" | wc -l)" = 2 ] || fail "$name: the gateway logged $(echo "$logged" | wc -l) requests for $model, want 2"
  if echo "$logged" | grep -v '"status":200,'; then fail "$name: the gateway did not answer every request with 200"; fi
  echo "codex-e2e: $name ok in $took (gateway: 2 × $model status=200)"
}

# 1. Pass-through: a Responses upstream.
loop resp-run codex-resp /v1/responses gpt-upstream-codex "authorization=Bearer upstream-secret-responses"
# 2. Converted: an Anthropic upstream.
loop anth-run codex-anth /v1/messages claude-upstream-codex "x-api-key=upstream-secret-anthropic"

# 3. What the gateway cannot serve: a model it does not have. Codex (plain output, as a user sees it) must fail and
# show the gateway's own error message; nothing may reach the upstream.
before=$(wc -l < "$work/upstream.jsonl")
t=$(date +%s.%N)
codex nomodel-run codex-nope
took=$(since "$t")
d="$work/nomodel-run"
[ "$(cat "$d/rc")" != 0 ] || fail "nomodel-run: codex exec succeeded on a model the gateway does not have"
[ "$(cat "$d/rc")" != 124 ] || fail "nomodel-run: codex exec hung (timeout)"
shown=$(grep -h 'does not exist' "$d/stdout" "$d/stderr" | head -3 || true)
echo "$shown" | grep -q 'model \\\?"codex-nope\\\?" does not exist' ||
  fail "nomodel-run: Codex's output does not show the gateway's 'model \"codex-nope\" does not exist'"
[ "$(wc -l < "$work/upstream.jsonl")" = "$before" ] || fail "nomodel-run: a request for an unknown model reached the upstream"
wait_logged codex-nope 1
refused=$(gateway_lines codex-nope)
echo "$refused" | grep -q '"status":404,' || fail "nomodel-run: the gateway did not log a 404: $refused"
echo "codex-e2e: nomodel-run ok in $took (codex exited $(cat "$d/rc"), gateway logged $(echo "$refused" | wc -l) × status=404; Codex showed: $(echo "$shown" | head -1 | cut -c1-200))"

echo "codex-e2e: ok in $(since "$t0") ($(wc -l < "$work/upstream.jsonl") upstream requests in all)"
