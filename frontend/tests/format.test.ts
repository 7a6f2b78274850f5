import { describe, expect, it } from 'vitest'
import { fmtCost } from '../src/format'

describe('fmtCost', () => {
  it('shows no price, never 0, and marks a lower bound', () => {
    expect(fmtCost(null, 'USD', 0, 'no price')).toBe('no price')
    expect(fmtCost(undefined)).toBe('no price')
    expect(fmtCost(0.0123, 'USD')).toBe('$0.0123')
    expect(fmtCost(2.5, 'USD', 3)).toBe('≥ $2.50')
    expect(fmtCost(1, 'CNY')).toBe('¥1.00')
    expect(fmtCost(0.5, 'GBP')).toBe('0.5000 GBP')
    expect(fmtCost(0, 'USD')).toBe('$0.0000')
    expect(fmtCost(0.000001, 'USD')).toBe('$0.000001')
    expect(fmtCost(0.0000108, 'USD')).toBe('$0.000011')
    expect(fmtCost(0.00005, 'USD')).toBe('$0.00005')
  })
})
