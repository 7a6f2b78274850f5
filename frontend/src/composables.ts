import { reactive, watch, onBeforeUnmount, ref, type Ref } from 'vue'
import { useRoute, useRouter, type LocationQuery } from 'vue-router'

/**
 * A tab's filters kept in the URL query (/#/usage?group_by=model&range=today),
 * so a reload or a shared link lands in the same place. Values equal to their
 * default are left out of the URL.
 */
export function useQueryState<T extends Record<string, string>>(defaults: T): T {
  const route = useRoute()
  const router = useRouter()
  const state = reactive({ ...defaults }) as T
  const fromQuery = (q: LocationQuery) => {
    for (const k of Object.keys(defaults) as (keyof T & string)[]) {
      const v = q[k]
      const s = (Array.isArray(v) ? v[0] : v) ?? defaults[k]
      if (state[k] !== s) (state as Record<string, string>)[k] = s ?? ''
    }
  }
  fromQuery(route.query)
  const name = route.name
  watch(
    () => route.query,
    (q) => {
      if (route.name === name) fromQuery(q)
    },
  )
  watch(
    () => ({ ...state }),
    (s) => {
      if (route.name !== name) return
      const query: Record<string, string> = {}
      for (const [k, v] of Object.entries(route.query)) if (!(k in defaults) && typeof v === 'string') query[k] = v
      for (const [k, v] of Object.entries(s)) if (v !== defaults[k] && v !== '') query[k] = v
      const same =
        Object.keys(query).length === Object.keys(route.query).length &&
        Object.entries(query).every(([k, v]) => route.query[k] === v)
      if (!same) void router.replace({ query })
    },
  )
  return state
}

/** Runs fn every ms while the page is visible; stops when the component goes. */
export function usePolling(fn: () => unknown, ms: number): void {
  const tick = () => {
    if (document.visibilityState === 'visible') void fn()
  }
  const id = window.setInterval(tick, ms)
  onBeforeUnmount(() => window.clearInterval(id))
}

/** Debounces a ref: the returned ref follows src after ms of quiet. */
export function debounced<T>(src: Ref<T>, ms: number): Ref<T> {
  const out = ref(src.value) as Ref<T>
  let h: number | undefined
  watch(src, (v) => {
    window.clearTimeout(h)
    h = window.setTimeout(() => (out.value = v), ms)
  })
  return out
}
