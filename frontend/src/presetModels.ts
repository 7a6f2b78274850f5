// One click in the Providers tab: a virtual model for each model of the
// preset a provider was added from, named like the upstream model, its chain
// that one provider. Models that exist already are left alone.
import type { Preset } from './types'

export interface PresetModelPlan {
  /** model ids to create, in the preset's order */
  create: string[]
  /** model ids skipped: a virtual model of that name exists */
  skip: string[]
}

/** Which of the preset's models to create, given the names of the virtual models there are. */
export function planPresetModels(preset: Pick<Preset, 'models'> | null | undefined, existing: string[]): PresetModelPlan {
  const have = new Set(existing)
  const seen = new Set<string>()
  const plan: PresetModelPlan = { create: [], skip: [] }
  for (const m of preset?.models ?? []) {
    const id = m.id?.trim()
    if (!id || seen.has(id)) continue
    seen.add(id)
    if (have.has(id)) plan.skip.push(id)
    else plan.create.push(id)
  }
  return plan
}

/** The POST /api/config/models body of a one-adapter chain, shaped as ModelForm sends it. */
export function presetModelBody(provider: string, modelId: string) {
  return {
    name: modelId,
    mode: 'chain',
    description: '',
    adapters: [{ adapter: provider, model_name: modelId, priority: 1, timeout: 60 }],
  }
}
