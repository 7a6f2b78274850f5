// A virtual model's routes (issue 18) as the Models tab edits them: the form
// shape, what it sends and the one-line summary shown under the model. The
// checks made before sending are validateRoutes in validate.ts; the server
// validates again.
import { t } from './i18n'
import { parseNumber } from './validate'

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

/** One line per route for the models list: "long: >50000 tokens → glm-5" (in the UI's language). */
export function routeSummary(r: Route): string {
  const w = r.when ?? {}
  const parts: string[] = []
  if (w.input_tokens_over) parts.push(t('route.sum.tokens', { n: w.input_tokens_over }))
  for (const [k, v] of [['thinking', w.thinking], ['web_search', w.web_search], ['images', w.images]] as const) {
    const what = t(`route.sum.${k}`)
    if (v === true) parts.push(what)
    if (v === false) parts.push(t('route.sum.not', { what }))
  }
  if (w.tier) parts.push(t('route.sum.tier', { v: w.tier }))
  if (w.header) parts.push(t('route.sum.header', { v: w.header }))
  const target = r.adapter ? t('route.sum.adapter', { v: r.adapter }) : (r.to ?? '')
  return `${r.name ? r.name + ': ' : ''}${parts.join(' + ')} → ${target}`
}
