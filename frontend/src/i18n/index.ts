// zh/en dictionaries (en.ts, zh.ts) and t(). The choice is kept in
// localStorage; the first visit follows the browser's language. Placeholders
// are {name}.
import { ref, computed } from 'vue'
import { en, type MessageKey } from './en'
import { zh } from './zh'

export type { MessageKey }

export type Lang = 'zh' | 'en'
export const dictionaries: Record<Lang, Record<MessageKey, string>> = { en, zh }

const LANG_STORAGE = 'modelswitch.lang'

function initialLang(): Lang {
  try {
    const stored = localStorage.getItem(LANG_STORAGE)
    if (stored === 'zh' || stored === 'en') return stored
  } catch {
    /* storage unavailable */
  }
  const nav = typeof navigator !== 'undefined' ? navigator.language : 'en'
  return nav.toLowerCase().startsWith('zh') ? 'zh' : 'en'
}

export const lang = ref<Lang>(initialLang())

export function setLang(l: Lang): void {
  lang.value = l
  try {
    localStorage.setItem(LANG_STORAGE, l)
  } catch {
    /* storage unavailable */
  }
  document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en'
}

export function translate(l: Lang, key: MessageKey | string, params?: Record<string, unknown>): string {
  const dict = dictionaries[l] as Record<string, string>
  let s = dict[key] ?? (en as Record<string, string>)[key] ?? key
  if (params) {
    s = s.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m))
  }
  return s
}

/** Translates in the current language (reactive inside templates and computeds). */
export function t(key: MessageKey, params?: Record<string, unknown>): string {
  return translate(lang.value, key, params)
}

export const isZh = computed(() => lang.value === 'zh')
