// A local mock of the upstream APIs the gateway calls: OpenAI
// (/v1/chat/completions, /v1/models) and Anthropic (/v1/messages), streaming
// and not. A model whose name starts with "fail" answers 500, so a chain
// falls over to its next adapter. With tools in the request (and no tool
// result yet) the answer is a call of the first tool.
import http from 'node:http'

const MODELS = ['mock-small', 'mock-large', 'claude-mock', 'fail-model']

function readBody(req) {
  return new Promise((resolve) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      try {
        resolve(text ? JSON.parse(text) : {})
      } catch {
        resolve({ __invalid: text })
      }
    })
  })
}

const json = (res, status, body) => {
  res.writeHead(status, { 'Content-Type': 'application/json' })
  res.end(JSON.stringify(body))
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

function lastIsToolResult(messages, protocol) {
  const last = messages?.[messages.length - 1]
  if (!last) return false
  if (protocol === 'openai') return last.role === 'tool'
  return Array.isArray(last.content) && last.content.some((b) => b?.type === 'tool_result')
}

function toolName(tools, protocol) {
  const t = tools?.[0]
  if (!t) return null
  return protocol === 'openai' ? (t.function?.name ?? t.name) : t.name
}

async function chat(req, res, body, log) {
  const model = String(body.model ?? '')
  log.push({ protocol: 'openai', model, stream: !!body.stream, tools: (body.tools ?? []).length })
  if (model.startsWith('fail')) return json(res, 500, { error: { message: `mock upstream failure for ${model}`, type: 'server_error' } })
  const tool = !lastIsToolResult(body.messages, 'openai') ? toolName(body.tools, 'openai') : null
  const text = tool ? '' : `Hello from the mock (${model}).`
  const id = 'chatcmpl-mock' + Date.now()
  const usage = { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19, prompt_tokens_details: { cached_tokens: 4 } }
  const toolCall = tool && { index: 0, id: 'call_mock_1', type: 'function', function: { name: tool, arguments: '{"city":"Paris"}' } }
  if (!body.stream) {
    return json(res, 200, {
      id, object: 'chat.completion', created: Math.floor(Date.now() / 1000), model,
      choices: [{ index: 0, finish_reason: tool ? 'tool_calls' : 'stop', message: { role: 'assistant', content: tool ? null : text, ...(tool ? { tool_calls: [{ ...toolCall, index: undefined }] } : {}) } }],
      usage,
    })
  }
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' })
  const send = (o) => res.write('data: ' + JSON.stringify({ id, object: 'chat.completion.chunk', created: 1, model, ...o }) + '\n\n')
  send({ choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] })
  await sleep(30)
  if (tool) {
    send({ choices: [{ index: 0, delta: { tool_calls: [{ ...toolCall, function: { name: tool, arguments: '' } }] }, finish_reason: null }] })
    send({ choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{"city":"Paris"}' } }] }, finish_reason: null }] })
  } else {
    for (const piece of text.match(/.{1,8}/g)) {
      send({ choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] })
      await sleep(10)
    }
  }
  send({ choices: [{ index: 0, delta: {}, finish_reason: tool ? 'tool_calls' : 'stop' }] })
  if (body.stream_options?.include_usage) send({ choices: [], usage })
  res.write('data: [DONE]\n\n')
  res.end()
}

async function messages(req, res, body, log) {
  const model = String(body.model ?? '')
  log.push({ protocol: 'anthropic', model, stream: !!body.stream, tools: (body.tools ?? []).length })
  if (model.startsWith('fail')) return json(res, 500, { type: 'error', error: { type: 'api_error', message: `mock upstream failure for ${model}` } })
  const tool = !lastIsToolResult(body.messages, 'anthropic') ? toolName(body.tools, 'anthropic') : null
  const thinking = body.thinking?.type === 'enabled' ? 'The user wants a short answer; a greeting will do.' : ''
  const text = tool ? '' : `Hello from the mock (${model}).`
  const usage = { input_tokens: 15, output_tokens: 9, cache_read_input_tokens: 5, cache_creation_input_tokens: 3 }
  const content = []
  if (thinking) content.push({ type: 'thinking', thinking, signature: 'sig-mock' })
  if (text) content.push({ type: 'text', text })
  if (tool) content.push({ type: 'tool_use', id: 'toolu_mock_1', name: tool, input: { city: 'Paris' } })
  const msg = { id: 'msg_mock' + Date.now(), type: 'message', role: 'assistant', model, content, stop_reason: tool ? 'tool_use' : 'end_turn', stop_sequence: null, usage }
  if (!body.stream) return json(res, 200, msg)
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' })
  const ev = (type, data) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`)
  ev('message_start', { message: { ...msg, content: [], stop_reason: null, usage: { ...usage, output_tokens: 1 } } })
  await sleep(30)
  let i = 0
  if (thinking) {
    ev('content_block_start', { index: i, content_block: { type: 'thinking', thinking: '' } })
    ev('content_block_delta', { index: i, delta: { type: 'thinking_delta', thinking } })
    ev('content_block_delta', { index: i, delta: { type: 'signature_delta', signature: 'sig-mock' } })
    ev('content_block_stop', { index: i++ })
  }
  if (text) {
    ev('content_block_start', { index: i, content_block: { type: 'text', text: '' } })
    for (const piece of text.match(/.{1,8}/g)) {
      ev('content_block_delta', { index: i, delta: { type: 'text_delta', text: piece } })
      await sleep(10)
    }
    ev('content_block_stop', { index: i++ })
  }
  if (tool) {
    ev('content_block_start', { index: i, content_block: { type: 'tool_use', id: 'toolu_mock_1', name: tool, input: {} } })
    ev('content_block_delta', { index: i, delta: { type: 'input_json_delta', partial_json: '{"city":"Paris"}' } })
    ev('content_block_stop', { index: i++ })
  }
  ev('message_delta', { delta: { stop_reason: tool ? 'tool_use' : 'end_turn', stop_sequence: null }, usage: { output_tokens: usage.output_tokens } })
  ev('message_stop', {})
  res.end()
}

/** Starts the mock on 127.0.0.1 and a free port; resolves { url, port, log, close }. */
export function startMockUpstream() {
  const log = []
  const server = http.createServer(async (req, res) => {
    const path = new URL(req.url, 'http://x').pathname
    try {
      if (req.method === 'GET' && (path === '/v1/models' || path === '/models')) {
        return json(res, 200, { object: 'list', data: MODELS.map((id) => ({ id, object: 'model', created: 0, owned_by: 'mock' })) })
      }
      if (req.method === 'POST' && (path === '/v1/chat/completions' || path === '/chat/completions')) return chat(req, res, await readBody(req), log)
      if (req.method === 'POST' && path === '/v1/messages') return messages(req, res, await readBody(req), log)
      if (req.method === 'POST' && path === '/v1/messages/count_tokens') return json(res, 200, { input_tokens: 10 })
      json(res, 404, { error: { message: `mock: no route ${req.method} ${path}` } })
    } catch (e) {
      json(res, 500, { error: { message: String(e) } })
    }
  })
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      resolve({
        port,
        url: `http://127.0.0.1:${port}`,
        log,
        close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()) }),
      })
    })
  })
}
