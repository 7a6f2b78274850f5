import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router'
import { ensureSession, session } from './auth'
import { setUnauthorizedHandler } from './api'

export const TABS = ['providers', 'models', 'keys', 'usage', 'logs', 'conversations'] as const
export type Tab = (typeof TABS)[number]

const routes: RouteRecordRaw[] = [
  { path: '/', redirect: '/providers' },
  { path: '/login', name: 'login', component: () => import('./views/LoginView.vue'), meta: { public: true } },
  { path: '/providers', name: 'providers', component: () => import('./views/ProvidersView.vue') },
  { path: '/models', name: 'models', component: () => import('./views/ModelsView.vue') },
  { path: '/keys', name: 'keys', component: () => import('./views/KeysView.vue') },
  { path: '/usage', name: 'usage', component: () => import('./views/UsageView.vue') },
  { path: '/logs', name: 'logs', component: () => import('./views/LogsView.vue') },
  { path: '/conversations', name: 'conversations', component: () => import('./views/ConversationsView.vue') },
  { path: '/:pathMatch(.*)*', redirect: '/providers' },
]

// Hash history: the gateway and the desktop window serve only index.html.
export const router = createRouter({ history: createWebHashHistory(), routes })

router.beforeEach(async (to) => {
  if (to.meta.public) {
    if (to.name === 'login' && (session.state === 'in' || (session.state === 'unknown' && (await ensureSession())))) {
      const r = typeof to.query.redirect === 'string' && to.query.redirect.startsWith('/') ? to.query.redirect : '/providers'
      return r.startsWith('/login') ? '/providers' : r
    }
    return true
  }
  if (session.state === 'in') return true
  if (await ensureSession()) return true
  return { name: 'login', query: { redirect: to.fullPath } }
})

setUnauthorizedHandler(() => {
  session.state = 'out'
  session.who = null
  const cur = router.currentRoute.value
  if (cur.name !== 'login') void router.replace({ name: 'login', query: { redirect: cur.fullPath } })
})
