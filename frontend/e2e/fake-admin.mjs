// Development stand-in for admin endpoints the gateway does not serve yet
// (E2E_FAKE_ADMIN=1 only). It follows docs/admin-api.md: providers, models
// and keys are kept here and written to the workspace's config.yaml (as JSON,
// which is YAML), so the real gateway hot-reloads them and serves real
// traffic; usage is aggregated from the gateway's /api/conversations. Every
// request is first sent to the gateway: only its "no route" 404s come here.
import { createHash, randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'

const keyId = (secret) => 'key_' + createHash('sha256').update(secret).digest('hex').slice(0, 12)
const mask = (s) => (!s ? '' : /\$\{\w+\}/.test(s) ? s : s.length <= 8 ? s.slice(0, 2) + '****' : s.slice(0, 6) + '****' + s.slice(-4))
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

export function createFakeAdmin({ configPath, adminKey, gateway, gatewayPort }) {
  const state = {
    gateway: { host: '127.0.0.1', port: gatewayPort, log_bodies: 'full' },
    providers: [],
    models: [],
    api_keys: [{ key: adminKey, name: 'e2e-admin', roles: ['admin'], enabled: true, created_at: new Date().toISOString() }],
  }

  async function save() {
    const models = {}
    for (const m of state.models) models[m.name] = { mode: m.mode, description: m.description, adapters: m.adapters }
    const doc = { gateway: state.gateway, providers: state.providers, models, api_keys: state.api_keys }
    writeFileSync(configPath, JSON.stringify(doc, null, 2) + '\n', { mode: 0o600 })
    // wait for the gateway's hot reload to pick it up
    const before = await health()
    for (let i = 0; i < 40; i++) {
      await sleep(100)
      const h = await health()
      if (h?.config_reload?.loaded_at !== before?.config_reload?.loaded_at || h?.config_reload?.at !== before?.config_reload?.at) {
        await sleep(50)
        return
      }
    }
  }
  const health = () => fetch(gateway + '/api/config/health').then((r) => r.json()).catch(() => null)
  const gw = (path, auth) => fetch(gateway + path, { headers: { Authorization: auth } }).then((r) => (r.ok ? r.json() : null)).catch(() => null)

  const err = (status, message, fields) => ({ status, body: { error: fields ? { message, fields } : { message } } })
  const ok = (body, status = 200) => ({ status, body })

  function checkURL(u) {
    if (/\$\{\w+\}/.test(u)) return true
    try {
      const x = new URL(u)
      return x.protocol === 'http:' || x.protocol === 'https:'
    } catch {
      return false
    }
  }

  const providerView = (p) => ({
    name: p.name, provider: p.provider ?? 'openai', base_url: p.base_url, api_key: mask(p.api_key), api_key_set: !!p.api_key,
    custom_headers: p.custom_headers ?? {}, enabled: p.enabled !== false, max_concurrent: p.max_concurrent ?? 0,
    max_queue_size: p.max_queue_size ?? 100, queue_timeout: p.queue_timeout ?? 300, disable_stream_options: !!p.disable_stream_options,
    reasoning: p.reasoning ?? '', timeouts: p.timeouts ?? {}, circuit_breaker: p.circuit_breaker ?? null,
    used_by: state.models.filter((m) => m.adapters.some((a) => a.adapter === p.name)).map((m) => m.name),
    live: { active: 0, waiting: 0, breakers: [] },
  })
  const keyView = (k, today = {}) => ({
    id: keyId(k.key), name: k.name ?? '', description: k.description ?? '', key: mask(k.key), roles: k.roles ?? ['user'],
    enabled: k.enabled !== false, rate_limit: k.rate_limit ?? 0, daily_limit: k.daily_limit ?? 0, allowed_models: k.allowed_models ?? [],
    expires_at: k.expires_at ?? null, created_at: k.created_at ?? '', today_requests: today[keyId(k.key)] ?? 0,
  })

  function providerFields(b, creating) {
    const fields = []
    if (creating && !b.name) fields.push({ field: 'name', message: 'is required' })
    if ((creating || 'base_url' in b) && !checkURL(b.base_url ?? '')) fields.push({ field: 'base_url', message: 'must be an http(s) URL' })
    return fields
  }

  async function upstreamCall(p, modelName, testType) {
    const tools = testType === 'tool'
    const t0 = Date.now()
    const anthropic = p.provider === 'anthropic'
    const base = p.base_url.replace(/\/$/, '')
    const url = anthropic ? (base.endsWith('/v1') ? base : base + '/v1') + '/messages' : base + '/chat/completions'
    const headers = { 'Content-Type': 'application/json', ...(p.custom_headers ?? {}) }
    if (anthropic) Object.assign(headers, { 'x-api-key': p.api_key ?? '', 'anthropic-version': '2023-06-01' })
    else if (p.api_key) headers.Authorization = 'Bearer ' + p.api_key
    const msg = tools ? 'What is the weather in Paris? Use the tool.' : 'Say hello.'
    const body = anthropic
      ? { model: modelName, max_tokens: 64, messages: [{ role: 'user', content: msg }], ...(tools ? { tools: [{ name: 'get_weather', description: 'Weather of a city', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }] } : {}) }
      : { model: modelName, max_tokens: 64, messages: [{ role: 'user', content: msg }], ...(tools ? { tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }] } : {}) }
    try {
      const r = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body), signal: AbortSignal.timeout(15000) })
      const j = await r.json().catch(() => ({}))
      const latency_ms = Date.now() - t0
      if (!r.ok) return { status: 'failed', status_code: r.status, latency_ms, error: j?.error?.message ?? `HTTP ${r.status}` }
      if (anthropic) {
        return {
          status: 'success', status_code: r.status, latency_ms, usage: { input_tokens: j.usage?.input_tokens, output_tokens: j.usage?.output_tokens },
          preview: (j.content ?? []).filter((c) => c.type === 'text').map((c) => c.text).join('').slice(0, 200),
          tool_calls: (j.content ?? []).filter((c) => c.type === 'tool_use').map((c) => ({ name: c.name, arguments: c.input })),
        }
      }
      const m = j.choices?.[0]?.message ?? {}
      return {
        status: 'success', status_code: r.status, latency_ms, usage: { input_tokens: j.usage?.prompt_tokens, output_tokens: j.usage?.completion_tokens },
        preview: (m.content ?? '').slice(0, 200),
        tool_calls: (m.tool_calls ?? []).map((c) => ({ name: c.function?.name, arguments: c.function?.arguments })),
      }
    } catch (e) {
      return { status: 'failed', latency_ms: Date.now() - t0, error: String(e?.message ?? e) }
    }
  }

  // Usage aggregated from the conversation records (the rollups' API is not served yet).
  async function usage(q, auth, itemPath) {
    const tz = q.get('tz') || 'UTC'
    const day = (iso) => new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso))
    const hour = (iso) => new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: '2-digit', hourCycle: 'h23' }).format(new Date(iso))
    const from = q.get('date_from') || day(new Date().toISOString())
    const to = q.get('date_to') || from
    const rows = []
    for (let page = 1; page < 20; page++) {
      const r = await gw(`/api/conversations?page=${page}&page_size=200`, auth)
      if (!r) break
      rows.push(...r.items)
      if (r.items.length < 200) break
    }
    const dimOf = { provider: (x) => x.provider, model: (x) => x.model, api_key: (x) => x.key_id, upstream_model: (x) => x.upstream_model }
    let sel = rows.filter((x) => { const d = day(x.time); return d >= from && d <= to })
    const groupBy = q.get('group_by') || (itemPath?.key ? 'model' : 'provider')
    let dim = groupBy
    if (itemPath?.item !== undefined) {
      sel = sel.filter((x) => dimOf[groupBy](x) === itemPath.item)
      dim = q.get('sub_group') || ['provider', 'model', 'api_key'].find((d) => d !== groupBy)
    }
    if (itemPath?.key) sel = sel.filter((x) => x.key_id === itemPath.key)
    for (const d of Object.keys(dimOf)) if (q.get('filter_' + d)) sel = sel.filter((x) => dimOf[d](x) === q.get('filter_' + d))
    const metrics = (xs) => {
      const n = xs.length
      const succ = xs.filter((x) => x.success).length
      const lat = xs.map((x) => x.latency_ms ?? 0).sort((a, b) => a - b)
      const ttft = xs.filter((x) => x.ttft_ms).map((x) => x.ttft_ms)
      const sum = (f) => xs.reduce((s, x) => s + (f(x) ?? 0), 0)
      const m = {
        total_requests: n, success_count: succ, fail_count: n - succ, success_rate: n ? Math.round((1000 * succ) / n) / 10 : 0,
        status: { '2xx': xs.filter((x) => x.status >= 200 && x.status < 300).length, '4xx': xs.filter((x) => x.status >= 400 && x.status < 500).length, '5xx': xs.filter((x) => x.status >= 500).length },
        tokens_in: sum((x) => x.input_tokens), tokens_out: sum((x) => x.output_tokens), cache_read_tokens: sum((x) => x.cache_read_tokens), cache_write_tokens: sum((x) => x.cache_write_tokens),
        avg_latency_ms: n ? Math.round(sum((x) => x.latency_ms) / n) : 0, p95_latency_ms: n ? lat[Math.min(n - 1, Math.floor(n * 0.95))] : 0,
        avg_ttft_ms: ttft.length ? Math.round(ttft.reduce((a, b) => a + b, 0) / ttft.length) : 0,
      }
      m.total_tokens = m.tokens_in + m.tokens_out + m.cache_read_tokens + m.cache_write_tokens
      return m
    }
    const groups = new Map()
    for (const x of sel) {
      const k = dimOf[dim](x) || ''
      if (!groups.has(k)) groups.set(k, [])
      groups.get(k).push(x)
    }
    const out = [...groups].map(([name, xs]) => ({ name, ...(dim === 'api_key' ? { key_name: xs[0].key_name } : {}), ...metrics(xs) }))
    out.sort((a, b) => b.total_requests - a.total_requests || a.name.localeCompare(b.name))
    const interval = q.get('interval') || ''
    let series
    if (interval === 'hour' && from === to) {
      series = Array.from({ length: 24 }, (_, h) => ({ start: `${from}T${String(h).padStart(2, '0')}:00:00`, ...metrics(sel.filter((x) => Number(hour(x.time)) === h)) }))
    } else if (interval) {
      series = []
      for (let d = new Date(from + 'T00:00:00Z'); d.toISOString().slice(0, 10) <= to; d.setUTCDate(d.getUTCDate() + 1)) {
        const ds = d.toISOString().slice(0, 10)
        series.push({ start: ds + 'T00:00:00', ...metrics(sel.filter((x) => day(x.time) === ds)) })
      }
    }
    const totals = metrics(sel)
    return ok({ from, to, timezone: tz, group_by: groupBy, item: itemPath?.item, sub_group: itemPath?.item !== undefined ? dim : undefined, interval, total: totals.total_requests, totals, groups: out, series })
  }

  async function todayByKey(auth) {
    const r = await usage(new URLSearchParams({ group_by: 'api_key', tz: 'UTC' }), auth)
    return Object.fromEntries(r.body.groups.map((g) => [g.name, g.total_requests]))
  }

  function authorized(auth) {
    const k = (auth ?? '').replace(/^Bearer\s+/i, '')
    const found = state.api_keys.find((x) => x.key === k && x.enabled !== false)
    return found ? (found.roles ?? []).includes('admin') ? 'admin' : 'user' : null
  }

  /** Answers a request the gateway had no route for, or returns null. */
  async function handle(method, path, q, body, auth) {
    const who = authorized(auth)
    let m
    if (path === '/api/whoami' && method === 'GET') {
      if (!who) return err(401, 'invalid API key')
      const k = state.api_keys.find((x) => x.key === auth.replace(/^Bearer\s+/i, ''))
      return ok({ id: keyId(k.key), name: k.name, roles: k.roles ?? ['user'], admin: who === 'admin' })
    }
    if (path === '/api/usage' && method === 'GET') return who ? usage(q, auth) : err(401, 'missing API key')
    if ((m = path.match(/^\/api\/usage\/(.+)\/detail$/)) && method === 'GET') return who ? usage(q, auth, { item: decodeURIComponent(m[1]) }) : err(401, 'missing API key')
    if ((m = path.match(/^\/api\/keys\/([^/]+)\/usage$/)) && method === 'GET') return who === 'admin' ? usage(q, auth, { key: decodeURIComponent(m[1]) }) : err(403, 'admin role required')
    if (!path.startsWith('/api/config/providers') && !path.startsWith('/api/config/models') && !path.startsWith('/api/keys')) return null
    if (!who) return err(401, 'missing API key')
    if (who !== 'admin') return err(403, 'the admin role is required')

    // providers
    if (path === '/api/config/providers') {
      if (method === 'GET') return ok(state.providers.map(providerView))
      if (method === 'POST') {
        const fields = providerFields(body, true)
        if (fields.length) return err(400, 'invalid provider', fields)
        if (state.providers.some((p) => p.name === body.name)) return err(409, `provider "${body.name}" exists`, [{ field: 'name', message: 'is already used' }])
        const p = { name: body.name, provider: body.provider ?? 'openai', base_url: body.base_url, api_key: body.api_key ?? '', custom_headers: body.custom_headers ?? {}, enabled: body.enabled !== false,
          max_concurrent: body.max_concurrent ?? 0, max_queue_size: body.max_queue_size ?? 100, queue_timeout: body.queue_timeout ?? 300, disable_stream_options: !!body.disable_stream_options }
        state.providers.push(p)
        await save()
        return ok({ message: 'provider created', provider: providerView(p) }, 201)
      }
    }
    if ((m = path.match(/^\/api\/config\/providers\/([^/]+)(\/toggle|\/test)?$/))) {
      const name = decodeURIComponent(m[1])
      const p = state.providers.find((x) => x.name === name)
      if (!p) return err(404, `provider "${name}" not found`)
      if (m[2] === '/toggle' && method === 'PATCH') {
        p.enabled = p.enabled === false
        await save()
        return ok({ name, enabled: p.enabled })
      }
      if (m[2] === '/test' && method === 'POST') {
        const t0 = Date.now()
        try {
          const headers = p.provider === 'anthropic' ? { 'x-api-key': p.api_key, 'anthropic-version': '2023-06-01' } : { Authorization: 'Bearer ' + p.api_key }
          const base = p.base_url.replace(/\/$/, '')
          const r = await fetch((p.provider === 'anthropic' && !base.endsWith('/v1') ? base + '/v1' : base) + '/models', { headers, signal: AbortSignal.timeout(10000) })
          const j = await r.json().catch(() => ({}))
          return ok({ success: r.ok, status_code: r.status, latency_ms: Date.now() - t0, models: (j.data ?? []).map((x) => x.id), ...(r.ok ? {} : { error: j?.error?.message ?? `HTTP ${r.status}` }) })
        } catch (e) {
          return ok({ success: false, latency_ms: Date.now() - t0, models: [], error: String(e?.message ?? e) })
        }
      }
      if (!m[2] && method === 'PUT') {
        const fields = providerFields(body, false)
        if (fields.length) return err(400, 'invalid provider', fields)
        if (body.name && body.name !== name && state.providers.some((x) => x.name === body.name)) return err(409, `provider "${body.name}" exists`, [{ field: 'name', message: 'is already used' }])
        const { api_key, ...rest } = body
        Object.assign(p, rest)
        if (api_key !== undefined && !api_key.includes('****')) p.api_key = api_key
        if (body.name && body.name !== name) for (const mo of state.models) for (const a of mo.adapters) if (a.adapter === name) a.adapter = body.name
        await save()
        return ok({ message: 'provider updated', provider: providerView(p) })
      }
      if (!m[2] && method === 'DELETE') {
        const users = providerView(p).used_by
        if (users.length && q.get('force') !== 'true') return err(409, `provider "${name}" is used by the models ${users.join(', ')}; delete with ?force=true to remove their adapters too`)
        state.providers = state.providers.filter((x) => x !== p)
        for (const mo of state.models) mo.adapters = mo.adapters.filter((a) => a.adapter !== name)
        await save()
        return ok({ message: 'provider deleted' })
      }
    }

    // models
    if (path === '/api/config/models') {
      if (method === 'GET') return ok(state.models)
      if (method === 'POST') {
        if (!body.name) return err(400, 'invalid model', [{ field: 'name', message: 'is required' }])
        if (state.models.some((x) => x.name === body.name)) return err(409, `model "${body.name}" exists`, [{ field: 'name', message: 'is already used' }])
        const bad = (body.adapters ?? []).findIndex((a) => !state.providers.some((p) => p.name === a.adapter))
        if (bad >= 0) return err(400, 'invalid model', [{ field: `models.${body.name}.adapters[${bad}].adapter`, message: 'no such provider' }])
        const mo = { name: body.name, mode: body.mode ?? 'chain', description: body.description ?? '', adapters: body.adapters ?? [] }
        state.models.push(mo)
        await save()
        return ok({ message: 'model created', model: mo }, 201)
      }
    }
    if ((m = path.match(/^\/api\/config\/models\/([^/]+)(\/test)?$/))) {
      const name = decodeURIComponent(m[1])
      const mo = state.models.find((x) => x.name === name)
      if (!mo) return err(404, `model "${name}" not found`)
      if (m[2] && method === 'POST') {
        const testType = q.get('test_type') === 'tool' ? 'tool' : 'simple'
        const sorted = [...mo.adapters].sort((a, b) => a.priority - b.priority)
        const chain = []
        let used = null
        for (const [i, a] of sorted.entries()) {
          const base = { adapter: a.adapter, model_name: a.model_name, priority: a.priority }
          if (used || (mo.mode === 'adapter' && i > 0)) { chain.push({ ...base, status: 'skipped' }); continue }
          const p = state.providers.find((x) => x.name === a.adapter)
          if (!p || p.enabled === false) { chain.push({ ...base, status: 'skipped', error: p ? 'provider disabled' : 'provider not found' }); continue }
          const r = await upstreamCall(p, a.model_name, testType)
          chain.push({ ...base, ...r })
          if (r.status === 'success') used = { ...base, ...r }
        }
        return ok({ success: !!used, mode: mo.mode, test_type: testType, adapter_used: used?.adapter, latency_ms: used?.latency_ms, preview: used?.preview, chain, ...(used ? {} : { error: 'every adapter failed' }) })
      }
      if (method === 'PUT') {
        if (body.name && body.name !== name && state.models.some((x) => x.name === body.name)) return err(409, `model "${body.name}" exists`)
        Object.assign(mo, body)
        await save()
        return ok({ message: 'model updated', model: mo })
      }
      if (method === 'DELETE') {
        state.models = state.models.filter((x) => x !== mo)
        await save()
        return ok({ message: 'model deleted' })
      }
    }

    // keys
    if (path === '/api/keys') {
      if (method === 'GET') {
        const today = await todayByKey(auth)
        return ok(state.api_keys.map((k) => keyView(k, today)))
      }
      if (method === 'POST') {
        if (!body.name) return err(400, 'invalid key', [{ field: 'name', message: 'is required' }])
        if (body.expires_at && Date.parse(body.expires_at) <= Date.now()) return err(400, 'invalid key', [{ field: 'expires_at', message: 'is in the past' }])
        const secret = 'sk-ms-' + randomBytes(18).toString('hex')
        const k = { key: secret, name: body.name, description: body.description ?? '', roles: body.roles ?? ['user'], enabled: true, rate_limit: body.rate_limit ?? 0,
          daily_limit: body.daily_limit ?? 0, allowed_models: body.allowed_models ?? [], expires_at: body.expires_at ?? null, created_at: new Date().toISOString() }
        state.api_keys.push(k)
        await save()
        return ok({ message: 'key created', secret, key: keyView(k) }, 201)
      }
    }
    if ((m = path.match(/^\/api\/keys\/([^/]+)(\/toggle)?$/))) {
      const id = decodeURIComponent(m[1])
      const k = state.api_keys.find((x) => keyId(x.key) === id)
      if (!k) return err(404, `key "${id}" not found`)
      if (m[2] && method === 'PATCH') {
        k.enabled = k.enabled === false
        await save()
        return ok({ id, enabled: k.enabled })
      }
      if (method === 'PUT') {
        for (const f of ['name', 'description', 'roles', 'rate_limit', 'daily_limit', 'allowed_models', 'expires_at']) if (f in body) k[f] = body[f]
        await save()
        return ok({ message: 'key updated', key: keyView(k) })
      }
      if (method === 'DELETE') {
        state.api_keys = state.api_keys.filter((x) => x !== k)
        await save()
        return ok({ message: 'key deleted' })
      }
    }
    return null
  }

  return { handle, save }
}
