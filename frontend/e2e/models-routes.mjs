// Browser steps for a model's balance, weights, aliases and routes (issue 18),
// run by run.mjs after the DeepSeek preset made deepseek-flash: the e2e-chain
// model saved unchanged leaves config.yaml byte for byte; then balanced by
// weight, given an alias and a Haiku-tier route to deepseek-flash, checked in
// the list, the API and the file; then a request by a Haiku model name goes
// that way and its conversation says so.
import { readFileSync } from 'node:fs'

/**
 * @param {object} e  run.mjs's helpers: step, page, T, pick, expectText, shot,
 *   shots (SCREENSHOTS=1), base, gw, send, sleep, adminKey
 */
export async function modelRoutesSteps(e) {
  const { step, page, T, pick, expectText, shot, shots, base, gw, send, sleep, adminKey } = e
  const api = async (path) => {
    const r = await fetch(gw.url + path, { headers: { Authorization: 'Bearer ' + adminKey } })
    if (!r.ok) throw new Error(`GET ${path}: HTTP ${r.status}`)
    return r.json()
  }
  const closed = () => page.waitForFunction(() => !document.querySelector('[data-test="model-form"]'))

  await step('a model saved unchanged leaves config.yaml as it was', async () => {
    await page.goto(base + '/#/models')
    const before = readFileSync(gw.configPath, 'utf8')
    await T('edit-e2e-chain').click()
    await T('mf-balance').waitFor()
    await T('mf-save').click()
    await closed()
    await sleep(300)
    const after = readFileSync(gw.configPath, 'utf8')
    if (after !== before) throw new Error('an unchanged save rewrote config.yaml:\n' + after)
  })

  await step('balance a chain and route its Haiku-tier requests in the Models tab', async () => {
    await page.goto(base + '/#/models')
    await T('edit-e2e-chain').click()
    await pick('mf-balance', 'By weight')
    await T('mf-affinity').waitFor() // shown once balanced
    await T('mf-weight-0').fill('3')
    await T('mf-window-1').fill('200000')
    await T('mf-aliases').fill('claude-*haiku*')
    await T('mf-route-add').click()
    await T('rt-name-0').fill('background')
    await T('rt-tier-0').fill('haiku')
    await pick('rt-to-0', 'deepseek-flash')
    await T('mf-route-add').click() // a route without a condition is refused before it is sent
    await pick('rt-to-1', 'deepseek-flash')
    await T('mf-save').click()
    await expectText('A route needs at least one condition', T('rt-when-error-1'))
    await T('rt-when-error-1').scrollIntoViewIfNeeded()
    await shot('model-form-routes')
    await T('rt-remove-1').click()
    await T('mf-save').click()
    await closed()
    await expectText('background: tier haiku → deepseek-flash', T('routes-e2e-chain'))
    await expectText('By weight', T('balance-e2e-chain'))
    await expectText('claude-*haiku*', T('aliases-e2e-chain'))
    await shot('en-models-routes')
    const m = (await api('/api/config/models')).find((x) => x.name === 'e2e-chain')
    const r = m?.routes?.[0]
    if (m?.balance !== 'weighted' || m.affinity !== true || m.adapters[0].weight !== 3 || m.adapters[1].context_window !== 200000 ||
      m.routes.length !== 1 || r.name !== 'background' || r.to !== 'deepseek-flash' || r.adapter || r.when.tier !== 'haiku' ||
      r.when.input_tokens_over || r.when.thinking !== null || r.when.header) {
      throw new Error('the API does not show what the form saved: ' + JSON.stringify(m))
    }
    const file = readFileSync(gw.configPath, 'utf8')
    for (const want of ['balance: weighted', 'weight: 3', 'context_window: 200000', 'name: background', 'tier: haiku', 'to: deepseek-flash']) {
      if (!file.includes(want)) throw new Error(`config.yaml lacks "${want}":\n${file}`)
    }
    if (/affinity:/.test(file)) throw new Error('affinity on (the default) was written to config.yaml')
    if (shots) {
      // the form as it opens on a balanced, routed model, in both languages
      for (const lang of ['zh', 'en']) {
        await T(`lang-${lang}`).click()
        await T('edit-e2e-chain').click()
        await T('mf-routes').waitFor()
        await shot(`${lang}-model-form-balance-routes`)
        await page.keyboard.press('Escape')
        await closed()
      }
    }
  })

  await step('a request by a Haiku model name takes the alias and the route; its conversation says so', async () => {
    const r = await send(gw.url, adminKey, '/v1/messages', {
      model: 'claude-haiku-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'a background task' }],
    })
    if (r.status !== 200) throw new Error(`HTTP ${r.status} ${r.text.slice(0, 300)}`)
    if (!r.requestId) throw new Error('no X-Request-ID on the answer')
    // the record is readable once the conversation writer has indexed it
    let rec
    const end = Date.now() + 15000
    while (!(rec = await api('/api/conversations/' + encodeURIComponent(r.requestId)).catch(() => null))) {
      if (Date.now() > end) throw new Error('conversation ' + r.requestId + ' was not recorded')
      await sleep(300)
    }
    if (rec.requested_model !== 'claude-haiku-4-5' || rec.route !== 'alias claude-*haiku*; route background' || rec.provider !== 'deepseek') {
      throw new Error('the record does not name the alias and route: ' + JSON.stringify({ model: rec.model, requested_model: rec.requested_model, route: rec.route, provider: rec.provider }))
    }
    await page.goto(base + '/#/conversations?id=' + encodeURIComponent(r.requestId))
    await T('conv-route').waitFor()
    await expectText('asked for claude-haiku-4-5', T('conv-route'))
    await expectText('alias claude-*haiku*; route background', T('conv-route'))
    await expectText('deepseek', T('conv-detail'))
    await shot('en-conversation-route')
    await page.keyboard.press('Escape')
  }, true)
}
