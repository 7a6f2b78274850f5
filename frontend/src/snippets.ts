// What the Models tab offers to copy: how to point Codex (config.toml) and
// Claude Code (environment) at one virtual model of this gateway, and where
// the gateway really listens.

/** A TOML basic string. */
export function tomlString(s: string): string {
  return (
    '"' +
    s.replace(/[\\"\u0000-\u001f\u007f]/g, (c) =>
      c === '\\' || c === '"' ? '\\' + c : '\\u' + c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0'),
    ) +
    '"'
  )
}

/** A POSIX shell word: as is when it is plain, else single-quoted. */
export function shellWord(s: string): string {
  return /^[A-Za-z0-9._:/@%+=,-]+$/.test(s) ? s : "'" + s.replace(/'/g, `'\\''`) + "'"
}

const root = (base: string) => base.replace(/\/+$/, '')

/**
 * The config.toml lines that make Codex use model through the gateway at
 * base (no /v1): the same keys the tray's "Codex → ModelSwitch" writes.
 * Codex sends experimental_bearer_token as "Authorization: Bearer …" and
 * appends /responses to base_url.
 */
export function codexSnippet(model: string, base: string, key: string): string {
  return [
    `model = ${tomlString(model)}`,
    'model_provider = "modelswitch"',
    '',
    '[model_providers.modelswitch]',
    'name = "ModelSwitch"',
    `base_url = ${tomlString(root(base) + '/v1')}`,
    'wire_api = "responses"',
    `experimental_bearer_token = ${tomlString(key)}`,
    '',
  ].join('\n')
}

/** The environment that makes Claude Code use model through the gateway at base. */
export function claudeSnippet(model: string, base: string, key: string): string {
  return [
    `export ANTHROPIC_BASE_URL=${shellWord(root(base))}`,
    `export ANTHROPIC_AUTH_TOKEN=${shellWord(key)}`,
    `export ANTHROPIC_MODEL=${shellWord(model)}`,
    'claude',
    '',
  ].join('\n')
}

/** The desktop window's own origin (wails://wails), which no client can use. */
function inWindow(loc: Location): boolean {
  return !/^https?:$/.test(loc.protocol) || loc.hostname === 'wails' || loc.hostname === 'wails.localhost'
}

/**
 * Where clients reach the gateway. In a browser the page came from the
 * gateway, so it is the page's origin. In the desktop window it is what the
 * core reports (the window answers /__modelswitch/gateway); failing that,
 * gateway.host and gateway.port from the configuration (0.0.0.0 and :: as
 * 127.0.0.1).
 */
export async function gatewayBaseURL(loc: Location = location): Promise<string> {
  if (!inWindow(loc)) return loc.origin
  try {
    const r = await fetch('/__modelswitch/gateway')
    if (r.ok) {
      const j = (await r.json()) as { base_url?: string }
      if (j.base_url) return j.base_url
    }
  } catch {
    /* fall back to the configuration */
  }
  try {
    const r = await fetch('/api/config')
    if (r.ok) {
      const j = (await r.json()) as { gateway?: { host?: string; port?: number } }
      let host = j.gateway?.host || '127.0.0.1'
      if (host === '0.0.0.0' || host === '::' || host === '[::]') host = '127.0.0.1'
      if (host.includes(':') && !host.startsWith('[')) host = `[${host}]`
      return `http://${host}:${j.gateway?.port ?? 8000}`
    }
  } catch {
    /* nothing better */
  }
  return 'http://127.0.0.1:8000'
}
