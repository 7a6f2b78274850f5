import { describe, expect, it } from 'vitest'
import { planPresetModels, presetModelBody } from '../src/presetModels'

const preset = {
  models: [
    { id: 'deepseek-flash', context: 1000000, max_output: 384000 },
    { id: 'deepseek-v4-pro', context: 1000000, max_output: 384000 },
  ],
}

describe('virtual models from a preset', () => {
  it('creates every preset model that is not a virtual model yet', () => {
    expect(planPresetModels(preset, [])).toEqual({ create: ['deepseek-flash', 'deepseek-v4-pro'], skip: [] })
    expect(planPresetModels(preset, ['e2e-chain', 'deepseek-v4-pro'])).toEqual({ create: ['deepseek-flash'], skip: ['deepseek-v4-pro'] })
    expect(planPresetModels(preset, ['deepseek-flash', 'deepseek-v4-pro'])).toEqual({ create: [], skip: ['deepseek-flash', 'deepseek-v4-pro'] })
  })

  it('ignores repeated or empty ids and a missing preset', () => {
    const messy = { models: [...preset.models, { id: 'deepseek-flash', context: 1, max_output: 1 }, { id: ' ', context: 1, max_output: 1 }] }
    expect(planPresetModels(messy, []).create).toEqual(['deepseek-flash', 'deepseek-v4-pro'])
    expect(planPresetModels(undefined, ['x'])).toEqual({ create: [], skip: [] })
  })

  it('sends the body the model form sends: a chain of the one provider', () => {
    expect(presetModelBody('deepseek', 'deepseek-flash')).toEqual({
      name: 'deepseek-flash',
      mode: 'chain',
      description: '',
      adapters: [{ adapter: 'deepseek', model_name: 'deepseek-flash', priority: 1, timeout: 60 }],
    })
  })
})
