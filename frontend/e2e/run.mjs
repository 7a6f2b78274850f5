#!/usr/bin/env node
// End-to-end test of the admin UI against the real gateway binary and a
// local mock upstream, driven in Debian Chromium with playwright-core.
//
//   MODELSWITCH_BIN   the gateway binary (default ../bin/modelswitch)
//   CHROMIUM          the browser (default /usr/bin/chromium)
//   SCREENSHOTS=1     write a screenshot of each tab in both languages to
//                     SCREENSHOT_DIR (default ../docs/screenshots)
//   E2E_FAKE_ADMIN=1  answer admin endpoints the gateway does not serve yet
//                     (see fake-admin.mjs); development only
//   E2E_HEADFUL=1     show the browser
//
// It builds nothing: `npm run build` (dist/) and the gateway come first. When
// the gateway does not serve the SPA itself yet, dist/ is served from here
// with /api and /v1 proxied to the gateway. Exits non-zero on failure and
// stops the gateway, the mock and the browser in every case.
import { spawn } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, extname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import http from 'node:http'
import net from 'node:net'
import { chromium } from 'playwright-core'
import { startMockUpstream } from './mock-upstream.mjs'
import { createFakeAdmin } from './fake-admin.mjs'
import { modelRoutesSteps } from './models-routes.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const frontend = resolve(here, '..')
const BIN = resolve(frontend, process.env.MODELSWITCH_BIN ?? '../bin/modelswitch')
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium'
const SHOTS = process.env.SCREENSHOTS === '1'
const SHOT_DIR = resolve(frontend, process.env.SCREENSHOT_DIR ?? '../docs/screenshots')
const FAKE = process.env.E2E_FAKE_ADMIN === '1'
const DIST = join(frontend, 'dist')
const ADMIN_KEY = 'sk-e2e-admin-' + Math.random().toString(36).slice(2, 12)

const cleanups = []
const missing = new Map() // "GET /api/x" → count: endpoints the gateway did not serve
const log = (...a) => console.log('[e2e]', ...a)
let passed = 0
let failed = 0

function freePort() {
  return new Promise((res, rej) => {
    const s = net.createServer()
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => res(port))
    })
    s.on('error', rej)
  })
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

async function waitFor(fn, what, ms = 20000) {
  const end = Date.now() + ms
  let last
  while (Date.now() < end) {
    try {
      if (await fn()) return
    } catch (e) {
      last = e
    }
    await sleep(150)
  }
  throw new Error(`timed out waiting for ${what}${last ? ': ' + last.message : ''}`)
}

function pattern(method, path) {
  return (
    method + ' ' +
    path
      .replace(/^\/api\/config\/(providers|models)\/[^/]+/, '/api/config/$1/{name}')
      .replace(/^\/api\/keys\/[^/]+/, '/api/keys/{id}')
      .replace(/^\/api\/usage\/.+\/detail$/, '/api/usage/{item}/detail')
      .replace(/^\/api\/conversations\/(?!index|rebuild)[^/]+$/, '/api/conversations/{id}')
  )
}

