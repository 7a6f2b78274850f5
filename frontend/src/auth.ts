// The admin session. In the browser the admin key is typed once and kept in
// sessionStorage; in the desktop window the window adds the credential, so
// /api/whoami succeeds without a stored key and no login is shown.
import { reactive } from 'vue'
import { ApiError, clearStoredKey, getStoredKey, request, storeKey } from './api'
import type { Whoami } from './types'
import type { MessageKey } from './i18n'

export const session = reactive({
  state: 'unknown' as 'unknown' | 'in' | 'out',
  who: null as Whoami | null,
  /** Logged in without a stored key: the credential is injected (desktop window). */
  injected: false,
})

export type CheckResult = { ok: true; who: Whoami } | { ok: false; reason: MessageKey; error?: string }

/** Checks that key (or, without one, the injected credential) is an admin key. */
export async function checkAdmin(key?: string): Promise<CheckResult> {
  try {
    const who = await request<Whoami>('GET', '/api/whoami', { key, quiet401: true })
    if (who && who.admin) return { ok: true, who }
    return { ok: false, reason: 'login.notAdmin' }
  } catch (e) {
    if (!(e instanceof ApiError)) return { ok: false, reason: 'login.failed', error: String(e) }
    if (e.status === 401) return { ok: false, reason: 'login.invalid' }
    if (e.status === 403) return { ok: false, reason: 'login.notAdmin' }
    if (e.status !== 404 && e.status !== 405) return { ok: false, reason: 'login.failed', error: e.message }
  }
  // A gateway without /api/whoami: an admin-only endpoint answers the question.
  try {
    await request('GET', '/api/config/queue-stats', { key, quiet401: true })
    return { ok: true, who: { admin: true } }
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return { ok: false, reason: 'login.invalid' }
    if (e instanceof ApiError && e.status === 403) return { ok: false, reason: 'login.notAdmin' }
    return { ok: false, reason: 'login.failed', error: e instanceof Error ? e.message : String(e) }
  }
}

let pending: Promise<boolean> | null = null

/** Resolves the session once: with the stored key, else with no key at all. */
export function ensureSession(): Promise<boolean> {
  if (session.state === 'in') return Promise.resolve(true)
  if (!pending) {
    pending = (async () => {
      const stored = getStoredKey()
      const r = await checkAdmin(stored ?? undefined)
      if (r.ok) {
        session.state = 'in'
        session.who = r.who
        session.injected = !stored
        return true
      }
      if (stored) clearStoredKey()
      session.state = 'out'
      return false
    })().finally(() => {
      pending = null
    })
  }
  return pending
}

export async function login(key: string): Promise<CheckResult> {
  const r = await checkAdmin(key)
  if (r.ok) {
    storeKey(key)
    session.state = 'in'
    session.who = r.who
    session.injected = false
  }
  return r
}

export function logout(): void {
  clearStoredKey()
  session.state = 'out'
  session.who = null
}
