import { describe, expect, it } from 'vitest'
import { budgetLines, budgetState, percentText, shareFromPercent, warningShare, worstState } from '../src/budget'

describe('budgets', () => {
  it('uses the key warning share, else 80 %', () => {
    expect(warningShare(0)).toBe(0.8)
    expect(warningShare(0.5)).toBe(0.5)
    expect(warningShare(2)).toBe(0.8)
  })
  it('is ok below the warning, warning past it, reached at the budget', () => {
    expect(budgetState(7.9, 10, 0)).toBe('ok')
    expect(budgetState(8, 10, 0)).toBe('warning')
    expect(budgetState(5, 10, 0.5)).toBe('warning')
    expect(budgetState(10, 10, 0)).toBe('reached')
    expect(budgetState(12, 10, 0.9)).toBe('reached')
    expect(budgetState(100, 0, 0)).toBe('ok')
  })
  it('lists only the budgets a key has, daily first', () => {
    expect(budgetLines({ daily_budget: 0, monthly_budget: 0 })).toEqual([])
    const lines = budgetLines({ daily_budget: 1, monthly_budget: 30, spent_today: 1.2, spent_month: 3, budget_warning: 0 })
    expect(lines.map((l) => [l.period, l.state])).toEqual([['day', 'reached'], ['month', 'ok']])
    expect(worstState(lines)).toBe('reached')
    expect(worstState(budgetLines({ monthly_budget: 10, spent_month: 9 }))).toBe('warning')
    expect(worstState([])).toBe('ok')
  })
  it('compares in nanos, so a share that is not exact in binary still warns', () => {
    expect(budgetState(0.000008, 0.00001, 0)).toBe('warning')
    expect(budgetState(0.0000108, 0.000001, 0)).toBe('reached')
    expect(budgetState(0.7, 1, 0.7)).toBe('warning')
  })
  it('turns the form percent into the share sent and back', () => {
    expect(shareFromPercent(80)).toBe(0.8)
    expect(shareFromPercent(33.3)).toBe(0.333)
    expect(shareFromPercent(undefined)).toBe(0)
    expect(percentText(0)).toBe('')
    expect(percentText(0.8)).toBe('80')
    expect(percentText(0.07)).toBe('7')
    expect(percentText(0.333)).toBe('33.3')
  })
})
