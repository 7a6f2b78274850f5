import { describe, expect, it } from 'vitest'
import { dictionaries, translate, setLang, lang, t } from '../src/i18n'

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()

describe('i18n', () => {
  it('zh and en have the same keys, none empty', () => {
    const en = Object.keys(dictionaries.en).sort()
    const zh = Object.keys(dictionaries.zh).sort()
    expect(zh).toEqual(en)
    for (const l of ['en', 'zh'] as const) {
      for (const [k, v] of Object.entries(dictionaries[l])) expect(v.trim(), `${l}:${k}`).not.toBe('')
    }
  })

  it('both languages use the same placeholders', () => {
    for (const k of Object.keys(dictionaries.en) as (keyof typeof dictionaries.en)[]) {
      expect(placeholders(dictionaries.zh[k]), k).toEqual(placeholders(dictionaries.en[k]))
    }
  })

  it('the Chinese dictionary is translated', () => {
    const same = Object.keys(dictionaries.en).filter(
      (k) => dictionaries.zh[k as keyof typeof dictionaries.en] === dictionaries.en[k as keyof typeof dictionaries.en],
    )
    // brand names, protocol names and pure placeholders may stay as they are
    expect(same.length).toBeLessThan(12)
  })

  it('fills placeholders and switches language, remembering the choice', () => {
    expect(translate('en', 'common.confirmDelete', { name: 'x' })).toBe('Delete x?')
    setLang('zh')
    expect(lang.value).toBe('zh')
    expect(t('tab.usage')).toBe('用量统计')
    expect(localStorage.getItem('modelswitch.lang')).toBe('zh')
    setLang('en')
    expect(t('tab.usage')).toBe('Usage')
    expect(translate('en', 'no.such.key')).toBe('no.such.key')
  })
})
