// Number and time formatting shared by the views.
import { lang } from './i18n'

export function fmtInt(n: number | null | undefined): string {
  if (n === null || n === undefined || Number.isNaN(n)) return '–'
  return new Intl.NumberFormat(lang.value === 'zh' ? 'zh-CN' : 'en-US').format(n)
}

/** 1234 → 1.2K, 2500000 → 2.5M. */
export function fmtCompact(n: number | null | undefined): string {
  if (n === null || n === undefined || Number.isNaN(n)) return '–'
  const a = Math.abs(n)
  if (a >= 1e9) return (n / 1e9).toFixed(1).replace(/\.0$/, '') + 'B'
  if (a >= 1e6) return (n / 1e6).toFixed(1).replace(/\.0$/, '') + 'M'
  if (a >= 1e3) return (n / 1e3).toFixed(1).replace(/\.0$/, '') + 'K'
  return String(n)
}

export function fmtMs(n: number | null | undefined): string {
  if (n === null || n === undefined || Number.isNaN(n)) return '–'
  if (n >= 10000) return (n / 1000).toFixed(1) + ' s'
  return Math.round(n) + ' ms'
}

export function fmtPct(n: number | null | undefined): string {
  if (n === null || n === undefined || Number.isNaN(n)) return '–'
  return (Math.round(n * 10) / 10).toFixed(1) + '%'
}

export function fmtTime(iso: string | null | undefined, withDate = true): string {
  if (!iso) return '–'
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  const loc = lang.value === 'zh' ? 'zh-CN' : 'en-GB'
  return withDate
    ? d.toLocaleString(loc, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false })
    : d.toLocaleTimeString(loc, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false })
}

export function prettyJSON(v: unknown): string {
  if (v === undefined) return ''
  if (typeof v === 'string') {
    try {
      return JSON.stringify(JSON.parse(v), null, 2)
    } catch {
      return v
    }
  }
  return JSON.stringify(v, null, 2)
}

export async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text)
      return true
    }
  } catch {
    /* fall back below */
  }
  try {
    const ta = document.createElement('textarea')
    ta.value = text
    ta.setAttribute('readonly', '')
    ta.style.position = 'fixed'
    ta.style.opacity = '0'
    document.body.appendChild(ta)
    ta.select()
    const ok = document.execCommand('copy')
    document.body.removeChild(ta)
    return ok
  } catch {
    return false
  }
}

/** A cost in currency: four decimals under one unit, two above, two significant digits below 0.0001
 *  (a single cheap request, a tiny budget); null is "no price", never 0. A lower bound (some requests
 *  had no price) is marked with ≥. */
export function fmtCost(cost: number | null | undefined, currency = 'USD', unpriced = 0, noPrice = 'no price'): string {
  if (cost === null || cost === undefined) return noPrice
  const sym: Record<string, string> = { USD: '$', CNY: '¥', EUR: '€' }
  const a = Math.abs(cost)
  const v =
    a >= 1 ? cost.toFixed(2)
    : a >= 0.0001 || a === 0 ? cost.toFixed(4)
    : cost.toFixed(Math.min(12, Math.ceil(-Math.log10(a)) + 1)).replace(/0+$/, '')
  const s = sym[currency] ? sym[currency] + v : `${v} ${currency}`
  return unpriced > 0 ? '≥ ' + s : s
}
