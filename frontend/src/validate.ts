// Form validation, run before anything is sent. Each validator returns the
// problems by field name as i18n keys (with params), so the forms show them in
// place and the tests need no DOM.
import type { MessageKey } from './i18n'
import type { RouteForm } from './routes'

export interface Problem {
  key: MessageKey
  params?: Record<string, unknown>
}
export type Problems = Record<string, Problem>

const hasEnv = (s: string) => /\$\{\w+\}/.test(s)

/** An http(s) URL with a host, or text containing ${VAR} (kept as written). */
export function checkURL(value: string): Problem | undefined {
  const v = value.trim()
  if (!v) return { key: 'v.required' }
  if (hasEnv(v)) {
    // ${VAR} is resolved by the gateway; check what is left around it.
    const probe = v.replace(/\$\{\w+\}/g, 'x')
    if (/^\w+$/.test(probe) || /^https?:\/\/[^\s/]+/i.test(probe)) return undefined
    return { key: 'v.url' }
  }
  let u: URL
  try {
    u = new URL(v)
  } catch {
    return { key: 'v.url' }
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || !u.hostname) return { key: 'v.url' }
  if (/\s/.test(v)) return { key: 'v.url' }
  return undefined
}

export interface NumberRule {
  integer?: boolean
  min?: number // inclusive
  positive?: boolean // > 0
  optional?: boolean // empty is fine
}

/** Parses a number typed as text; undefined when empty. */
export function parseNumber(value: string | number | null | undefined): number | undefined {
  if (value === null || value === undefined) return undefined
  if (typeof value === 'number') return value
  const v = value.trim()
  if (!v) return undefined
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(v)) return NaN
  return Number(v)
}

export function checkNumber(value: string | number | null | undefined, rule: NumberRule = {}): Problem | undefined {
  const n = parseNumber(value)
  if (n === undefined) return rule.optional === false ? { key: 'v.required' } : undefined
  if (Number.isNaN(n) || !Number.isFinite(n)) return { key: rule.integer ? 'v.integer' : 'v.number' }
  if (rule.integer && !Number.isInteger(n)) return { key: 'v.integer' }
  if (rule.positive && n <= 0) return { key: 'v.positive' }
  if (rule.min !== undefined && n < rule.min) return { key: 'v.nonNegative' }
  return undefined
}

/** Custom headers: a JSON object of string values (empty text = none). */
export function checkHeadersJSON(text: string): Problem | undefined {
  const problem = checkJSONObject(text)
  if (problem || !text.trim()) return problem
  const parsed = JSON.parse(text) as Record<string, unknown>
  if (Object.values(parsed).some((x) => typeof x !== 'string')) return { key: 'v.headerValues' }
  return undefined
}

/** A JSON object (adapter params); empty text = none. */
export function checkJSONObject(text: string): Problem | undefined {
  const v = text.trim()
  if (!v) return undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(v)
  } catch (e) {
    return { key: 'v.json', params: { error: e instanceof Error ? e.message : String(e) } }
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return { key: 'v.jsonObject' }
  return undefined
}

export function checkName(name: string, existing: string[], original?: string): Problem | undefined {
  const v = name.trim()
  if (!v) return { key: 'v.required' }
  if (!/^[\w.\-:/@]+$/u.test(v)) return { key: 'v.nameChars' }
  if (v !== original && existing.includes(v)) return { key: 'v.duplicate' }
  return undefined
}

/** An expiry (ms since the epoch) must lie in the future; null = never expires. */
export function checkExpiry(ts: number | null | undefined, now: number = Date.now()): Problem | undefined {
  if (ts === null || ts === undefined) return undefined
  if (!Number.isFinite(ts)) return { key: 'v.required' }
  if (ts <= now) return { key: 'v.pastExpiry' }
  return undefined
}

function collect(entries: [string, Problem | undefined][]): Problems {
  const out: Problems = {}
  for (const [field, p] of entries) if (p) out[field] = p
  return out
}

export interface ProviderForm {
  name: string
  provider: string
  base_url: string
  api_key: string
  custom_headers: string
  enabled: boolean
  max_concurrent: string
  max_queue_size: string
  queue_timeout: string
  disable_stream_options: boolean
  reasoning: string
  timeout_connect: string
  timeout_first_byte: string
  timeout_idle: string
  breaker_failures: string
  breaker_open_seconds: string
}

export function validateProvider(f: ProviderForm, existing: string[], original?: string): Problems {
  return collect([
    ['name', checkName(f.name, existing, original)],
    ['base_url', checkURL(f.base_url)],
    ['custom_headers', checkHeadersJSON(f.custom_headers)],
    ['max_concurrent', checkNumber(f.max_concurrent, { integer: true, min: 0 })],
    ['max_queue_size', checkNumber(f.max_queue_size, { integer: true, min: 0 })],
    ['queue_timeout', checkNumber(f.queue_timeout, { min: 0 })],
    ['timeout_connect', checkNumber(f.timeout_connect, { min: 0 })],
    ['timeout_first_byte', checkNumber(f.timeout_first_byte, { min: 0 })],
    ['timeout_idle', checkNumber(f.timeout_idle, { min: 0 })],
    ['breaker_failures', checkNumber(f.breaker_failures, { integer: true, min: 0 })],
    ['breaker_open_seconds', checkNumber(f.breaker_open_seconds, { min: 0 })],
  ])
}

