import { describe, expect, it } from 'vitest'
import { routeForm, routePayload, routeSummary, validateRoutes } from '../src/routes'

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
      'routes.2.tokens': 'v.nonNegative',
      'routes.2.to': 'v.unknownModel',
      'routes.3.adapter': 'v.routeAdapter',
      'routes.4.adapter': 'v.required',
    })
  })

  it('summarises a route on one line', () => {
    expect(routeSummary({ name: 'long', when: { input_tokens_over: 50000 }, to: 'glm-5' })).toBe('long: >50000 tokens → glm-5')
    expect(routeSummary({ when: { thinking: true, images: false, tier: 'haiku' }, adapter: 'an' })).toBe('thinking + no images + tier haiku → adapter an')
  })
})
