// The model form's balance, affinity, weights, context windows and routes:
// what is shown when, what is sent (the API diffs it against the file, so a
// model saved unchanged must come back as it was), and the checks before sending.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h, nextTick } from 'vue'
import { mount, flushPromises } from '@vue/test-utils'
import { NMessageProvider, NDialogProvider, NSelect } from 'naive-ui'
import ModelForm from '../src/components/ModelForm.vue'
import { setLang } from '../src/i18n'
import type { Model } from '../src/types'

function withProviders(comp: unknown, props: Record<string, unknown>) {
  return defineComponent({
    setup: () => () => h(NMessageProvider, null, () => h(NDialogProvider, null, () => h(comp as never, props))),
  })
}

const $ = (testId: string) => document.body.querySelector(`[data-test="${testId}"]`) as HTMLElement | null

async function type(testId: string, value: string) {
  const el = $(testId) as HTMLInputElement | null
  if (!el) throw new Error('no ' + testId)
  el.value = value
  el.dispatchEvent(new Event('input'))
  await nextTick()
}

type Wrapper = ReturnType<typeof mount>

/** The n-select with data-test id (its menu is a virtual list that renders no rows without layout). */
function select(w: Wrapper, testId: string) {
  const s = w.findAllComponents(NSelect).find((c) => c.attributes('data-test') === testId)
  if (!s) throw new Error('no select ' + testId)
  return {
    options: () => (s.props('options') as { label: string; value: string }[]).map((o) => o.label),
    pick: async (value: string) => {
      s.vm.$emit('update:value', value)
      await nextTick()
    },
  }
}

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })

/** Mounts the form on model, clicks Save and returns the JSON sent (undefined when nothing was). */
async function save(model: Model | null, before?: (w: Wrapper) => Promise<void>, fetch = vi.fn(async () => json({ message: 'ok' }))) {
  vi.stubGlobal('fetch', fetch)
  const w = mount(withProviders(ModelForm, { show: true, model, existing: ['main', 'fast', 'big'], providers: ['p1', 'p2'] }), { attachTo: document.body })
  await flushPromises()
  if (before) await before(w)
  $('mf-save')!.click()
  await flushPromises()
  const calls = fetch.mock.calls as unknown as [string, RequestInit][]
  const body = calls.length ? JSON.parse(calls[0][1].body as string) : undefined
  return { w, body, calls }
}

// A model as GET /api/config/models shows it (config_views.go).
const balanced: Model = {
  name: 'main', mode: 'chain', description: 'the main one', aliases: ['claude-*sonnet*'],
  balance: 'weighted', affinity: false,
  routes: [
    { name: 'bg', when: { input_tokens_over: 0, thinking: null, web_search: null, images: null, tier: 'haiku', header: '' }, to: 'fast', adapter: '' },
    { name: '', when: { input_tokens_over: 50000, thinking: true, web_search: false, images: null, tier: '', header: 'x' }, to: '', adapter: 'p2' },
  ],
  adapters: [
    { adapter: 'p1', model_name: 'm1', priority: 1, timeout: 60, params: {}, weight: 3, context_window: 64000 },
    { adapter: 'p2', model_name: 'm2', priority: 1, timeout: 30, params: { max_tokens: 4096 }, weight: 0, context_window: 0 },
  ],
}

beforeEach(() => {
  setLang('en')
  document.body.innerHTML = ''
})
afterEach(() => vi.unstubAllGlobals())

