import { beforeEach, describe, expect, it } from 'vitest'
import { routeForm, routePayload, routeSummary } from '../src/routes'
import { validateRoutes } from '../src/validate'
import { setLang } from '../src/i18n'

beforeEach(() => setLang('en'))

describe('model routes', () => {
  it('sends a tier route to another model with the other conditions empty', () => {
    const f = { ...routeForm(), tier: 'haiku', to: 'fast' }
    expect(routePayload(f)).toEqual({
      name: '', when: { input_tokens_over: 0, thinking: null, web_search: null, images: null, tier: 'haiku', header: '' }, to: 'fast', adapter: '',
    })
  })

  it('round-trips what the API returns', () => {
    const r = { name: 'think', when: { input_tokens_over: 0, thinking: true, web_search: null, images: false, tier: '', header: '' }, to: '', adapter: 'deepseek' }
    expect(routePayload(routeForm(r))).toEqual(r)
  })

  it('refuses a route without a condition, a missing or unknown target, its own model and a bad size', () => {
    const ok = { ...routeForm(), tokens: '50000', to: 'big' }
    expect(validateRoutes([ok], ['big', 'main'], ['an'], 'main')).toEqual({})
    const p = validateRoutes(
      [
        { ...routeForm(), to: 'big' },
        { ...routeForm(), tier: 'opus', to: 'main' },
        { ...routeForm(), tokens: '-5', to: 'nope' },
        { ...routeForm(), images: 'yes', target: 'adapter', adapter: 'other' },
        { ...routeForm(), header: 'cheap', target: 'adapter', adapter: '' },
      ],
      ['big', 'main'], ['an'], 'main',
    )
    expect(Object.fromEntries(Object.entries(p).map(([k, v]) => [k, v.key]))).toEqual({
      'routes.0.when': 'v.routeCondition',
      'routes.1.to': 'v.routeSelf',
      'routes.2.when.input_tokens_over': 'v.nonNegative',
      'routes.2.to': 'v.unknownModel',
      'routes.3.adapter': 'v.routeAdapter',
      'routes.4.adapter': 'v.required',
    })
  })

  it('refuses a size that is not a whole number and a name used twice (an unnamed route is "route N")', () => {
    const p = validateRoutes(
      [
        { ...routeForm(), name: 'long', tokens: '1.5', to: 'big' },
        { ...routeForm(), name: 'long', tokens: 'lots', to: 'big' },
        { ...routeForm(), name: 'route 4', tier: 'x', to: 'big' },
        { ...routeForm(), tier: 'y', to: 'big' },
      ],
      ['big'], [], 'main',
    )
    expect(Object.fromEntries(Object.entries(p).map(([k, v]) => [k, v.key]))).toEqual({
      'routes.0.when.input_tokens_over': 'v.integer',
      'routes.1.name': 'v.duplicate',
      'routes.1.when.input_tokens_over': 'v.integer',
      'routes.3.name': 'v.duplicate',
    })
  })

  it('summarises a route on one line', () => {
    expect(routeSummary({ name: 'long', when: { input_tokens_over: 50000 }, to: 'glm-5' })).toBe('long: >50000 tokens → glm-5')
    expect(routeSummary({ when: { thinking: true, images: false, tier: 'haiku' }, adapter: 'an' })).toBe('thinking + no images + tier haiku → adapter an')
    expect(routeSummary({ when: { web_search: true, header: 'cheap' }, to: 'fast' })).toBe('web search + header cheap → fast')
    setLang('zh')
    expect(routeSummary({ name: 'long', when: { input_tokens_over: 50000, images: false }, adapter: 'an' })).toBe('long: 输入 >50000 token + 无图片 → 供应商 an')
  })
})