export interface AdapterForm {
  uid: number
  adapter: string
  model_name: string
  timeout: string
  params: string
  priority: string // shown when the model is balanced; else the position decides
  weight: string // empty = 1
  context_window: string // empty = the preset's
}

export interface ModelForm {
  name: string
  mode: string
  description: string
  balance: string // '' = file order
  affinity: boolean
  adapters: AdapterForm[]
}

/** Problems of a model form; adapter fields are named "adapters.<i>.<field>". */
export function validateModel(f: ModelForm, existing: string[], providers: string[], original?: string): Problems {
  const entries: [string, Problem | undefined][] = [['name', checkName(f.name, existing, original)]]
  if (f.adapters.length === 0) entries.push(['adapters', { key: 'v.adapters' }])
  f.adapters.forEach((a, i) => {
    const p = `adapters.${i}.`
    entries.push([
      p + 'adapter',
      !a.adapter ? { key: 'v.required' } : providers.includes(a.adapter) ? undefined : { key: 'v.unknownProvider' },
    ])
    entries.push([p + 'model_name', a.model_name.trim() ? undefined : { key: 'v.required' }])
    entries.push([p + 'timeout', checkNumber(a.timeout, { positive: true })])
    entries.push([p + 'params', checkJSONObject(a.params)])
    if (f.balance) entries.push([p + 'priority', checkNumber(a.priority, { integer: true, min: 0 })])
    entries.push([p + 'weight', checkNumber(a.weight, { integer: true, min: 0 })])
    entries.push([p + 'context_window', checkNumber(a.context_window, { integer: true, min: 0 })])
  })
  return collect(entries)
}

const routeHasCondition = (f: RouteForm) =>
  f.tokens.trim() !== '' || f.thinking !== 'any' || f.web_search !== 'any' || f.images !== 'any' || f.tier.trim() !== '' || f.header.trim() !== ''

/**
 * Problems of a model's routes (routes.ts has the form), named like the
 * server's fields: "routes.<i>.when", "routes.<i>.when.input_tokens_over",
 * "routes.<i>.to", "routes.<i>.adapter", "routes.<i>.name". models are the
 * virtual models, adapters the providers of this model's chain, self its name.
 */
export function validateRoutes(routes: RouteForm[], models: string[], adapters: string[], self: string): Problems {
  const entries: [string, Problem | undefined][] = []
  const names = new Set<string>()
  routes.forEach((f, i) => {
    const p = `routes.${i}.`
    const name = f.name.trim() || `route ${i + 1}` // the server's label of an unnamed route
    entries.push([p + 'name', names.has(name) ? { key: 'v.duplicate' } : undefined])
    names.add(name)
    entries.push([p + 'when', routeHasCondition(f) ? undefined : { key: 'v.routeCondition' }])
    entries.push([p + 'when.input_tokens_over', checkNumber(f.tokens, { integer: true, min: 0 })])
    if (f.target === 'model') {
      entries.push([p + 'to', !f.to ? { key: 'v.required' } : f.to === self.trim() ? { key: 'v.routeSelf' } : models.includes(f.to) ? undefined : { key: 'v.unknownModel' }])
    } else {
      entries.push([p + 'adapter', !f.adapter ? { key: 'v.required' } : adapters.includes(f.adapter) ? undefined : { key: 'v.routeAdapter' }])
    }
  })
  return collect(entries)
}

export interface KeyForm {
  name: string
  description: string
  role: 'admin' | 'user'
  rate_limit: string
  daily_limit: string
  daily_budget: string
  monthly_budget: string
  budget_warning: string // percent, 1–100; empty = 80
  allowed_models: string[]
  expires_at: number | null
}

/** A percent between 1 and 100 (empty = the default). */
export function checkPercent(value: string): Problem | undefined {
  const p = checkNumber(value, { positive: true })
  if (p) return p
  const n = parseNumber(value)
  return n !== undefined && n > 100 ? { key: 'v.percent' } : undefined
}

export function validateKey(f: KeyForm, existing: string[], original?: string, now: number = Date.now()): Problems {
  const name = f.name.trim()
  return collect([
    ['name', !name ? { key: 'v.required' } : name !== original && existing.includes(name) ? { key: 'v.duplicate' } : undefined],
    ['rate_limit', checkNumber(f.rate_limit, { integer: true, min: 0 })],
    ['daily_limit', checkNumber(f.daily_limit, { integer: true, min: 0 })],
    ['daily_budget', checkNumber(f.daily_budget, { min: 0 })],
    ['monthly_budget', checkNumber(f.monthly_budget, { min: 0 })],
    ['budget_warning', checkPercent(f.budget_warning)],
    ['expires_at', checkExpiry(f.expires_at, now)],
  ])
}

/** A model's aliases as typed: comma- or space-separated, blanks and repeats dropped. */
export function splitAliases(text: string): string[] {
  const out: string[] = []
  for (const a of text.split(/[,\s]+/)) if (a && !out.includes(a)) out.push(a)
  return out
}
