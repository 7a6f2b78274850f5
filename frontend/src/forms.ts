// Field errors of a form: the client-side Problems and the server's
// {"error":{"fields":[...]}} shown next to the field they name.
import { reactive, ref } from 'vue'
import { ApiError } from './api'
import { t } from './i18n'
import type { Problem, Problems } from './validate'

type Entry = Problem | { raw: string }

/** Maps a server field path onto a form field name, or undefined. */
export function matchField(path: string, known: string[], aliases: Record<string, string> = {}): string | undefined {
  const norm = path.replace(/\[(\d+)\]/g, '.$1').replace(/^\./, '')
  for (const [from, to] of Object.entries(aliases)) {
    if (norm === from || norm.endsWith('.' + from)) return to
  }
  // the longest known name the path ends with ("adapters.1.model_name" before "model_name")
  const hits = known.filter((k) => norm === k || norm.endsWith('.' + k)).sort((a, b) => b.length - a.length)
  return hits[0]
}

export function useFormErrors() {
  const errors = reactive<Record<string, Entry>>({})
  const general = ref<string[]>([])

  function clear() {
    for (const k of Object.keys(errors)) delete errors[k]
    general.value = []
  }

  /** Shows client problems; true when there are none. */
  function check(problems: Problems): boolean {
    clear()
    Object.assign(errors, problems)
    return Object.keys(problems).length === 0
  }

  /** Shows a server error: its fields in place, the rest above the form. */
  function fromServer(e: unknown, known: string[], aliases: Record<string, string> = {}) {
    clear()
    if (!(e instanceof ApiError)) {
      general.value = [e instanceof Error ? e.message : String(e)]
      return
    }
    const rest: string[] = []
    for (const f of e.fields) {
      const name = matchField(f.field, known, aliases)
      const msg = f.message + (f.line ? ` (line ${f.line})` : '')
      if (name && !errors[name]) errors[name] = { raw: msg }
      else rest.push((f.field ? f.field + ': ' : '') + msg)
    }
    if (rest.length || e.fields.length === 0) general.value = [e.message, ...rest]
  }

  function text(name: string): string | undefined {
    const e = errors[name]
    if (!e) return undefined
    return 'raw' in e ? e.raw : t(e.key, e.params)
  }

  /** Props for an n-form-item. */
  function item(name: string) {
    const msg = text(name)
    return msg ? { validationStatus: 'error' as const, feedback: msg } : { validationStatus: undefined, feedback: undefined }
  }

  const has = () => Object.keys(errors).length > 0 || general.value.length > 0

  return { errors, general, clear, check, fromServer, text, item, has }
}
