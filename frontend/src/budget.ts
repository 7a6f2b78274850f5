// Key budgets (issue 17): how far a key's spend is into its daily and monthly
// budgets, with the gateway's rules (gateway/auth/budget.go): a budget is
// reached when the spend is at or over it, and warns from its warning share
// on (0 = the default 0.8). Compared in nanos, as the gateway counts.
import type { ApiKey } from './types'

export type BudgetState = 'ok' | 'warning' | 'reached'
export type BudgetPeriod = 'day' | 'month'

export const DEFAULT_BUDGET_WARNING = 0.8

export interface BudgetLine {
  period: BudgetPeriod
  spent: number
  budget: number
  /** spent / budget (may pass 1) */
  share: number
  state: BudgetState
}

const nanos = (v: number) => Math.round(v * 1e9)

/** The warning share in force: the configured one, or the default when unset or out of range. */
export function warningShare(w: number | null | undefined): number {
  return typeof w === 'number' && Number.isFinite(w) && w > 0 && w <= 1 ? w : DEFAULT_BUDGET_WARNING
}

/** Where spent stands against budget; a budget of 0 (or less) is none and always ok. */
export function budgetState(spent: number | null | undefined, budget: number | null | undefined, warning?: number | null): BudgetState {
  const b = nanos(budget ?? 0)
  if (!(b > 0)) return 'ok'
  const s = nanos(spent ?? 0)
  if (s >= b) return 'reached'
  if (s >= warningShare(warning) * b) return 'warning'
  return 'ok'
}

/** The budgets a key has, daily first. */
export function budgetLines(k: Pick<ApiKey, 'daily_budget' | 'monthly_budget' | 'budget_warning' | 'spent_today' | 'spent_month'>): BudgetLine[] {
  const out: BudgetLine[] = []
  const add = (period: BudgetPeriod, budget: number | undefined, spent: number | undefined) => {
    if (!budget || budget <= 0) return
    const s = spent ?? 0
    out.push({ period, spent: s, budget, share: s / budget, state: budgetState(s, budget, k.budget_warning) })
  }
  add('day', k.daily_budget, k.spent_today)
  add('month', k.monthly_budget, k.spent_month)
  return out
}

/** The worst state of the lines ('ok' without any). */
export function worstState(lines: BudgetLine[]): BudgetState {
  if (lines.some((l) => l.state === 'reached')) return 'reached'
  if (lines.some((l) => l.state === 'warning')) return 'warning'
  return 'ok'
}

/** The form's percent text of a configured share: '' for 0 (the default), 0.8 → '80'. */
export function percentText(share: number | null | undefined): string {
  if (!share || !Number.isFinite(share)) return ''
  return String(Number((share * 100).toFixed(4)))
}

/** The share sent for a percent typed in the form: '' → 0 (the default), '80' → 0.8. */
export function shareFromPercent(pct: number | undefined): number {
  return pct === undefined || Number.isNaN(pct) ? 0 : Number((pct / 100).toFixed(6))
}