// ---------------------------------------------------------------- gateway
async function startGateway(upstream) {
  if (!existsSync(BIN)) throw new Error(`no gateway binary at ${BIN}: build it (cd .. && CGO_ENABLED=0 go build -o bin/modelswitch ./cmd/modelswitch) or set MODELSWITCH_BIN`)
  const ws = mkdtempSync(join(tmpdir(), 'modelswitch-e2e-'))
  cleanups.push(() => rmSync(ws, { recursive: true, force: true }))
  const port = await freePort()
  const configPath = join(ws, 'config.yaml')
  writeFileSync(
    configPath,
    [
      '# written by frontend/e2e/run.mjs',
      'gateway:',
      '  host: 127.0.0.1',
      `  port: ${port}`,
      '  log_bodies: full',
      'providers: []',
      'models: {}',
      'api_keys:',
      `  - key: ${ADMIN_KEY}`,
      '    name: e2e-admin',
      '    roles: [admin]',
      '',
    ].join('\n'),
    { mode: 0o600 },
  )
  const out = []
  const child = spawn(BIN, ['--start', '--workspace', ws, '--port', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout.on('data', (d) => out.push(d))
  child.stderr.on('data', (d) => out.push(d))
  let exited = null
  child.on('exit', (code, sig) => (exited = { code, sig }))
  cleanups.push(async () => {
    if (exited) return
    child.kill('SIGTERM')
    for (let i = 0; i < 50 && !exited; i++) await sleep(100)
    if (!exited) child.kill('SIGKILL')
  })
  const url = `http://127.0.0.1:${port}`
  try {
    await waitFor(async () => {
      if (exited) throw new Error(`the gateway exited (${JSON.stringify(exited)})`)
      return (await fetch(url + '/health')).ok
    }, 'the gateway /health')
  } catch (e) {
    console.error(Buffer.concat(out).toString())
    throw e
  }
  log(`gateway ${BIN} on ${url}, workspace ${ws}`)
  return { url, port, ws, configPath, output: () => Buffer.concat(out).toString(), upstream }
}

// ------------------------------------------------- front server (if needed)
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png', '.woff2': 'font/woff2', '.json': 'application/json' }

function serveDist(req, res) {
  const p = decodeURIComponent(new URL(req.url, 'http://x').pathname)
  let file = join(DIST, p)
  if (!file.startsWith(DIST) || !existsSync(file) || statSync(file).isDirectory()) {
    if (extname(p)) {
      res.writeHead(404).end('not found')
      return
    }
    file = join(DIST, 'index.html')
  }
  res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-cache' })
  res.end(readFileSync(file))
}

function readAll(stream) {
  return new Promise((r) => {
    const c = []
    stream.on('data', (d) => c.push(d))
    stream.on('end', () => r(Buffer.concat(c)))
  })
}

// inject: add the admin credential to /api requests, as the desktop window does.
async function startFront(gw, spaFromGateway, fake, inject = '') {
  const target = new URL(gw.url)
  const server = http.createServer(async (req, res) => {
    const path = new URL(req.url, 'http://x').pathname
    const api = /^\/(api|v1|openai|anthropic|health|metrics)(\/|$)/.test(path)
    if (!api && !spaFromGateway) return serveDist(req, res)
    const body = await readAll(req)
    const up = http.request(
      {
        host: target.hostname, port: target.port, method: req.method, path: req.url,
        headers: { ...req.headers, host: target.host, ...(inject && path.startsWith('/api/') ? { authorization: 'Bearer ' + inject } : {}) },
      },
      async (ur) => {
        if (ur.statusCode === 404 && path.startsWith('/api/')) {
          const text = (await readAll(ur)).toString()
          if (/no route for/.test(text)) {
            missing.set(pattern(req.method, path), (missing.get(pattern(req.method, path)) ?? 0) + 1)
            if (fake) {
              let parsed = {}
              try {
                parsed = body.length ? JSON.parse(body.toString()) : {}
              } catch {
                parsed = {}
              }
              const auth = inject && path.startsWith('/api/') ? 'Bearer ' + inject : (req.headers.authorization ?? '')
              const r = await fake.handle(req.method, path, new URL(req.url, 'http://x').searchParams, parsed, auth)
              if (r) {
                res.writeHead(r.status, { 'Content-Type': 'application/json' })
                res.end(JSON.stringify(r.body))
                return
              }
            }
          }
          res.writeHead(404, ur.headers)
          res.end(text)
          return
        }
        res.writeHead(ur.statusCode, ur.headers)
        res.flushHeaders() // an event stream may send nothing for a while
        ur.pipe(res)
      },
    )
    up.on('error', (e) => {
      res.writeHead(502, { 'Content-Type': 'application/json' })
      res.end(JSON.stringify({ error: { message: 'e2e proxy: ' + e.message } }))
    })
    req.on('close', () => up.destroy())
    up.end(body)
  })
  const port = await freePort()
  await new Promise((r) => server.listen(port, '127.0.0.1', r))
  cleanups.push(() => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()) }))
  return `http://127.0.0.1:${port}`
}

// ----------------------------------------------------------------- traffic
async function send(gwUrl, key, path, body) {
  const headers = { 'Content-Type': 'application/json' }
  if (path.includes('messages')) Object.assign(headers, { 'x-api-key': key, 'anthropic-version': '2023-06-01' })
  else headers.Authorization = 'Bearer ' + key
  const r = await fetch(gwUrl + path, { method: 'POST', headers, body: JSON.stringify(body) })
  const text = await r.text()
  return { status: r.status, text, requestId: r.headers.get('x-request-id') }
}

