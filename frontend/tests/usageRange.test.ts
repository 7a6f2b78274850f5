import { describe, expect, it } from 'vitest'
import { addDays, dateInZone, intervalFor, presetRange, rangeDays, rangeQuery } from '../src/usageRange'

describe('usage ranges', () => {
  // 2024-05-01 20:30 UTC is already 2024-05-02 04:30 in Shanghai (UTC+8).
  const evening = new Date('2024-05-01T20:30:00Z')

  it('"today" is the calendar day of the browser zone', () => {
    expect(presetRange('today', evening, 'UTC')).toEqual({ from: '2024-05-01', to: '2024-05-01' })
    expect(presetRange('today', evening, 'Asia/Shanghai')).toEqual({ from: '2024-05-02', to: '2024-05-02' })
  })

  it('the day changes at local midnight, not at UTC midnight', () => {
    // 15:59:59 UTC = 23:59:59 in Shanghai; one second later it is the next day there.
    expect(dateInZone(new Date('2024-05-01T15:59:59Z'), 'Asia/Shanghai')).toBe('2024-05-01')
    expect(dateInZone(new Date('2024-05-01T16:00:00Z'), 'Asia/Shanghai')).toBe('2024-05-02')
    expect(dateInZone(new Date('2024-05-01T16:00:00Z'), 'UTC')).toBe('2024-05-01')
    expect(dateInZone(new Date('2024-05-02T00:00:00Z'), 'UTC')).toBe('2024-05-02')
    // west of UTC: 03:00 UTC is still the previous evening in New York
    expect(dateInZone(new Date('2024-05-02T03:00:00Z'), 'America/New_York')).toBe('2024-05-01')
  })

  it('"yesterday" crosses month and year boundaries', () => {
    expect(presetRange('yesterday', evening, 'Asia/Shanghai')).toEqual({ from: '2024-05-01', to: '2024-05-01' })
    expect(presetRange('yesterday', new Date('2024-01-01T01:00:00Z'), 'UTC')).toEqual({ from: '2023-12-31', to: '2023-12-31' })
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29')
  })

  it('"this week" starts on Monday', () => {
    // 2024-05-02 is a Thursday (Shanghai), 2024-05-01 a Wednesday (UTC)
    expect(presetRange('week', evening, 'Asia/Shanghai')).toEqual({ from: '2024-04-29', to: '2024-05-02' })
    expect(presetRange('week', evening, 'UTC')).toEqual({ from: '2024-04-29', to: '2024-05-01' })
    // on a Sunday the week began six days ago; on a Monday it is today
    expect(presetRange('week', new Date('2024-05-05T12:00:00Z'), 'UTC')).toEqual({ from: '2024-04-29', to: '2024-05-05' })
    expect(presetRange('week', new Date('2024-05-06T12:00:00Z'), 'UTC')).toEqual({ from: '2024-05-06', to: '2024-05-06' })
  })

  it('"this month" starts on the first in the zone', () => {
    const lastEveningOfApril = new Date('2024-04-30T18:00:00Z') // already May 1st in Shanghai
    expect(presetRange('month', lastEveningOfApril, 'UTC')).toEqual({ from: '2024-04-01', to: '2024-04-30' })
    expect(presetRange('month', lastEveningOfApril, 'Asia/Shanghai')).toEqual({ from: '2024-05-01', to: '2024-05-01' })
  })

  it('sends the zone with the dates and picks an interval', () => {
    const r = presetRange('today', evening, 'Asia/Shanghai')
    expect(rangeQuery(r, 'Asia/Shanghai')).toEqual({ date_from: '2024-05-02', date_to: '2024-05-02', tz: 'Asia/Shanghai' })
    expect(rangeDays({ from: '2024-04-29', to: '2024-05-02' })).toBe(4)
    expect(intervalFor({ from: '2024-05-02', to: '2024-05-02' })).toBe('hour')
    expect(intervalFor({ from: '2024-04-01', to: '2024-05-02' })).toBe('day')
  })
})
