import { describe, expect, it } from 'vitest'
import { checkExpiry, checkHeadersJSON, checkNumber, checkURL, validateKey, validateModel, validateProvider, type ProviderForm } from '../src/validate'
import { matchField } from '../src/forms'

const provider = (over: Partial<ProviderForm> = {}): ProviderForm => ({
  name: 'deepseek', provider: 'openai', base_url: 'https://api.deepseek.com/v1', api_key: '${DEEPSEEK_KEY}', custom_headers: '',
  enabled: true, max_concurrent: '0', max_queue_size: '100', queue_timeout: '300', disable_stream_options: false, reasoning: '',
  timeout_connect: '', timeout_first_byte: '', timeout_idle: '', breaker_failures: '', breaker_open_seconds: '', ...over,
})

describe('form validation', () => {
  it('accepts a good provider', () => {
    expect(validateProvider(provider(), ['glm'])).toEqual({})
  })

  it('refuses an invalid base URL with the reason', () => {
    for (const bad of ['api.deepseek.com', 'ftp://x.org', 'http://', 'not a url', '']) {
      const p = validateProvider(provider({ base_url: bad }), [])
      expect(p.base_url, bad).toBeDefined()
    }
    expect(validateProvider(provider({ base_url: '' }), []).base_url.key).toBe('v.required')
    expect(validateProvider(provider({ base_url: 'api.x.com' }), []).base_url.key).toBe('v.url')
    expect(checkURL('http://127.0.0.1:9000/v1')).toBeUndefined()
    expect(checkURL('${VLLM_URL}')).toBeUndefined()
    expect(checkURL('https://${HOST}/v1')).toBeUndefined()
  })

  it('refuses a duplicate name, except the one being edited', () => {
    expect(validateProvider(provider({ name: 'glm' }), ['glm']).name.key).toBe('v.duplicate')
    expect(validateProvider(provider({ name: 'glm' }), ['glm'], 'glm')).toEqual({})
    expect(validateProvider(provider({ name: '' }), []).name.key).toBe('v.required')
  })

  it('refuses non-numeric and negative numbers', () => {
    expect(validateProvider(provider({ max_concurrent: 'ten' }), []).max_concurrent.key).toBe('v.integer')
    expect(validateProvider(provider({ max_concurrent: '1.5' }), []).max_concurrent.key).toBe('v.integer')
    expect(validateProvider(provider({ queue_timeout: '-1' }), []).queue_timeout.key).toBe('v.nonNegative')
    expect(validateProvider(provider({ timeout_idle: '12abc' }), []).timeout_idle.key).toBe('v.number')
    expect(checkNumber('', { integer: true })).toBeUndefined()
    expect(checkNumber('2.5', {})).toBeUndefined()
  })

  it('refuses invalid custom-headers JSON', () => {
    expect(validateProvider(provider({ custom_headers: '{"X-A": ' }), []).custom_headers.key).toBe('v.json')
    expect(checkHeadersJSON('[1,2]')?.key).toBe('v.jsonObject')
    expect(checkHeadersJSON('{"X-A": 1}')?.key).toBe('v.headerValues')
    expect(checkHeadersJSON('{"X-A": "b"}')).toBeUndefined()
    expect(checkHeadersJSON('  ')).toBeUndefined()
  })

  it('checks key limits and refuses an expiry in the past', () => {
    const now = Date.parse('2025-06-01T12:00:00Z')
    const key = { name: 'ci', description: '', role: 'user' as const, rate_limit: '60', daily_limit: '', daily_budget: '', monthly_budget: '', budget_warning: '', allowed_models: [], expires_at: null }
    expect(validateKey(key, ['admin'], undefined, now)).toEqual({})
    expect(validateKey({ ...key, rate_limit: 'sixty' }, [], undefined, now).rate_limit.key).toBe('v.integer')
    expect(validateKey({ ...key, daily_limit: '-5' }, [], undefined, now).daily_limit.key).toBe('v.nonNegative')
    expect(validateKey({ ...key, expires_at: now - 1000 }, [], undefined, now).expires_at.key).toBe('v.pastExpiry')
    expect(validateKey({ ...key, expires_at: now + 86400000 }, [], undefined, now)).toEqual({})
    expect(validateKey({ ...key, name: 'admin' }, ['admin'], undefined, now).name.key).toBe('v.duplicate')
    expect(checkExpiry(null)).toBeUndefined()
  })

  it('checks key budgets and the warning percent', () => {
    const key = { name: 'ci', description: '', role: 'user' as const, rate_limit: '', daily_limit: '', daily_budget: '2.5', monthly_budget: '40', budget_warning: '75', allowed_models: [], expires_at: null }
    expect(validateKey(key, [])).toEqual({})
    expect(validateKey({ ...key, daily_budget: '-1' }, []).daily_budget.key).toBe('v.nonNegative')
    expect(validateKey({ ...key, monthly_budget: 'lots' }, []).monthly_budget.key).toBe('v.number')
    expect(validateKey({ ...key, budget_warning: '120' }, []).budget_warning.key).toBe('v.percent')
    expect(validateKey({ ...key, budget_warning: '0' }, []).budget_warning.key).toBe('v.positive')
    expect(validateKey({ ...key, budget_warning: '' }, [])).toEqual({})
  })

  it('checks a model chain adapter by adapter', () => {
    const f = {
      name: 'glm-5', mode: 'chain', description: '', balance: '', affinity: true,
      adapters: [
        { uid: 1, adapter: 'glm', model_name: 'glm-5', timeout: '60', params: '', priority: '1', weight: '', context_window: '' },
        { uid: 2, adapter: 'nope', model_name: '', timeout: 'x', params: '{bad', priority: 'x', weight: '', context_window: '' },
      ],
    }
    const p = validateModel(f, [], ['glm'])
    expect(Object.keys(p).sort()).toEqual(['adapters.1.adapter', 'adapters.1.model_name', 'adapters.1.params', 'adapters.1.timeout'])
    expect(p['adapters.1.adapter'].key).toBe('v.unknownProvider')
    expect(validateModel({ ...f, adapters: [] }, [], ['glm']).adapters.key).toBe('v.adapters')
    // Balanced, the priority is the user's and is checked; weights and windows are whole and not negative.
    const bal = { ...f, balance: 'weighted', adapters: [{ ...f.adapters[0], weight: '-1', context_window: '1.5', priority: 'x' }] }
    expect(Object.keys(validateModel(bal, [], ['glm'])).sort()).toEqual(['adapters.0.context_window', 'adapters.0.priority', 'adapters.0.weight'])
  })

  it('maps server field paths onto form fields', () => {
    const known = ['name', 'base_url', 'adapters.1.model_name', 'model_name']
    expect(matchField('providers[2].base_url', known)).toBe('base_url')
    expect(matchField('models.glm-5.adapters[1].model_name', known)).toBe('adapters.1.model_name')
    expect(matchField('providers[0].timeouts.idle', known, { 'timeouts.idle': 'timeout_idle' })).toBe('timeout_idle')
    expect(matchField('gateway.port', known)).toBeUndefined()
  })
})