// ------------------------------------------------------------------ browser
async function main() {
  if (!existsSync(join(DIST, 'index.html'))) throw new Error('frontend/dist is not built: run `npm run build` first')
  const upstream = await startMockUpstream()
  cleanups.push(() => upstream.close())
  log('mock upstream on', upstream.url)
  const gw = await startGateway(upstream)

  const rootHTML = await fetch(gw.url + '/').then((r) => r.text())
  const spaFromGateway = rootHTML.includes('id="app"')
  if (!spaFromGateway && process.env.E2E_ALLOW_EXTERNAL_SPA !== '1') {
    throw new Error('the gateway does not serve the embedded SPA at / (build it with `make build`); set E2E_ALLOW_EXTERNAL_SPA=1 to serve dist/ from here')
  }
  const fake = FAKE ? createFakeAdmin({ configPath: gw.configPath, adminKey: ADMIN_KEY, gateway: gw.url, gatewayPort: gw.port }) : null
  let base = gw.url
  if (!spaFromGateway || fake) {
    base = await startFront(gw, spaFromGateway, fake)
    if (!spaFromGateway) log(`NOTE: the gateway does not serve the SPA at / yet (frontend.Handler not wired): serving dist/ from ${base}, /api and /v1 proxied`)
    if (fake) log('NOTE: E2E_FAKE_ADMIN=1: admin endpoints the gateway lacks are answered by e2e/fake-admin.mjs')
  }

  const profile = mkdtempSync(join(tmpdir(), 'modelswitch-e2e-chromium-'))
  cleanups.push(() => rmSync(profile, { recursive: true, force: true }))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: process.env.E2E_HEADFUL !== '1',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1440, height: 900 },
    locale: 'en-US',
    timezoneId: 'Asia/Shanghai', // "today" in the UI is Shanghai's day, sent as tz
    colorScheme: 'light',
  })
  cleanups.push(() => context.close().catch(() => undefined))
  const page = context.pages()[0] ?? (await context.newPage())
  page.setDefaultTimeout(10000)
  const consoleErrors = []
  page.on('pageerror', (e) => consoleErrors.push(String(e)))
  // 401s are expected: the login check without a key and with a wrong one
  page.on('console', (m) => m.type() === 'error' && !/status of 401/.test(m.text()) && consoleErrors.push(m.text()))
  page.on('response', (r) => {
    const u = new URL(r.url())
    if (u.pathname.startsWith('/api/') && r.status() === 404 && !fake) missing.set(pattern(r.request().method(), u.pathname), (missing.get(pattern(r.request().method(), u.pathname)) ?? 0) + 1)
  })

  const T = (id) => page.locator(`[data-test="${id}"]`)
  const text = () => page.locator('body').innerText()
  async function expectText(s, where = page.locator('body')) {
    await where.getByText(s, { exact: false }).first().waitFor({ state: 'visible' })
  }
  async function pick(selectTestId, option) {
    await T(selectTestId).click()
    await page.locator('.n-base-select-option:visible', { hasText: option }).first().click()
  }
  async function shot(name) {
    if (!SHOTS) return
    mkdirSync(SHOT_DIR, { recursive: true })
    await sleep(400) // let charts and transitions settle
    await page.screenshot({ path: join(SHOT_DIR, name + '.png') })
  }
  // A failed step stops the run, unless it is soft (nothing later depends on it).
  async function step(name, fn, soft = false) {
    const t0 = Date.now()
    try {
      await fn()
      passed++
      log(`ok   ${name} (${Date.now() - t0} ms)`)
    } catch (e) {
      failed++
      log(`FAIL ${name}: ${e.message.split('\n')[0]}`)
      const dir = process.env.SCREENSHOT_DIR ? SHOT_DIR : tmpdir()
      const file = join(dir, `e2e-failure-${name.replace(/\W+/g, '-')}.png`)
      await page.screenshot({ path: file }).catch(() => undefined)
      log(`     screenshot: ${file}; url: ${page.url()}`)
      if (!soft) throw e
    }
  }

  let secret = ''
  const M = upstream.url

  await step('login page when no key is stored', async () => {
    await page.goto(base + '/')
    await T('login-key').waitFor()
    await page.evaluate(() => localStorage.setItem('modelswitch.lang', 'en'))
    await page.reload()
    await T('login-key').fill('sk-wrong-key')
    await T('login-submit').click()
    await expectText('This key is not valid')
    await shot('en-login')
  })

  await step('log in with the admin key', async () => {
    await T('login-key').fill(ADMIN_KEY)
    await T('login-submit').click()
    await page.waitForURL(/#\/providers/)
    await expectText('No providers yet')
  })

  if (!FAKE) {
    await step('a config.yaml other users can read is pointed out', async () => {
      chmodSync(gw.configPath, 0o644)
      await page.reload()
      await T('workspace-warning').waitFor()
      await expectText('readable by other users')
      await shot('en-workspace-warning')
      chmodSync(gw.configPath, 0o600)
      await page.reload()
      await expectText('No providers yet')
      if ((await T('workspace-warning').count()) !== 0) throw new Error('the warning stays after chmod 600')
    })
  }

  await step('provider form refuses bad input', async () => {
    await T('add-provider').click()
    await T('pf-name').fill('mock-openai')
    await T('pf-base-url').fill('api.example.com/v1')
    await T('pf-headers').fill('{"X-Test": ')
    await T('pf-save').click()
    await expectText('Must be an http:// or https:// URL')
    await expectText('Invalid JSON')
  })

  await step('add an OpenAI provider', async () => {
    await T('pf-base-url').fill(M + '/v1')
    await T('pf-headers').fill('{"X-Test": "1"}')
    await T('pf-api-key').fill('${E2E_UPSTREAM_KEY}')
    await T('pf-save').click()
    await T('providers-table').getByText('mock-openai').waitFor()
    await T('providers-table').getByText('${E2E_UPSTREAM_KEY}').waitFor() // shown as written, never resolved
  })

  await step('a duplicate provider name is refused', async () => {
    await T('add-provider').click()
    await T('pf-name').fill('mock-openai')
    await T('pf-base-url').fill(M + '/v1')
    await T('pf-save').click()
    await expectText('This name is already used')
  })

  await step('add an Anthropic provider', async () => {
    await T('pf-name').fill('mock-anthropic')
    await pick('pf-protocol', 'Anthropic')
    await T('pf-base-url').fill(M)
    await T('pf-api-key').fill('sk-ant-mock-0000000000')
    await T('pf-save').click()
    await T('providers-table').getByText('mock-anthropic').first().waitFor()
  })

  await step('test a provider: status, latency and models', async () => {
    await T('test-mock-openai').click()
    const r = T('provider-test-result')
    await r.waitFor()
    await expectText('Connected', r)
    await expectText('mock-small', r)
    await shot('en-providers')
  })

  await step('build a two-adapter chain (drag to reorder)', async () => {
    await page.goto(base + '/#/models')
    await expectText('No models yet')
    await T('add-model').click()
    await T('mf-name').fill('e2e-chain')
    // first row: the Anthropic adapter; then add the failing OpenAI one and drag it to the top
    await pick('mf-provider-0', 'mock-anthropic')
    await T('mf-model-0').fill('claude-mock')
    await T('mf-add-adapter').click()
    await pick('mf-provider-1', 'mock-openai')
    await T('mf-model-1').fill('fail-model')
    await T('mf-timeout-1').fill('abc')
    await T('mf-save').click()
    await expectText('Must be a number')
    await T('mf-timeout-1').fill('30')
    await T('adapter-handle-1').dragTo(T('adapter-row-0'))
    await page.waitForFunction(() => (document.querySelector('[data-test="mf-model-0"]')?.value ?? '') === 'fail-model')
    await T('mf-save').click()
    await T('models-table').getByText('e2e-chain').waitFor()
    await expectText('mock-openai / fail-model', T('models-table'))
  })

  await step('step-by-step chain test (simple)', async () => {
    await T('test-e2e-chain').click()
    await page.locator('.n-dropdown-option:visible', { hasText: 'Simple test' }).click()
    const steps = T('chain-steps')
    await steps.waitFor({ timeout: 30000 })
    await expectText('Answered by mock-anthropic', T('chain-test-summary'))
    await expectText('Failed', steps)
    await expectText('mock upstream failure', steps)
    await expectText('Hello from the mock', steps)
  })

  await step('step-by-step chain test (tools)', async () => {
    await T('test-e2e-chain').click()
    await page.locator('.n-dropdown-option:visible', { hasText: 'Tool test' }).click()
    await T('chain-steps').waitFor({ timeout: 30000 })
    await page.waitForFunction(() => /\(.*city.*\)/.test(document.querySelector('[data-test="chain-steps"]')?.textContent ?? ''), null, { timeout: 30000 })
    await shot('en-models')
  })

  await step('add DeepSeek from a preset, test it, make its models in one click, see the cost', async () => {
    await page.goto(base + '/#/providers')
    await T('providers-table').waitFor()
    await T('add-provider').click()
    await pick('pf-preset', 'DeepSeek')
    await page.waitForFunction(() => (document.querySelector('[data-test="pf-base-url"]')?.value ?? '').startsWith('https://api.deepseek.com'))
    if ((await T('pf-name').inputValue()) !== 'deepseek') throw new Error('the preset did not name the provider')
    await T('pf-preset-hint').waitFor()
    // The mock stands in for DeepSeek: the preset (and its prices) stay, the address is the mock's.
    await T('pf-base-url').fill(M + '/v1')
    await T('pf-api-key').fill('sk-deepseek-mock-0000')
    await T('pf-save').click()
    await T('providers-table').getByText('deepseek').first().waitFor()
    await T('test-deepseek').click()
    await expectText('Connected', T('provider-test-result'))
    // one virtual model per preset model, each a chain of the deepseek provider
    await T('preset-models-deepseek').click()
    await expectText('Created 2 models', T('preset-models-result-deepseek'))
    await page.goto(base + '/#/models')
    await T('models-table').getByText('deepseek-flash').first().waitFor()
    await T('models-table').getByText('deepseek-v4-pro').first().waitFor()
    const r = await send(gw.url, ADMIN_KEY, '/v1/chat/completions', { model: 'deepseek-flash', messages: [{ role: 'user', content: 'What does this cost?' }] })
    if (r.status !== 200) throw new Error(`HTTP ${r.status} ${r.text.slice(0, 300)}`)
    await sleep(700)
    await page.goto(base + '/#/usage?group_by=model&range=today')
    const row = T('usage-table').locator('tr', { hasText: 'deepseek-flash' }).first()
    await row.waitFor()
    const cost = await row.locator('[data-test="usage-cost"]').textContent()
    if (!/^\$\d/.test(cost ?? '')) throw new Error('no cost for a preset-priced model: ' + cost)
    await T('usage-total-cost').waitFor()
  })

  // balance, weights, an alias and a route on e2e-chain (to deepseek-flash, made just above)
  await modelRoutesSteps({ step, page, T, pick, expectText, shot, shots: SHOTS, base, gw, send, sleep, adminKey: ADMIN_KEY })

  await step('key form refuses bad input', async () => {
    await page.goto(base + '/#/keys')
    await T('keys-table').waitFor()
    await T('add-key').click()
    await T('kf-name').fill('e2e-client')
    await T('kf-rate').fill('lots')
    await T('kf-expiry').locator('input').fill('2020-01-01 00:00:00')
    await T('kf-expiry').locator('input').press('Enter')
    await T('kf-description').click()
    await T('kf-save').click()
    await expectText('Must be a whole number')
    await expectText('The expiry must be in the future')
  })

  await step('create a key; the secret is shown once', async () => {
    await T('kf-rate').fill('100')
    await T('kf-expiry').locator('.n-base-clear').first().click({ force: true }).catch(() => undefined)
    await T('kf-expiry').locator('input').fill('')
    await T('kf-expiry').locator('input').press('Enter')
    await pick('kf-models', 'e2e-chain')
    await T('kf-description').click()
    await T('kf-save').click()
    await T('key-created').waitFor()
    secret = await T('key-secret').inputValue()
    if (!/^sk-/.test(secret)) throw new Error('no secret shown: ' + secret)
    await T('copy-secret').click()
    await T('key-created').getByRole('button', { name: 'Close' }).last().click()
    await T('keys-table').getByText('e2e-client').waitFor()
    if ((await text()).includes(secret)) throw new Error('the secret is still on the page')
  })

  const sent = []
  await step('send traffic with the new key through both APIs', async () => {
    const r1 = await send(gw.url, secret, '/v1/chat/completions', { model: 'e2e-chain', messages: [{ role: 'user', content: 'Hi via OpenAI' }] })
    const r2 = await send(gw.url, secret, '/v1/chat/completions', { model: 'e2e-chain', stream: true, messages: [{ role: 'user', content: 'Hi via OpenAI, streamed' }] })
    const r3 = await send(gw.url, secret, '/v1/messages', {
      model: 'e2e-chain', max_tokens: 256, system: 'You are a weather bot.',
      tools: [{ name: 'get_weather', description: 'Weather of a city', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_e2e_1', name: 'get_weather', input: { city: 'Paris' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_e2e_1', content: '18°C and cloudy' }] },
      ],
    })
    const r4 = await send(gw.url, secret, '/v1/messages', {
      model: 'e2e-chain', max_tokens: 256, stream: true, thinking: { type: 'enabled', budget_tokens: 1024 },
      messages: [{ role: 'user', content: 'Hi via Anthropic, streamed' }],
    })
    const r5 = await send(gw.url, secret, '/v1/chat/completions', { model: 'not-allowed-model', messages: [{ role: 'user', content: 'x' }] })
    for (const [i, r] of [r1, r2, r3, r4].entries()) if (r.status !== 200) throw new Error(`request ${i + 1}: HTTP ${r.status} ${r.text.slice(0, 300)}`)
    if (r5.status < 400) throw new Error('a model outside allowed_models was accepted')
    if (!r2.text.includes('[DONE]') || !r4.text.includes('message_stop')) throw new Error('a stream did not complete')
    sent.push(r1, r2, r3, r4)
    await sleep(700) // the usage writer commits in batches of ≤ 200 ms
  })

  await step('usage: totals, group by model, two drill-downs', async () => {
    await page.goto(base + '/#/usage?group_by=model&range=today')
    const table = T('usage-table')
    await table.waitFor()
    await expectText('e2e-chain', table)
    await T('usage-charts').waitFor()
    await shot('en-usage')
    await T('drill-e2e-chain').click()
    await page.waitForURL(/d1=e2e-chain/)
    await expectText('mock-anthropic', T('usage-table'))
    await T('drill-mock-anthropic').click()
    await page.waitForURL(/d2=mock-anthropic/)
    await expectText('e2e-client', T('usage-table'))
    await expectText('Model: e2e-chain', T('usage-breadcrumb'))
    // the URL restores the same place
    await page.reload()
    await expectText('Provider: mock-anthropic', T('usage-breadcrumb'))
    await expectText('e2e-client', T('usage-table'))
    await shot('en-usage-drill')
  }, true)

  await step('logs: live tail over SSE, pause, expandable fields', async () => {
    await page.goto(base + '/#/logs')
    await T('logs-table').waitFor()
    await expectText('Live tail connected', T('logs-status'))
    // something new in the ring: a reload logs a line
    const before = await T('logs-table').locator('tbody tr').count()
    const rr = await fetch(gw.url + '/api/config/reload', { method: 'POST', headers: { Authorization: 'Bearer ' + ADMIN_KEY } })
    if (!rr.ok) throw new Error('POST /api/config/reload: HTTP ' + rr.status)
    await page.waitForFunction((n) => document.querySelectorAll('[data-test="logs-table"] tbody tr').length > n, before, { timeout: 10000 })
    await T('logs-table').locator('.n-data-table-expand-trigger').first().click()
    await T('log-fields').first().waitFor()
    await pick('logs-level', 'WARN')
    await page.waitForURL(/level=WARN/)
    await T('logs-live').click()
    await expectText('Paused', T('logs-status'))
    await page.goto(base + '/#/logs')
  })

  await step('logs: a request appears with its request id, key and model', async () => {
    await page.goto(base + '/#/logs')
    await expectText('Live tail connected', T('logs-status'))
    const r = await send(gw.url, secret, '/v1/chat/completions', { model: 'e2e-chain', messages: [{ role: 'user', content: 'one more for the live tail' }] })
    if (r.status !== 200) throw new Error('live-tail request failed: ' + r.status)
    if (!r.requestId) throw new Error('no X-Request-ID on the answer')
    await T('logs-table').getByText(r.requestId).first().waitFor({ timeout: 8000 }).catch(() => {
      throw new Error(`no log entry for request ${r.requestId}: the gateway logs no line per request`)
    })
    await shot('en-logs')
  }, true)

  await step('conversations: list, filters, replay with tool calls', async () => {
    await page.goto(base + '/#/conversations')
    await T('conv-table').waitFor()
    await expectText('e2e-chain', T('conv-table'))
    await pick('conv-status', 'Failed')
    await page.waitForURL(/status=error/)
    await pick('conv-status', 'All')
    await T('conv-search').fill('e2e-client')
    await page.waitForURL(/q=e2e-client/)
    await T('conv-table').waitFor()
    // the Anthropic request with the tool result
    const rows = T('conv-row')
    const n = await rows.count()
    let opened = false
    for (let i = 0; i < n && !opened; i++) {
      await rows.nth(i).click()
      await T('chat-replay').or(T('conv-detail').getByText('not recorded')).first().waitFor()
      if ((await T('tool-call').count()) > 0 && (await T('tool-result').count()) > 0) opened = true
      else await page.keyboard.press('Escape')
    }
    if (!opened) throw new Error('no conversation replays a tool call with its result')
    await expectText('18°C and cloudy', T('chat-replay'))
    await shot('en-conversations')
    await T('conv-detail').getByText('Usage and attempts').click()
    await expectText('mock-anthropic', T('attempts'))
    await T('conv-detail').getByText('Original request').click()
    await expectText('toolu_e2e_1', T('original-json'))
    await page.keyboard.press('Escape')
  }, true)

  await step('per-key usage', async () => {
    await page.goto(base + '/#/keys')
    await T('usage-e2e-client').click()
    const modal = T('key-usage')
    await modal.waitFor()
    await expectText('e2e-chain', modal)
    await modal.getByRole('button', { name: 'Open in the Usage tab' }).click()
    await page.waitForURL(/#\/usage\?.*group_by=api_key/)
  }, true)

  // Last use of the e2e-client key: a reached budget refuses it from here on.
  await step('a key budget: set, shown, reached by a priced request, then enforced', async () => {
    await page.goto(base + '/#/keys')
    await T('edit-e2e-client').click()
    await T('kf-budget-warning').fill('150')
    await T('kf-save').click()
    await expectText('Must be a percent between 1 and 100')
    await T('kf-budget-warning').fill('')
    await T('kf-daily-budget').fill('0.000001') // less than one mock request costs on deepseek-flash
    await pick('kf-models', 'deepseek-flash')
    await T('kf-description').click()
    await T('kf-save').click()
    const cell = T('budget-e2e-client')
    await expectText('$0.000001', cell)
    if ((await cell.getAttribute('data-state')) !== 'ok') throw new Error('a fresh budget is not ok: ' + (await cell.getAttribute('data-state')))
    if ((await T('budget-e2e-admin').getAttribute('data-state')) !== 'ok') throw new Error('a key without budget is not ok')
    const r = await send(gw.url, secret, '/v1/chat/completions', { model: 'deepseek-flash', messages: [{ role: 'user', content: 'spend my budget' }] })
    if (r.status !== 200) throw new Error(`priced request: HTTP ${r.status} ${r.text.slice(0, 300)}`)
    await sleep(700)
    await page.reload()
    await page.locator('[data-test="budget-e2e-client"][data-state="reached"]').waitFor()
    await expectText('reached', T('budget-e2e-client'))
    await shot('en-keys-budget')
    const over = await send(gw.url, secret, '/v1/chat/completions', { model: 'deepseek-flash', messages: [{ role: 'user', content: 'one too many' }] })
    if (over.status !== 429) throw new Error(`a key past its budget got HTTP ${over.status}`)
  }, true)

  await step('deleting a provider in use names its models', async () => {
    await page.goto(base + '/#/providers')
    await T('delete-mock-openai').click()
    await expectText('is used by the models e2e-chain', page.locator('.n-dialog'))
    await page.locator('.n-dialog').getByRole('button', { name: 'Cancel' }).click()
    await T('providers-table').getByText('mock-openai').first().waitFor()
  }, true)

  await step('rename a provider: the chains follow', async () => {
    await page.goto(base + '/#/providers')
    await T('edit-mock-anthropic').click()
    await T('pf-name').fill('mock-claude')
    await T('pf-save').click()
    await T('providers-table').getByText('mock-claude').first().waitFor()
    await page.goto(base + '/#/models')
    await expectText('mock-claude / claude-mock', T('models-table'))
  }, true)

  await step('the desktop window needs no login (credential injected)', async () => {
    const windowBase = await startFront(gw, spaFromGateway, fake, ADMIN_KEY)
    const p2 = await context.newPage()
    try {
      await p2.goto(windowBase + '/#/models')
      await p2.locator('[data-test="models-table"]').getByText('e2e-chain').waitFor()
      if (await p2.locator('[data-test="login-key"]').count()) throw new Error('the login page was shown')
      if (await p2.locator('[data-test="logout"]').count()) throw new Error('a Log out button is shown without a stored key')
    } finally {
      await p2.close()
    }
  }, true)

  await step('switch language: labels change and the choice is kept', async () => {
    await page.goto(base + '/#/providers')
    await T('lang-zh').click()
    await expectText('供应商', T('tab-providers'))
    await expectText('用量统计', T('tab-usage'))
    await page.reload()
    await expectText('对话记录', T('tab-conversations'))
    await T('lang-en').click()
    await expectText('Conversations', T('tab-conversations'))
  })

  if (SHOTS) {
    await step('screenshots of every tab in both languages', async () => {
      for (const lang of ['en', 'zh']) {
        await page.goto(base + '/#/providers')
        await T(`lang-${lang}`).click()
        await T('providers-table').waitFor()
        await T('test-mock-openai').click()
        await T('provider-test-result').waitFor()
        await shot(`${lang}-providers`)
        await page.goto(base + '/#/models')
        await T('models-table').waitFor()
        await T('test-e2e-chain').click()
        await page.locator('.n-dropdown-option:visible').first().click()
        await T('chain-steps').waitFor({ timeout: 30000 })
        await shot(`${lang}-models`)
        await page.goto(base + '/#/keys')
        await T('keys-table').waitFor()
        await shot(`${lang}-keys`)
        await page.goto(base + '/#/usage?group_by=model')
        await T('usage-table').waitFor()
        await T('usage-charts').waitFor()
        await shot(`${lang}-usage`)
        await page.goto(base + '/#/logs')
        await T('logs-table').waitFor()
        await T('logs-table').locator('.n-data-table-expand-trigger').first().click()
        await shot(`${lang}-logs`)
        await page.goto(base + '/#/conversations')
        await T('conv-table').waitFor()
        await shot(`${lang}-conversations`)
        const rows = T('conv-row')
        for (let i = 0; i < (await rows.count()); i++) {
          await rows.nth(i).click()
          await T('chat-replay').or(T('conv-detail').locator('.n-alert')).first().waitFor()
          if ((await T('tool-call').count()) > 0) break
          await page.keyboard.press('Escape')
        }
        await shot(`${lang}-conversation-detail`)
        await page.keyboard.press('Escape')
        if (lang === 'zh') {
          // dark mode follows the system
          await page.emulateMedia({ colorScheme: 'dark' })
          await page.goto(base + '/#/usage?group_by=provider')
          await T('usage-charts').waitFor()
          await shot('zh-usage-dark')
          await page.emulateMedia({ colorScheme: 'light' })
          await T('logout').click()
          await T('login-key').waitFor()
          await shot('zh-login')
        }
      }
    })
  }

  if (consoleErrors.length) log('browser console errors:\n  ' + consoleErrors.slice(0, 20).join('\n  '))
}

async function cleanup() {
  for (const c of cleanups.splice(0).reverse()) {
    try {
      await c()
    } catch {
      /* keep cleaning */
    }
  }
}
// Interrupted or stuck: stop the gateway, the mock and the browser all the same.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, async () => {
    log(`${sig}: stopping`)
    await cleanup()
    process.exit(130)
  })
}
const deadline = setTimeout(async () => {
  log('the run took too long (E2E_TIMEOUT_S): stopping')
  await cleanup()
  console.log(`e2e: ${passed} passed, ${failed + 1} failed`)
  process.exit(1)
}, Number(process.env.E2E_TIMEOUT_S ?? 300) * 1000)

let exitCode = 0
try {
  await main()
} catch (e) {
  exitCode = 1
  if (!failed) console.error('[e2e] error:', e.stack ?? e)
} finally {
  clearTimeout(deadline)
  await cleanup()
}
if (missing.size) {
  log('admin endpoints the gateway did not serve (404 "no route"):')
  for (const [k, n] of missing) log(`  ${k} (${n}×)`)
}
console.log(`e2e: ${passed} passed, ${failed} failed`)
process.exit(exitCode || (failed ? 1 : 0))
