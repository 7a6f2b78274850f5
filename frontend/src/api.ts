// The admin REST client (docs/admin-api.md). Every call goes through request():
// it adds the admin key kept in sessionStorage, turns the admin error shape
// {"error":{"message","fields"}} into an ApiError with field errors, and on a
// 401 forgets the key and sends the user to the login page. In the desktop
// window no key is stored: the window injects the credential itself.

export interface FieldError {
  field: string
  message: string
  line?: number
}

export class ApiError extends Error {
  readonly status: number
  readonly fields: FieldError[]
  readonly body: unknown

  constructor(status: number, message: string, fields: FieldError[] = [], body?: unknown) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.fields = fields
    this.body = body
  }

  /** The message of the field error whose path ends in name (e.g. "providers[0].base_url" for "base_url"). */
  fieldMessage(name: string): string | undefined {
    return this.fields.find((f) => fieldMatches(f.field, name))?.message
  }
}

/** Whether a server field path ("providers[2].base_url", "base_url") names the form field name. */
export function fieldMatches(path: string, name: string): boolean {
  if (path === name) return true
  const last = path.replace(/\[\d+\]/g, '').split('.').pop()
  return last === name || path.endsWith('.' + name)
}

const KEY_STORAGE = 'modelswitch.adminKey'

export function getStoredKey(): string | null {
  try {
    return sessionStorage.getItem(KEY_STORAGE)
  } catch {
    return null
  }
}

export function storeKey(key: string): void {
  sessionStorage.setItem(KEY_STORAGE, key)
}

export function clearStoredKey(): void {
  try {
    sessionStorage.removeItem(KEY_STORAGE)
  } catch {
    /* storage unavailable */
  }
}

type UnauthorizedHandler = () => void

function defaultUnauthorized(): void {
  const here = location.hash.replace(/^#/, '') || '/'
  if (!here.startsWith('/login')) {
    location.hash = '#/login?redirect=' + encodeURIComponent(here)
  }
}

let onUnauthorized: UnauthorizedHandler = defaultUnauthorized

/** Replaces what happens on a 401 (the app routes to its login view). */
export function setUnauthorizedHandler(fn: UnauthorizedHandler | null): void {
  onUnauthorized = fn ?? defaultUnauthorized
}

export type Query = Record<string, string | number | boolean | undefined | null>

export function buildURL(path: string, query?: Query): string {
  if (!query) return path
  const qs = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue
    qs.set(k, String(v))
  }
  const s = qs.toString()
  return s ? path + (path.includes('?') ? '&' : '?') + s : path
}

export interface RequestOptions {
  query?: Query
  body?: unknown
  signal?: AbortSignal
  /** Use this key instead of the stored one (the login check). */
  key?: string
  /** Do not run the 401 handler (the login check handles 401 itself). */
  quiet401?: boolean
}

export function authHeaders(key?: string): Record<string, string> {
  const k = key ?? getStoredKey()
  return k ? { Authorization: 'Bearer ' + k } : {}
}

/** The message of an error body in any of the shapes the gateway and the seed used. */
export function errorMessage(body: unknown, status: number): string {
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>
    const e = b.error
    if (e && typeof e === 'object' && typeof (e as Record<string, unknown>).message === 'string') {
      return (e as Record<string, string>).message
    }
    if (typeof e === 'string' && e) return e
    if (typeof b.message === 'string' && b.message) return b.message
    if (typeof b.detail === 'string' && b.detail) return b.detail
  }
  if (typeof body === 'string' && body.trim()) return body.trim().slice(0, 500)
  return `HTTP ${status}`
}

function errorFields(body: unknown): FieldError[] {
  if (!body || typeof body !== 'object') return []
  const e = (body as Record<string, unknown>).error
  if (!e || typeof e !== 'object') return []
  const fields = (e as Record<string, unknown>).fields
  if (!Array.isArray(fields)) return []
  return fields
    .filter((f): f is Record<string, unknown> => !!f && typeof f === 'object')
    .map((f) => ({
      field: String(f.field ?? ''),
      message: String(f.message ?? ''),
      line: typeof f.line === 'number' ? f.line : undefined,
    }))
}

