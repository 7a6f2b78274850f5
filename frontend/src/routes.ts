// A virtual model's routes (issue 18) as the Models tab edits them: the form
// shape, what it sends, the checks made before sending and the one-line
// summary shown under the model. The server validates again.
import type { Problem, Problems } from './validate'
import { checkNumber, parseNumber } from './validate'

export type TriState = 'any' | 'yes' | 'no'

export interface RouteWhen {
  input_tokens_over?: number
  thinking?: boolean | null
  web_search?: boolean | null
  images?: boolean | null
  tier?: string
  header?: string
}

export interface Route {
  name?: string
  when: RouteWhen
  to?: string
  adapter?: string
}

export interface RouteForm {
  uid: number
  name: string
  tokens: string // input_tokens_over; empty = no condition
  thinking: TriState
  web_search: TriState
  images: TriState
  tier: string
  header: string
  target: 'model' | 'adapter'
  to: string
  adapter: string
}

const tri = (b: boolean | null | undefined): TriState => (b === true ? 'yes' : b === false ? 'no' : 'any')
const untri = (s: TriState): boolean | null => (s === 'yes' ? true : s === 'no' ? false : null)

let uid = 0
export function routeForm(r?: Route): RouteForm {
  const w = r?.when ?? {}
  return {
    uid: ++uid, name: r?.name ?? '', tokens: w.input_tokens_over ? String(w.input_tokens_over) : '',
    thinking: tri(w.thinking), web_search: tri(w.web_search), images: tri(w.images), tier: w.tier ?? '', header: w.header ?? '',
    target: r?.adapter ? 'adapter' : 'model', to: r?.to ?? '', adapter: r?.adapter ?? '',
  }
}

/** What the form sends for one route: every condition, the unused target empty. */
export function routePayload(f: RouteForm): Route {
  return {
    name: f.name.trim(),
    when: {
      input_tokens_over: parseNumber(f.tokens) ?? 0, thinking: untri(f.thinking), web_search: untri(f.web_search),
      images: untri(f.images), tier: f.tier.trim(), header: f.header.trim(),
    },
    to: f.target === 'model' ? f.to : '',
    adapter: f.target === 'adapter' ? f.adapter : '',
  }
}

const hasCondition = (f: RouteForm) =>
  f.tokens.trim() !== '' || f.thinking !== 'any' || f.web_search !== 'any' || f.images !== 'any' || f.tier.trim() !== '' || f.header.trim() !== ''

/** Problems of the routes; fields are named "routes.<i>.<field>". */
export function validateRoutes(routes: RouteForm[], models: string[], adapters: string[], self: string): Problems {
  const out: Problems = {}
  const put = (k: string, p: Problem | undefined) => {
    if (p) out[k] = p
  }
  routes.forEach((f, i) => {
    const p = `routes.${i}.`
    put(p + 'when', hasCondition(f) ? undefined : { key: 'v.routeCondition' })
    put(p + 'tokens', checkNumber(f.tokens, { integer: true, min: 0 }))
    if (f.target === 'model') {
      put(p + 'to', !f.to ? { key: 'v.required' } : f.to === self.trim() ? { key: 'v.routeSelf' } : models.includes(f.to) ? undefined : { key: 'v.unknownModel' })
    } else {
      put(p + 'adapter', !f.adapter ? { key: 'v.required' } : adapters.includes(f.adapter) ? undefined : { key: 'v.routeAdapter' })
    }
  })
  return out
}

/** One line per route for the models list: "long: >50000 tokens → glm-5". */
export function routeSummary(r: Route): string {
  const w = r.when ?? {}
  const parts: string[] = []
  if (w.input_tokens_over) parts.push(`>${w.input_tokens_over} tokens`)
  for (const [k, v] of [['thinking', w.thinking], ['web_search', w.web_search], ['images', w.images]] as const) {
    if (v === true) parts.push(k)
    if (v === false) parts.push('no ' + k)
  }
  if (w.tier) parts.push(`tier ${w.tier}`)
  if (w.header) parts.push(`header ${w.header}`)
  const target = r.adapter ? `adapter ${r.adapter}` : (r.to ?? '')
  return `${r.name ? r.name + ': ' : ''}${parts.join(' + ')} → ${target}`
}
