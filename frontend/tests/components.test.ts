import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h, nextTick } from 'vue'
import { mount, flushPromises } from '@vue/test-utils'
import { NMessageProvider, NDialogProvider } from 'naive-ui'
import ProviderForm from '../src/components/ProviderForm.vue'
import ChatReplay from '../src/components/ChatReplay.vue'
import EmptyState from '../src/components/EmptyState.vue'
import { setLang } from '../src/i18n'
import { replayRequest } from '../src/replay'

function withProviders(comp: unknown, props: Record<string, unknown>) {
  return defineComponent({
    setup: () => () => h(NMessageProvider, null, () => h(NDialogProvider, null, () => h(comp as never, props))),
  })
}

function input(testId: string): HTMLInputElement | HTMLTextAreaElement {
  const el = document.body.querySelector(`[data-test="${testId}"]`)
  if (!el) throw new Error('no ' + testId)
  return el as HTMLInputElement
}

async function type(testId: string, value: string) {
  const el = input(testId)
  el.value = value
  el.dispatchEvent(new Event('input'))
  await nextTick()
}

function click(testId: string) {
  ;(document.body.querySelector(`[data-test="${testId}"]`) as HTMLElement).click()
}

describe('ProviderForm', () => {
  beforeEach(() => {
    setLang('en')
    document.body.innerHTML = ''
  })
  afterEach(() => vi.unstubAllGlobals())

  it('refuses bad input in place and sends nothing', async () => {
    const fetch = vi.fn()
    vi.stubGlobal('fetch', fetch)
    const w = mount(withProviders(ProviderForm, { show: true, provider: null, existing: ['glm'] }), { attachTo: document.body })
    await flushPromises()
    await type('pf-name', 'glm')
    await type('pf-base-url', 'api.example.com')
    await type('pf-headers', '{"X-Team": ')
    click('pf-save')
    await flushPromises()
    const text = document.body.textContent ?? ''
    expect(text).toContain('This name is already used')
    expect(text).toContain('Must be an http:// or https:// URL')
    expect(text).toContain('Invalid JSON')
    // The form loads the presets for a new provider; nothing else is sent.
    expect(fetch.mock.calls.map((c) => String(c[0]))).toEqual(['/api/presets'])
    w.unmount()
  })

  it('shows the server field errors next to their fields', async () => {
    const fetch = vi.fn(async () =>
      new Response(JSON.stringify({ error: { message: 'invalid configuration', fields: [{ field: 'providers[1].base_url', line: 9, message: 'host does not resolve' }] } }), {
        status: 400,
        headers: { 'Content-Type': 'application/json' },
      }),
    )
    vi.stubGlobal('fetch', fetch)
    const w = mount(withProviders(ProviderForm, { show: true, provider: null, existing: [] }), { attachTo: document.body })
    await flushPromises()
    await type('pf-name', 'local')
    await type('pf-base-url', 'http://vllm.invalid/v1')
    click('pf-save')
    await flushPromises()
    const writes = (fetch.mock.calls as unknown as [string, RequestInit][]).filter(([u]) => u !== '/api/presets')
    expect(writes).toHaveLength(1)
    const [url, init] = writes[0]
    expect(url).toBe('/api/config/providers')
    expect(JSON.parse(init.body as string)).toMatchObject({ name: 'local', base_url: 'http://vllm.invalid/v1', provider: 'openai', custom_headers: {} })
    expect(document.body.textContent).toContain('host does not resolve (line 9)')
    w.unmount()
  })
})

describe('ChatReplay', () => {
  it('renders tool calls with their results and image thumbnails', async () => {
    setLang('en')
    const r = replayRequest({
      system: 'Be brief.',
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Look' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } }] },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'lookup', input: { q: 'x' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'found it' }] },
      ],
    })
    const w = mount(withProviders(ChatReplay, { turns: r.turns }), { attachTo: document.body })
    await flushPromises()
    expect(w.findAll('[data-test="tool-call"]')).toHaveLength(1)
    expect(w.find('[data-test="tool-result"]').text()).toContain('found it')
    expect(w.find('[data-test="image-thumb"]').exists()).toBe(true)
    expect(w.findAll('[data-role]').map((e) => e.attributes('data-role'))).toEqual(['system', 'user', 'assistant'])
    w.unmount()
  })
})

describe('EmptyState', () => {
  it('says what to do next and offers the action', async () => {
    const w = mount(EmptyState, { props: { title: 'No providers yet', hint: 'Add one', action: 'Add provider' } })
    expect(w.text()).toContain('No providers yet')
    expect(w.text()).toContain('Add one')
    await w.find('button').trigger('click')
    expect(w.emitted('action')).toHaveLength(1)
  })
})
