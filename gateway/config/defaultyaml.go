package config

import (
	"crypto/rand"
	"math/big"
	"strconv"
	"strings"
)

// SecretPrefix starts every key NewSecret makes, so a leaked one is recognisable.
const SecretPrefix = "sk-ms-"

// secretLength is the random part of a generated key: 32 base62 characters,
// 190 bits.
const secretLength = 32

// MinKeyLength is the shortest client key the configuration accepts, from
// the file and the admin API alike. Keys written by hand are what can be
// guessed ("test", "sk-1", "123"); twelve characters put even a careless one
// out of reach of the failed-authentication throttle's guess a second, and
// still load the seed's configurations, whose example keys have 14
// (seed-behaviour §2.4), so no upgrade stops on it.
const MinKeyLength = 12

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// NewSecret returns a new random API key: SecretPrefix and 32 base62 characters (~190 bits)
// from crypto/rand.
func NewSecret() string {
	var b strings.Builder
	b.WriteString(SecretPrefix)
	max := big.NewInt(int64(len(base62)))
	for range secretLength {
		n, err := rand.Int(rand.Reader, max)
		if err != nil { // crypto/rand does not fail on supported platforms
			panic("config: reading random bytes: " + err.Error())
		}
		b.WriteByte(base62[n.Int64()])
	}
	return b.String()
}

// DefaultYAML is the commented config.yaml written on first run. It holds no provider or model
// that would reach a paid service (the examples are commented out) and a single API key,
// adminKey, with the admin role; the caller shows that key to the user once.
func DefaultYAML(adminKey string) []byte {
	return []byte(strings.ReplaceAll(defaultTemplate, "@ADMIN_KEY@", strconv.Quote(adminKey)))
}

const defaultTemplate = `# ModelSwitch configuration.
#
# ModelSwitch serves an OpenAI-compatible API (/v1/chat/completions) and an
# Anthropic-compatible API (/v1/messages) and routes each request for a virtual
# model to a chain of upstream providers. This file is reloaded when it changes;
# an invalid edit is reported and the previous configuration stays in effect.
#
# In providers[].base_url, providers[].api_key and api_keys[].key, ${NAME} is
# replaced by the environment variable NAME, so secrets can stay out of this file.

gateway:
  # Listen address. 127.0.0.1 accepts local clients only; use 0.0.0.0 to serve
  # your network (then protect every key). --host/--port override these.
  host: 127.0.0.1
  port: 8000
  # DEBUG, INFO, WARN or ERROR.
  log_level: INFO
  # gateway.log and conversations.jsonl live here (relative to the workspace).
  log_dir: logs
  # Both log files rotate at this size (bytes) and keep this many old files.
  log_max_bytes: 104857600
  log_backup_count: 30
  # Conversation content in conversations.jsonl: full, truncated or off.
  log_bodies: full
  # Time zone that defines "today" for daily limits and usage statistics,
  # e.g. Asia/Shanghai. Default: the computer's local zone.
  # timezone: Asia/Shanghai
  # Largest accepted request body, in MiB.
  max_body_mb: 32
  # Browser origins allowed to call the API (CORS). Default: none.
  # cors_origins: ["http://localhost:3000"]
  # Days of per-request usage rows to keep (hourly totals are kept).
  usage_retention_days: 90
  # A provider that fails this many times in a row is skipped for open_seconds.
  # Each provider may override this with its own circuit_breaker.
  circuit_breaker:
    failures: 5
    open_seconds: 30

# Upstream services. Nothing is configured yet: copy the example, set its
# api_key (preferably as ${ENV_VAR}) and reference it from a model below.
providers: []
#  - name: dashscope                 # unique; models refer to it by this name
#    provider: openai                # openai (any OpenAI-compatible API) or anthropic
#    base_url: https://dashscope.aliyuncs.com/compatible-mode/v1
#    api_key: ${DASHSCOPE_API_KEY}
#    enabled: true
#    custom_headers: {}              # extra HTTP headers sent upstream
#    max_concurrent: 0               # concurrent requests; 0 = unlimited
#    max_queue_size: 100             # requests that may wait for a free slot
#    queue_timeout: 300              # seconds a request may wait in the queue
#    disable_stream_options: false   # true for servers that reject stream_options
#    reasoning: drop                 # thinking history sent upstream: drop or reasoning_content
#    timeouts:                       # seconds
#      connect: 10
#      first_byte: 0                 # 0 = the adapter's timeout
#      idle: 120                     # longest silence inside a stream
#    circuit_breaker: {failures: 5, open_seconds: 30}
#  - name: local-vllm
#    base_url: http://localhost:8001/v1
#    api_key: EMPTY
#    disable_stream_options: true

# Virtual models that clients ask for, by name. In chain mode the adapters are
# tried in ascending priority and the next one is used when one fails; in
# adapter mode only the lowest-priority adapter is used.
models: {}
#  qwen-plus:
#    mode: chain                     # chain or adapter
#    description: Qwen Plus
#    adapters:
#      - adapter: dashscope          # a provider name from above
#        model_name: qwen-plus       # the model id the provider expects
#        priority: 1                 # smaller first; default 1
#        timeout: 60                 # seconds
#        params: {max_tokens: 8192}  # optional request overrides and caps
#        context_window: 131072      # tokens; a larger request skips this adapter
#  main:
#    aliases: ["claude-*", gpt-5-codex]  # names agents ask for (patterns allowed)
#    balance: weighted               # equal priorities share the load: weighted,
#                                    # least_in_flight or latency
#    affinity: true                  # a conversation stays on its adapter (default)
#    routes:                         # first match wins
#      - {name: long, when: {input_tokens_over: 100000}, to: qwen-plus}
#      - {name: background, when: {tier: haiku}, to: qwen-plus}
#    adapters:
#      - {adapter: dashscope, model_name: qwen-max, weight: 3}
#      - {adapter: local-vllm, model_name: qwen3, weight: 1}

# Keys that clients present (Authorization: Bearer <key> or x-api-key).
# roles: admin may use the admin API and UI; user (the default) may only call
# models. Optional per key: rate_limit (requests per minute, absent or 0 =
# unlimited), daily_limit (requests per day, 0 = unlimited), allowed_models
# (empty = all), expires_at (e.g. 2026-12-31T23:59:59+08:00), enabled.
api_keys:
  - name: admin
    key: @ADMIN_KEY@
    roles: [admin]
    description: Created on first run. Keep it secret.
`
