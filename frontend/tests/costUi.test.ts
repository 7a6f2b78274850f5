import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h, nextTick } from 'vue'
import { mount, flushPromises } from '@vue/test-utils'
import { NMessageProvider, NDialogProvider } from 'naive-ui'
import KeyForm from '../src/components/KeyForm.vue'
import PresetModels from '../src/components/PresetModels.vue'
import { setLang } from '../src/i18n'

function withProviders(comp: unknown, props: Record<string, unknown>) {
  return defineComponent({
    setup: () => () => h(NMessageProvider, null, () => h(NDialogProvider, null, () => h(comp as never, props))),
  })
}

async function type(testId: string, value: string) {
  const el = document.body.querySelector(`[data-test="${testId}"]`) as HTMLInputElement | null
  if (!el) throw new Error('no ' + testId)
  el.value = value
  el.dispatchEvent(new Event('input'))
  await nextTick()
}

function click(testId: string) {
  ;(document.body.querySelector(`[data-test="${testId}"]`) as HTMLElement).click()
}

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })

beforeEach(() => {
  setLang('en')
  document.body.innerHTML = ''
})
afterEach(() => vi.unstubAllGlobals())

describe('KeyForm budgets', () => {
  it('sends the budgets and the warning percent as a share', async () => {
    const fetch = vi.fn(async () => json({ secret: 'sk-x', key: { id: 'k1', name: 'ci', key: 'sk-****', enabled: true } }))
    vi.stubGlobal('fetch', fetch)
    const w = mount(withProviders(KeyForm, { show: true, apiKey: null, existing: [], models: [], currency: 'USD' }), { attachTo: document.body })
    await flushPromises()
    expect(document.body.textContent).toContain('USD')
    await type('kf-name', 'ci')
    await type('kf-daily-budget', '2.5')
    await type('kf-budget-warning', '75')
    click('kf-save')
    await flushPromises()
    const [url, init] = (fetch.mock.calls as unknown as [string, RequestInit][])[0]
    expect(url).toBe('/api/keys')
    expect(JSON.parse(init.body as string)).toMatchObject({ name: 'ci', daily_budget: 2.5, monthly_budget: 0, budget_warning: 0.75 })
    w.unmount()
  })

  it('refuses a negative budget and a percent over 100, sending nothing', async () => {
    const fetch = vi.fn()
    vi.stubGlobal('fetch', fetch)
    const w = mount(withProviders(KeyForm, { show: true, apiKey: null, existing: [], models: [] }), { attachTo: document.body })
    await flushPromises()
    await type('kf-name', 'ci')
    await type('kf-monthly-budget', '-3')
    await type('kf-budget-warning', '150')
    click('kf-save')
    await flushPromises()
    expect(document.body.textContent).toContain('Must be 0 or more')
    expect(document.body.textContent).toContain('Must be a percent between 1 and 100')
    expect(fetch).not.toHaveBeenCalled()
    w.unmount()
  })

  it('shows a key\'s configured warning share as a percent', async () => {
    vi.stubGlobal('fetch', vi.fn())
    const apiKey = { id: 'k1', name: 'ci', key: 'sk-****', enabled: true, daily_budget: 1, budget_warning: 0.9, currency: 'CNY' }
    const w = mount(withProviders(KeyForm, { show: true, apiKey, existing: ['ci'], models: [] }), { attachTo: document.body })
    await flushPromises()
    expect((document.body.querySelector('[data-test="kf-budget-warning"]') as HTMLInputElement).value).toBe('90')
    expect((document.body.querySelector('[data-test="kf-daily-budget"]') as HTMLInputElement).value).toBe('1')
    expect(document.body.textContent).toContain('CNY')
    w.unmount()
  })
})

describe('PresetModels', () => {
  it('creates the preset models that are not models yet and says which it skipped', async () => {
    const fetch = vi.fn(async (_url: string, init?: RequestInit) =>
      !init?.method || init.method === 'GET' ? json([{ name: 'deepseek-v4-pro', mode: 'chain', adapters: [] }]) : json({ ok: true }, 201),
    )
    vi.stubGlobal('fetch', fetch)
    const preset = {
      id: 'deepseek', name: 'DeepSeek', endpoints: {},
      models: [{ id: 'deepseek-flash', context: 1, max_output: 1 }, { id: 'deepseek-v4-pro', context: 1, max_output: 1 }],
    }
    const w = mount(withProviders(PresetModels, { provider: 'deepseek', preset }), { attachTo: document.body })
    expect(document.body.textContent).toContain('Create a virtual model for each of its 2 models')
    click('preset-models-deepseek')
    await flushPromises()
    const posts = (fetch.mock.calls as unknown as [string, RequestInit][]).filter(([, i]) => i?.method === 'POST')
    expect(posts).toHaveLength(1)
    expect(posts[0][0]).toBe('/api/config/models')
    expect(JSON.parse(posts[0][1].body as string)).toEqual({
      name: 'deepseek-flash', mode: 'chain', description: '',
      adapters: [{ adapter: 'deepseek', model_name: 'deepseek-flash', priority: 1, timeout: 60 }],
    })
    const result = document.body.querySelector('[data-test="preset-models-result-deepseek"]')?.textContent ?? ''
    expect(result).toContain('Created 1 models: deepseek-flash')
    expect(result).toContain('deepseek-v4-pro')
    w.unmount()
  })
})

describe('ModelForm aliases', () => {
  it('shows a model\'s aliases and sends them as typed, split and without repeats', async () => {
    const fetch = vi.fn(async () => json({ message: 'ok' }))
    vi.stubGlobal('fetch', fetch)
    const ModelForm = (await import('../src/components/ModelForm.vue')).default
    const model = { name: 'fast', mode: 'chain', description: '', aliases: ['claude-*haiku*'], adapters: [{ adapter: 'p', model_name: 'x', priority: 1, timeout: 60 }] }
    const w = mount(withProviders(ModelForm, { show: true, model, existing: ['fast'], providers: ['p'] }), { attachTo: document.body })
    await flushPromises()
    expect((document.body.querySelector('[data-test="mf-aliases"]') as HTMLInputElement).value).toBe('claude-*haiku*')
    await type('mf-aliases', 'claude-*haiku*, gpt-5-mini  gpt-5-mini,')
    click('mf-save')
    await flushPromises()
    const [url, init] = (fetch.mock.calls as unknown as [string, RequestInit][])[0]
    expect(url).toBe('/api/config/models/fast')
    expect(JSON.parse(init.body as string).aliases).toEqual(['claude-*haiku*', 'gpt-5-mini'])
    w.unmount()
  })
})
