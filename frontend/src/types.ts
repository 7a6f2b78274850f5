// JSON shapes of the admin API (docs/admin-api.md, gateway/admin/*.go).
// Fields the gateway may not send yet are optional.
import type { Route } from './routes'

export interface Timeouts {
  connect?: number
  first_byte?: number
  idle?: number
}

export interface CircuitBreakerCfg {
  failures?: number
  open_seconds?: number
}

export interface BreakerState {
  provider?: string
  model: string
  state: string
  consecutive_failures?: number
  open_until?: string
}

export interface Provider {
  name: string
  provider: 'openai' | 'anthropic' | string
  base_url: string
  api_key?: string
  api_key_set?: boolean
  custom_headers?: Record<string, string> | null
  enabled: boolean
  max_concurrent?: number
  max_queue_size?: number
  queue_timeout?: number
  disable_stream_options?: boolean
  reasoning?: string
  timeouts?: Timeouts | null
  circuit_breaker?: CircuitBreakerCfg | null
  used_by?: string[]
  /** the preset id the provider was added from ("" or absent: none) */
  preset?: string
  live?: { active: number; waiting: number; breakers?: BreakerState[] }
}

export interface ProviderTest {
  success: boolean
  status_code?: number
  latency_ms?: number
  models?: string[]
  error?: string
}

export interface Adapter {
  adapter: string
  model_name: string
  priority: number
  timeout?: number
  params?: Record<string, unknown> | null
  weight?: number // 0 = 1; the share under balance "weighted"
  context_window?: number // 0 = the preset's, if any
}

export interface Model {
  name: string
  mode: 'chain' | 'adapter' | string
  description?: string
  aliases?: string[]
  balance?: '' | 'weighted' | 'least_in_flight' | 'latency' | string
  affinity?: boolean
  routes?: Route[]
  adapters: Adapter[]
}

export interface ChainStep {
  adapter: string
  model_name: string
  priority: number
  status: 'success' | 'failed' | 'skipped' | string
  latency_ms?: number
  error?: string
  status_code?: number
  usage?: { input_tokens?: number; output_tokens?: number }
  preview?: string
  tool_calls?: { name: string; arguments: unknown }[]
}

export interface ModelTest {
  success: boolean
  mode?: string
  test_type?: string
  adapter_used?: string
  latency_ms?: number
  error?: string
  preview?: string
  chain?: ChainStep[]
}

export interface ApiKey {
  id: string
  name: string
  description?: string
  key: string
  roles?: string[]
  enabled: boolean
  rate_limit?: number | null
  daily_limit?: number | null
  allowed_models?: string[] | null
  expires_at?: string | null
  created_at?: string
  today_requests?: number
  daily_budget?: number
  monthly_budget?: number
  budget_warning?: number
  spent_today?: number
  spent_month?: number
  currency?: string
}


export interface KeyCreated {
  message?: string
  secret: string
  key: ApiKey
}

export interface Whoami {
  id?: string
  name?: string
  roles?: string[]
  admin: boolean
}

export interface Health {
  status: string
  version?: string
  uptime_seconds?: number
  models?: string[]
  providers?: Record<string, { enabled: boolean; provider: string; base_url: string }>
  breakers?: BreakerState[]
  config_reload?: { at?: string; ok?: boolean; loaded_at?: string; error?: string }
  // What leaves the workspace open to other users (config.yaml readable by others, …); admin only.
  warnings?: string[]
}

export interface QueueStat {
  provider: string
  active: number
  waiting: number
  max_concurrent: number
  max_queue_size: number
}

export interface Metrics {
  total_requests: number
  success_count: number
  fail_count: number
  success_rate?: number
  tokens_in?: number
  tokens_out?: number
  cache_read_tokens?: number
  cache_write_tokens?: number
  reasoning_tokens?: number
  total_tokens?: number
  avg_latency_ms?: number
  p95_latency_ms?: number
  avg_ttft_ms?: number
  status?: Record<string, number>
  /** in the report's currency; null when no request in it had a price */
  cost?: number | null
  cost_nanos?: number
  unpriced_count?: number
}

export interface UsageGroup extends Metrics {
  name: string
  key_name?: string
}

export interface UsagePoint extends Metrics {
  start: string
}

/** POST /api/usage/recompute: the stored costs of a range priced again with today's prices. */
export interface UsageRecomputed {
  /** rows examined */
  rows: number
  /** rows whose cost changed */
  changed: number
  cost_before: number
  cost_after: number
  currency: string
  from: string
  to: string
  /** the oldest raw row still stored; older hours keep their cost */
  kept_since: string | null
}

export interface UsageReport {
  currency?: string
  from?: string
  to?: string
  timezone?: string
  group_by?: string
  item?: string
  sub_group?: string
  interval?: string
  total: number
  totals?: Metrics
  groups: UsageGroup[]
  series?: UsagePoint[]
}

export interface LogEntry {
  seq: number
  time: string
  level: string
  message: string
  request_id?: string
  key_id?: string
  model?: string
  provider?: string
  attrs?: Record<string, unknown>
}

export interface ConversationSummary {
  id: string
  time: string
  key_id?: string
  key_name?: string
  model: string
  provider?: string
  upstream_model?: string
  protocol?: string
  stream?: boolean
  status?: number
  success: boolean
  error?: string
  input_tokens?: number
  output_tokens?: number
  cache_read_tokens?: number
  cache_write_tokens?: number
  latency_ms?: number
  ttft_ms?: number
  preview?: string
  tool_calls?: number
  truncated?: boolean
}

export interface ConversationPage {
  total: number
  page?: number
  page_size?: number
  items: ConversationSummary[]
}

export interface Attempt {
  provider: string
  model: string
  error?: string
  skipped?: boolean
  status?: number
  latency_ms?: number
}

export interface ConversationRecord {
  id: string
  time: string
  key_id?: string
  key_name?: string
  model: string
  requested_model?: string // what the client asked for, when an alias or route changed it
  route?: string // e.g. "alias claude-*haiku*; route long"
  provider?: string
  upstream_model?: string
  protocol?: string
  stream?: boolean
  status?: number
  error?: string
  attempts?: Attempt[]
  usage?: {
    input_tokens?: number
    output_tokens?: number
    cache_read_tokens?: number
    cache_write_tokens?: number
    reasoning_tokens?: number
    estimated?: boolean
  }
  latency_ms?: number
  ttft_ms?: number
  request?: unknown
  upstream_request?: unknown
  output?: {
    text?: string
    thinking?: string
    tool_calls?: { id?: string; name: string; arguments: string }[]
    stop_reason?: string
  }
  truncated?: boolean
}

/** A shipped provider preset (GET /api/presets). */
export interface Preset {
  id: string
  name: string
  homepage?: string
  keys_url?: string
  local?: boolean
  endpoints: { openai?: string; anthropic?: string; responses?: string }
  currency?: string
  models: { id: string; context: number; max_output: number; price?: { input: number; output: number; cache_read?: number; cache_write?: number; cache_write_1h?: number } }[]
  claude_code?: { opus?: string; sonnet?: string; haiku?: string }
}