async function readBody(res: Response): Promise<unknown> {
  const text = await res.text()
  if (!text) return null
  const ct = res.headers.get('Content-Type') ?? ''
  if (ct.includes('json') || /^[[{]/.test(text.trim())) {
    try {
      return JSON.parse(text)
    } catch {
      /* fall through */
    }
  }
  return text
}

export async function request<T = unknown>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...authHeaders(opts.key) }
  let body: string | undefined
  if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(opts.body)
  }
  let res: Response
  try {
    res = await fetch(buildURL(path, opts.query), { method, headers, body, signal: opts.signal })
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err
    throw new ApiError(0, 'network error: ' + (err instanceof Error ? err.message : String(err)))
  }
  const data = await readBody(res)
  if (res.status === 401) {
    if (!opts.quiet401) {
      clearStoredKey()
      onUnauthorized()
    }
    throw new ApiError(401, errorMessage(data, 401), errorFields(data), data)
  }
  if (!res.ok) {
    throw new ApiError(res.status, errorMessage(data, res.status), errorFields(data), data)
  }
  return data as T
}

export const api = {
  get: <T = unknown>(path: string, query?: Query, signal?: AbortSignal) => request<T>('GET', path, { query, signal }),
  post: <T = unknown>(path: string, body?: unknown, query?: Query) => request<T>('POST', path, { body, query }),
  put: <T = unknown>(path: string, body?: unknown) => request<T>('PUT', path, { body }),
  patch: <T = unknown>(path: string, body?: unknown) => request<T>('PATCH', path, { body }),
  del: <T = unknown>(path: string, query?: Query) => request<T>('DELETE', path, { query }),
}

/** Encodes a name or id for a path segment. */
export const seg = (s: string) => encodeURIComponent(s)

export interface SSEEvent {
  id?: string
  event: string
  data: string
}

/** Splits a Server-Sent Events text buffer into complete events and the rest. */
export function parseSSE(buffer: string): { events: SSEEvent[]; rest: string } {
  const events: SSEEvent[] = []
  const normalized = buffer.replace(/\r\n?/g, '\n')
  const blocks = normalized.split('\n\n')
  const rest = blocks.pop() ?? ''
  for (const block of blocks) {
    let id: string | undefined
    let event = 'message'
    const data: string[] = []
    for (const line of block.split('\n')) {
      if (!line || line.startsWith(':')) continue
      const i = line.indexOf(':')
      const name = i < 0 ? line : line.slice(0, i)
      let value = i < 0 ? '' : line.slice(i + 1)
      if (value.startsWith(' ')) value = value.slice(1)
      if (name === 'id') id = value
      else if (name === 'event') event = value
      else if (name === 'data') data.push(value)
    }
    if (data.length > 0) events.push({ id, event, data: data.join('\n') })
  }
  return { events, rest }
}

/**
 * Reads an SSE endpoint with fetch() (EventSource cannot send the
 * Authorization header) until it ends or signal aborts. onOpen runs once the
 * response headers arrived with a 2xx.
 */
export async function streamSSE(
  path: string,
  query: Query,
  onEvent: (e: SSEEvent) => void,
  signal: AbortSignal,
  onOpen?: () => void,
): Promise<void> {
  let res: Response
  try {
    res = await fetch(buildURL(path, query), {
      headers: { Accept: 'text/event-stream', ...authHeaders() },
      signal,
      cache: 'no-store',
    })
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') return
    throw new ApiError(0, 'network error: ' + (err instanceof Error ? err.message : String(err)))
  }
  if (!res.ok || !res.body) {
    const data = await readBody(res)
    if (res.status === 401) {
      clearStoredKey()
      onUnauthorized()
    }
    throw new ApiError(res.status, errorMessage(data, res.status), errorFields(data), data)
  }
  onOpen?.()
  const reader = res.body.getReader()
  const decoder = new TextDecoder()
  let buffer = ''
  try {
    for (;;) {
      const { value, done } = await reader.read()
      if (done) break
      buffer += decoder.decode(value, { stream: true })
      const { events, rest } = parseSSE(buffer)
      buffer = rest
      events.forEach(onEvent)
    }
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') return
    if (signal.aborted) return
    throw err
  } finally {
    reader.releaseLock?.()
  }
}
