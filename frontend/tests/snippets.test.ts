import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h } from 'vue'
import { mount, flushPromises } from '@vue/test-utils'
import { NDialogProvider, NMessageProvider } from 'naive-ui'
import ModelsView from '../src/views/ModelsView.vue'
import { setLang } from '../src/i18n'
import { claudeSnippet, codexSnippet, gatewayBaseURL, shellWord, tomlString } from '../src/snippets'

const json = (v: unknown, status = 200) => new Response(JSON.stringify(v), { status, headers: { 'Content-Type': 'application/json' } })
const loc = (href: string) => new URL(href) as unknown as Location

describe('agent snippets', () => {
  it('write the keys the Codex switch writes, and the Claude Code environment', () => {
    expect(codexSnippet('glm-5', 'http://127.0.0.1:8000/', 'sk-snippet-key-1')).toBe(
      [
        'model = "glm-5"',
        'model_provider = "modelswitch"',
        '',
        '[model_providers.modelswitch]',
        'name = "ModelSwitch"',
        'base_url = "http://127.0.0.1:8000/v1"',
        'wire_api = "responses"',
        'experimental_bearer_token = "sk-snippet-key-1"',
        '',
      ].join('\n'),
    )
    expect(claudeSnippet('glm-5', 'http://127.0.0.1:8000', 'sk-snippet-key-1')).toBe(
      'export ANTHROPIC_BASE_URL=http://127.0.0.1:8000\nexport ANTHROPIC_AUTH_TOKEN=sk-snippet-key-1\nexport ANTHROPIC_MODEL=glm-5\nclaude\n',
    )
  })

  it('quote what TOML and the shell would misread', () => {
    expect(tomlString('a"b\\c\td')).toBe('"a\\"b\\\\c\\u0009d"')
    expect(shellWord('<your ModelSwitch key>')).toBe("'<your ModelSwitch key>'")
    expect(shellWord("it's")).toBe("'it'\\''s'")
    expect(shellWord('qwen/qwen3:32b')).toBe('qwen/qwen3:32b')
  })

  it('find the gateway: the page origin in a browser, the core’s answer in the window', async () => {
    const fetch = vi.fn(async (url: string) => (url === '/__modelswitch/gateway' ? json({ base_url: 'http://127.0.0.1:8123', running: true }) : json({}, 404)))
    vi.stubGlobal('fetch', fetch)
    expect(await gatewayBaseURL(loc('http://192.168.1.5:8000/#/models'))).toBe('http://192.168.1.5:8000')
    expect(fetch).not.toHaveBeenCalled()
    expect(await gatewayBaseURL(loc('wails://wails/#/models'))).toBe('http://127.0.0.1:8123')
    // An older window without the path: the configured address, 0.0.0.0 as loopback.
    fetch.mockImplementation(async (url: string) => (url === '/api/config' ? json({ gateway: { host: '0.0.0.0', port: 9000 } }) : json({}, 404)))
    expect(await gatewayBaseURL(loc('wails://wails/'))).toBe('http://127.0.0.1:9000')
    vi.unstubAllGlobals()
  })
})

describe('Models tab: Connect', () => {
  beforeEach(() => {
    setLang('en')
    document.body.innerHTML = ''
  })
  afterEach(() => vi.unstubAllGlobals())

  it('shows both snippets for the model with the gateway address and copies them', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string) =>
        url.startsWith('/api/config/models')
          ? json([{ name: 'glm-5', mode: 'chain', adapters: [{ adapter: 'dashscope', model_name: 'glm-5', priority: 1 }] }])
          : json([]),
      ),
    )
    let copied = ''
    Object.defineProperty(navigator, 'clipboard', { configurable: true, value: { writeText: async (s: string) => void (copied = s) } })
    Object.defineProperty(window, 'isSecureContext', { configurable: true, value: true })
    const View = defineComponent({ setup: () => () => h(NMessageProvider, null, () => h(NDialogProvider, null, () => h(ModelsView))) })
    const w = mount(View, { attachTo: document.body })
    await flushPromises()
    ;(document.body.querySelector('[data-test="connect-glm-5"]') as HTMLElement).click()
    await flushPromises()
    const modal = document.body.querySelector('[data-test="connect-modal"]')
    expect(modal?.textContent).toContain('Use glm-5 from Codex and Claude Code')
    const codex = document.body.querySelector('[data-test="codex-snippet"]')?.textContent ?? ''
    expect(codex).toContain('model = "glm-5"')
    expect(codex).toContain(`base_url = "${location.origin}/v1"`)
    expect(codex).toContain('experimental_bearer_token = "<your ModelSwitch key>"')
    const claude = document.body.querySelector('[data-test="claude-snippet"]')?.textContent ?? ''
    expect(claude).toContain(`export ANTHROPIC_BASE_URL=${location.origin}`)
    expect(claude).toContain('export ANTHROPIC_MODEL=glm-5')

    ;(document.body.querySelector('[data-test="copy-codex-glm-5"]') as HTMLElement).click()
    await flushPromises()
    expect(document.body.textContent).toContain('Copied')
    expect(copied).toBe(codexSnippet('glm-5', location.origin, '<your ModelSwitch key>'))

    setLang('zh')
    await flushPromises()
    expect(document.body.querySelector('[data-test="connect-modal"]')?.textContent).toContain('在 Codex 和 Claude Code 中使用 glm-5')
    expect(document.body.querySelector('[data-test="codex-snippet"]')?.textContent).toContain('<你的 ModelSwitch 密钥>')
    w.unmount()
  })
})
