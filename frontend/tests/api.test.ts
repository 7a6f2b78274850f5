import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { api, ApiError, buildURL, getStoredKey, parseSSE, setUnauthorizedHandler, storeKey, request, fieldMatches } from '../src/api'

const failure = (p: Promise<unknown>): Promise<ApiError> =>
  p.then(
    () => {
      throw new Error('expected a failure')
    },
    (e: ApiError) => e,
  )

function respond(status: number, body: unknown, contentType = 'application/json') {
  const text = typeof body === 'string' ? body : JSON.stringify(body)
  return vi.fn(async () => new Response(text, { status, headers: { 'Content-Type': contentType } }))
}

describe('api', () => {
  beforeEach(() => {
    sessionStorage.clear()
    location.hash = '#/providers'
  })
  afterEach(() => {
    vi.unstubAllGlobals()
    setUnauthorizedHandler(null)
  })

  it('adds the stored key as a Bearer token and sends JSON', async () => {
    storeKey('sk-admin-stored')
    const f = respond(200, { ok: true })
    vi.stubGlobal('fetch', f)
    await api.post('/api/config/providers', { name: 'a' })
    const [url, init] = f.mock.calls[0] as unknown as [string, RequestInit]
    expect(url).toBe('/api/config/providers')
    const headers = init.headers as Record<string, string>
    expect(headers.Authorization).toBe('Bearer sk-admin-stored')
    expect(headers['Content-Type']).toBe('application/json')
    expect(init.body).toBe('{"name":"a"}')
  })

  it('sends no Authorization header without a stored key (the desktop window injects it)', async () => {
    const f = respond(200, {})
    vi.stubGlobal('fetch', f)
    await api.get('/api/whoami')
    const init = (f.mock.calls[0] as unknown as [string, RequestInit])[1]
    expect((init.headers as Record<string, string>).Authorization).toBeUndefined()
  })

  it('turns the admin error shape into an ApiError with field errors', async () => {
    vi.stubGlobal(
      'fetch',
      respond(400, { error: { message: 'invalid provider', fields: [{ field: 'providers[0].base_url', line: 12, message: 'must be a URL' }] } }),
    )
    const err = await failure(api.post('/api/config/providers', {}))
    expect(err).toBeInstanceOf(ApiError)
    expect(err.status).toBe(400)
    expect(err.message).toBe('invalid provider')
    expect(err.fields).toEqual([{ field: 'providers[0].base_url', line: 12, message: 'must be a URL' }])
    expect(err.fieldMessage('base_url')).toBe('must be a URL')
  })

  it('reads the message of other error shapes and of plain text', async () => {
    vi.stubGlobal('fetch', respond(409, { error: 'Provider exists' }))
    expect((await failure(api.get('/x'))).message).toBe('Provider exists')
    vi.stubGlobal('fetch', respond(500, { type: 'error', error: { type: 'api_error', message: 'boom' } }))
    expect((await failure(api.get('/x'))).message).toBe('boom')
    vi.stubGlobal('fetch', respond(502, 'Bad Gateway', 'text/plain'))
    expect((await failure(api.get('/x'))).message).toBe('Bad Gateway')
    vi.stubGlobal('fetch', respond(503, ''))
    expect((await failure(api.get('/x'))).message).toBe('HTTP 503')
  })

  it('reports a network failure as status 0', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))))
    const err = await failure(api.get('/x'))
    expect(err).toBeInstanceOf(ApiError)
    expect(err.status).toBe(0)
    expect(err.message).toContain('Failed to fetch')
  })

  it('on a 401 forgets the key and goes to the login page', async () => {
    storeKey('sk-old-stored-1')
    vi.stubGlobal('fetch', respond(401, { error: { message: 'invalid API key' } }))
    const err = await failure(api.get('/api/keys'))
    expect(err.status).toBe(401)
    expect(getStoredKey()).toBeNull()
    expect(location.hash).toBe('#/login?redirect=' + encodeURIComponent('/providers'))
  })

  it('on a 401 calls the handler the app installed', async () => {
    storeKey('sk-old-stored-1')
    const handler = vi.fn()
    setUnauthorizedHandler(handler)
    vi.stubGlobal('fetch', respond(401, { error: { message: 'no key' } }))
    await api.get('/api/keys').catch(() => undefined)
    expect(handler).toHaveBeenCalledOnce()
    expect(getStoredKey()).toBeNull()
  })

  it('leaves a 401 to the caller when asked (the login check)', async () => {
    storeKey('sk-keep-stored-1')
    const handler = vi.fn()
    setUnauthorizedHandler(handler)
    vi.stubGlobal('fetch', respond(401, { error: { message: 'no' } }))
    await request('GET', '/api/whoami', { key: 'sk-try-login-1', quiet401: true }).catch(() => undefined)
    expect(handler).not.toHaveBeenCalled()
    expect(getStoredKey()).toBe('sk-keep-stored-1')
  })

  it('does not log out on a 403', async () => {
    storeKey('sk-user-stored-1')
    vi.stubGlobal('fetch', respond(403, { error: { message: 'admin role required' } }))
    const err = await failure(api.get('/api/keys'))
    expect(err.status).toBe(403)
    expect(getStoredKey()).toBe('sk-user-stored-1')
  })

  it('builds query strings without empty values', () => {
    expect(buildURL('/api/logs', { level: 'ERROR', key: '', model: undefined, limit: 5 })).toBe('/api/logs?level=ERROR&limit=5')
    expect(buildURL('/api/logs')).toBe('/api/logs')
  })

  it('matches server field paths to form fields', () => {
    expect(fieldMatches('providers[3].base_url', 'base_url')).toBe(true)
    expect(fieldMatches('name', 'name')).toBe(true)
    expect(fieldMatches('providers[3].base_url', 'name')).toBe(false)
  })
})

describe('parseSSE', () => {
  it('splits events and keeps the incomplete rest', () => {
    const { events, rest } = parseSSE('id: 1\nevent: log\ndata: {"a":1}\n\n: keep-alive\n\nid: 2\nevent: log\ndata: {"a"')
    expect(events).toEqual([{ id: '1', event: 'log', data: '{"a":1}' }])
    expect(rest).toBe('id: 2\nevent: log\ndata: {"a"')
  })
  it('handles CRLF and multi-line data', () => {
    const { events } = parseSSE('data: a\r\ndata: b\r\n\r\n')
    expect(events).toEqual([{ id: undefined, event: 'message', data: 'a\nb' }])
  })
})
