// Usage time ranges, computed in the browser's time zone and sent with it
// (tz): the gateway turns date_from/date_to into [from 00:00, to+1 00:00) in tz.

export type RangePreset = 'today' | 'yesterday' | 'week' | 'month' | 'custom'
export const RANGE_PRESETS: RangePreset[] = ['today', 'yesterday', 'week', 'month', 'custom']

export interface DateRange {
  from: string // YYYY-MM-DD, inclusive
  to: string // YYYY-MM-DD, inclusive
}

export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'
  } catch {
    return 'UTC'
  }
}

/** The calendar date (YYYY-MM-DD) of instant now in zone tz. */
export function dateInZone(now: Date, tz: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: tz,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(now)
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '00'
  return `${get('year')}-${get('month')}-${get('day')}`
}

function toUTCDate(ymd: string): Date {
  const [y, m, d] = ymd.split('-').map(Number)
  return new Date(Date.UTC(y, m - 1, d))
}

function fmt(d: Date): string {
  return d.toISOString().slice(0, 10)
}

/** ymd plus n calendar days. */
export function addDays(ymd: string, n: number): string {
  const d = toUTCDate(ymd)
  d.setUTCDate(d.getUTCDate() + n)
  return fmt(d)
}

/** The date range of a preset at instant now in zone tz; weeks start on Monday. */
export function presetRange(preset: Exclude<RangePreset, 'custom'>, now: Date, tz: string): DateRange {
  const today = dateInZone(now, tz)
  switch (preset) {
    case 'today':
      return { from: today, to: today }
    case 'yesterday': {
      const y = addDays(today, -1)
      return { from: y, to: y }
    }
    case 'week': {
      const dow = toUTCDate(today).getUTCDay() // 0 = Sunday
      const back = (dow + 6) % 7 // days since Monday
      return { from: addDays(today, -back), to: today }
    }
    case 'month':
      return { from: today.slice(0, 8) + '01', to: today }
  }
}

/** Days in the inclusive range. */
export function rangeDays(r: DateRange): number {
  return Math.round((toUTCDate(r.to).getTime() - toUTCDate(r.from).getTime()) / 86400000) + 1
}

/** The series interval that suits a range: hourly up to two days, else daily. */
export function intervalFor(r: DateRange): 'hour' | 'day' {
  return rangeDays(r) <= 2 ? 'hour' : 'day'
}

export function isYMD(s: unknown): s is string {
  return typeof s === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(toUTCDate(s).getTime())
}

/** The query parameters of a usage request for a range. */
export function rangeQuery(r: DateRange, tz: string): { date_from: string; date_to: string; tz: string } {
  return { date_from: r.from, date_to: r.to, tz }
}