describe('ModelForm balance, weights, windows and routes', () => {
  it('sends a model back as the API showed it when nothing is changed', async () => {
    const { w, body, calls } = await save(balanced)
    expect(calls[0][0]).toBe('/api/config/models/main')
    expect(body).toEqual({
      name: 'main', mode: 'chain', description: 'the main one', aliases: ['claude-*sonnet*'],
      balance: 'weighted', affinity: false, routes: balanced.routes,
      adapters: [
        { adapter: 'p1', model_name: 'm1', priority: 1, timeout: 60, weight: 3, context_window: 64000 },
        { adapter: 'p2', model_name: 'm2', priority: 1, timeout: 30, weight: 0, context_window: 0, params: { max_tokens: 4096 } },
      ],
    })
    w.unmount()
  })

  it('keeps an unbalanced chain\'s own priorities while their order stands, and renumbers a reordered one', async () => {
    const chain: Model = {
      name: 'main', mode: 'chain', balance: '', affinity: true, routes: [],
      adapters: [
        { adapter: 'p2', model_name: 'b', priority: 20, timeout: 60 },
        { adapter: 'p1', model_name: 'a', priority: 10, timeout: 60 },
        { adapter: 'p1', model_name: 'c', priority: 20, timeout: 60 },
      ],
    }
    const kept = await save(chain)
    expect(kept.body.adapters.map((a: { model_name: string; priority: number }) => [a.model_name, a.priority])).toEqual([['a', 10], ['b', 20], ['c', 20]])
    expect(kept.body).toMatchObject({ balance: '', affinity: true, routes: [] })
    kept.w.unmount()
    document.body.innerHTML = ''
    // the first row moved down one (▼ of row 0): 20, 10, 20 no longer ascends, so the order shown decides
    const moved = await save(chain, async () => {
      const down = [...document.body.querySelectorAll('[data-test="adapter-row-0"] button')].find((b) => b.textContent === '▼') as HTMLElement
      down.click()
      await nextTick()
    })
    expect(moved.body.adapters.map((a: { model_name: string; priority: number }) => [a.model_name, a.priority])).toEqual([['b', 1], ['a', 2], ['c', 3]])
    moved.w.unmount()
  })

  it('shows affinity only when balanced and the weight only when weighted; the window always', async () => {
    const shown = async (m: Model) => {
      const w = mount(withProviders(ModelForm, { show: true, model: m, existing: [], providers: ['p1', 'p2'] }), { attachTo: document.body })
      await flushPromises()
      const out = { affinity: !!$('mf-affinity'), weight: !!$('mf-weight-0'), window: !!$('mf-window-0'), balance: !!$('mf-balance') }
      w.unmount()
      document.body.innerHTML = ''
      return out
    }
    vi.stubGlobal('fetch', vi.fn())
    expect(await shown({ ...balanced, balance: '' })).toEqual({ affinity: false, weight: false, window: true, balance: true })
    expect(await shown({ ...balanced, balance: 'latency' })).toEqual({ affinity: true, weight: false, window: true, balance: true })
    expect(await shown(balanced)).toEqual({ affinity: true, weight: true, window: true, balance: true })
  })

  it('sends a typed weight and window as numbers', async () => {
    const { w, body } = await save(balanced, async () => {
      await type('mf-weight-1', '2')
      await type('mf-window-1', '128000')
    })
    expect(body.adapters[1]).toMatchObject({ weight: 2, context_window: 128000 })
    w.unmount()
  })

  it('refuses a new route without a condition or a target, and a negative weight, sending nothing', async () => {
    const { w, calls } = await save(balanced, async () => {
      $('mf-route-add')!.click()
      await nextTick()
      await type('mf-weight-0', '-1')
    })
    expect(calls).toHaveLength(0)
    expect($('rt-when-error-2')?.textContent).toContain('A route needs at least one condition')
    const text = document.body.textContent ?? ''
    expect(text).toContain('Required') // no virtual model chosen
    expect(text).toContain('Must be 0 or more')
    w.unmount()
  })

  it('sends a new route as the API takes it: tier haiku to another model, the other conditions empty', async () => {
    const { w, body } = await save({ ...balanced, routes: [] }, async (w) => {
      $('mf-route-add')!.click()
      await nextTick()
      await type('rt-tier-0', 'haiku')
      await select(w, 'rt-to-0').pick('fast')
    })
    expect(body.routes).toEqual([
      { name: '', when: { input_tokens_over: 0, thinking: null, web_search: null, images: null, tier: 'haiku', header: '' }, to: 'fast', adapter: '' },
    ])
    w.unmount()
  })

  it('offers the other models and this chain\'s providers as targets, reorders and removes routes', async () => {
    const { w, body } = await save(balanced, async (w) => {
      expect(select(w, 'rt-to-0').options()).toEqual(['fast', 'big']) // not the model itself
      expect(select(w, 'rt-adapter-1').options()).toEqual(['p1', 'p2'])
      expect(select(w, 'mf-balance').options()).toEqual(['File order (first healthy serves)', 'By weight', 'Least in flight', 'Lowest latency'])
      $('rt-down-0')!.click()
      await nextTick()
      expect(($('rt-tier-1') as HTMLInputElement).value).toBe('haiku')
      $('mf-route-add')!.click()
      await nextTick()
      $('rt-remove-2')!.click()
      await nextTick()
    })
    expect(body.routes.map((r: { name: string }) => r.name)).toEqual(['', 'bg'])
    w.unmount()
  })

  it('shows the server\'s route and window errors next to their fields', async () => {
    const fetch = vi.fn(async () =>
      json({ error: { message: 'invalid configuration', fields: [
        { field: 'models.main.routes[0].when.input_tokens_over', message: 'too many tokens for a route' },
        { field: 'models.main.adapters[1].context_window', message: 'window out of range' },
        { field: 'models.main.routes[1].adapter', message: 'adapter "p9" is not one of this model\'s adapters' },
      ] } }, 400),
    )
    const { w } = await save(balanced, undefined, fetch)
    const rows = (i: number) => $('route-row-' + i)?.textContent ?? ''
    expect(rows(0)).toContain('too many tokens for a route')
    expect(rows(1)).toContain('is not one of this model')
    expect($('adapter-row-1')?.textContent).toContain('window out of range')
    expect($('form-errors')?.textContent ?? '').not.toContain('window out of range')
    w.unmount()
  })
})

describe('ModelsView balance and routes lines', () => {
  it('shows each model\'s balance policy and a summary of its routes under its name', async () => {
    const ModelsView = (await import('../src/views/ModelsView.vue')).default
    const fetch = vi.fn(async (url: string) =>
      json(url.startsWith('/api/config/models')
        ? [balanced, { name: 'fast', mode: 'chain', balance: '', affinity: true, routes: [], adapters: [{ adapter: 'p1', model_name: 'f', priority: 1, timeout: 60 }] }]
        : [{ name: 'p1', provider: 'openai', base_url: 'http://x', enabled: true }, { name: 'p2', provider: 'openai', base_url: 'http://y', enabled: true }]),
    )
    vi.stubGlobal('fetch', fetch)
    const w = mount(withProviders(ModelsView, {}), { attachTo: document.body })
    await flushPromises()
    expect($('balance-main')?.textContent).toBe('Balance: By weight · conversations not pinned')
    expect($('routes-main')?.textContent).toBe('bg: tier haiku → fast' + '>50000 tokens + thinking + no web search + header x → adapter p2')
    expect($('routes-main')?.children).toHaveLength(2) // one line per route
    expect($('balance-fast')).toBeNull()
    expect($('routes-fast')).toBeNull()
    const chain = document.body.textContent ?? ''
    expect(chain).toContain('×3')
    expect(chain).toContain('64K')
    w.unmount()
  })
})
