// The scripted mock upstream of make test-sdk-node (build/sdk-node-e2e/run.sh): one node:http server on 127.0.0.1
// that speaks the three upstream protocols the gateway calls —
//   POST /v1/chat/completions  (provider: openai,    base_url …/v1)
//   POST /v1/messages          (provider: anthropic, base_url without /v1)
//   POST /v1/responses         (provider: responses, base_url …/v1)
// each whole (stream false) and streamed (SSE, in that API's own events; mock-protocols.mjs). What it answers
// depends on the request as a real model's answer would, read from the last user text and the tool results:
//   - a tool result in the history (Chat "tool" message, Anthropic tool_result, Responses function_call_output):
//     the final text toolText(protocol, output), which names the tool's output;
//   - tools offered and a user text asking about the weather: a call to get_weather with {"city":"Paris"};
//   - "what is my name?": "Your name is Ada." when an earlier user turn said "my name is Ada", else not;
//   - anything else: HELLO[protocol];
//   - a user text with "think" in it: reasoning first (Chat reasoning_content, an Anthropic thinking block with a
//     signature, a Responses reasoning item with a summary and ENCRYPTED as its encrypted_content).
// Every answer reports USAGE[protocol] (cached tokens included). A request the real API would refuse (no model,
// no max_tokens, roles out of order, a tool result without its call, no key, ...) gets a 400/401 in that
// protocol's error shape, so a conversion bug shows as a clear failure. Each request is recorded: {protocol,
// path, auth, headers, body, raw, rejected?}.
//
//   import { startMock } from './mock-upstream.mjs'    const m = await startMock(); m.port; m.requests; m.close()
//   node mock-upstream.mjs [--port-file F] [--log L]   serve standalone: print the port (and write it to F),
//                                                      append each request to L as one JSON line
import http from 'node:http';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as wire from './mock-protocols.mjs';

export const HELLO = {
  chat: 'Hello from the Chat Completions upstream — ok.',
  anthropic: 'Hello from the Anthropic Messages upstream — ok.',
  responses: 'Hello from the Responses upstream — ok.',
};
export const toolText = (protocol, output) => `The weather tool says: ${output} (${protocol} upstream).`;
export const REASONING = 'The user greets me; a short friendly answer will do.';
// An opaque blob as OpenAI sends it: base64 with +, / and = that a re-encoding would be likely to touch.
export const ENCRYPTED = 'gAAAAABo+mock/Zm9vYmFy+YmF6/cXV4PT0=' + Buffer.from('reasoning state \u00e9\u2014\u{1F600}').toString('base64');
export const SIGNATURE = 'EqQBCkYIBxgCKkBmock+signature/AAAA==';
// The call ids the mock issues, one per protocol; a tool result must come back under the same id.
export const CALL = { name: 'get_weather', arguments: '{"city":"Paris"}', chatID: 'call_mockchat_1',
  anthropicID: 'toolu_mock_01', responsesID: 'call_mockresp_1' };
// What each protocol reports, and what the gateway should show a Responses client (input includes cache reads).
export const USAGE = {
  chat: { prompt_tokens: 42, cached_tokens: 30, completion_tokens: 7 },
  anthropic: { input_tokens: 12, cache_read_input_tokens: 31, output_tokens: 8 },
  responses: { input_tokens: 44, cached_tokens: 32, output_tokens: 9 },
};
export const EXPECTED_USAGE = {
  chat: { input_tokens: 42, cached_tokens: 30, output_tokens: 7 },
  anthropic: { input_tokens: 43, cached_tokens: 31, output_tokens: 8 },
  responses: { input_tokens: 44, cached_tokens: 32, output_tokens: 9 },
};

class Refusal extends Error {
  constructor(status, message) { super(message); this.status = status; }
}
const refuse = (msg, status = 400) => { throw new Refusal(status, msg); };

// partsText joins the text of a content given as a string or as an array of text parts.
const partsText = (c) => typeof c === 'string' ? c
  : Array.isArray(c) ? c.map((p) => (typeof p?.text === 'string' ? p.text : '')).join('') : '';

// Each reader checks the request as that API would and returns a protocol-neutral view of it:
// {userTexts, results: [{id, output}], tools, wantsReasoning}.
function readChat(body) {
  if (!body.model) refuse('model is required');
  if (!Array.isArray(body.messages) || !body.messages.length) refuse('messages must be a non-empty array');
  const v = { userTexts: [], results: [], tools: body.tools ?? [], wantsReasoning: body.reasoning_effort != null };
  let open = new Set();
  body.messages.forEach((m, i) => {
    if (m.role === 'tool') {
      if (!open.has(m.tool_call_id)) refuse(`messages[${i}]: tool message for ${JSON.stringify(m.tool_call_id)} does not follow its tool call`);
      open.delete(m.tool_call_id);
      v.results.push({ id: m.tool_call_id, output: partsText(m.content) });
      return;
    }
    if (open.size) refuse(`messages[${i}]: the tool calls ${[...open]} have no tool message`);
    if (m.role === 'user') v.userTexts.push(partsText(m.content));
    if (m.role === 'assistant') open = new Set((m.tool_calls ?? []).map((c) => c.id));
  });
  for (const t of v.tools) if (t.type !== 'function' || !t.function?.name) refuse('tools: a function tool needs type and function.name');
  return v;
}

function readAnthropic(body, headers) {
  if (!headers['anthropic-version']) refuse('anthropic-version header is required');
  if (!body.model) refuse('model: Field required');
  if (!(body.max_tokens > 0)) refuse('max_tokens: Field required');
  if (!Array.isArray(body.messages) || !body.messages.length || body.messages[0].role !== 'user') {
    refuse('messages: the first message must use the user role');
  }
  const th = body.thinking;
  if (th?.type === 'enabled' && !(th.budget_tokens >= 1024 && th.budget_tokens < body.max_tokens)) {
    refuse(`thinking.budget_tokens must be >= 1024 and less than max_tokens (got ${th.budget_tokens}, max_tokens ${body.max_tokens})`);
  }
  const v = { userTexts: [], results: [], tools: body.tools ?? [], wantsReasoning: th?.type === 'enabled' || th?.type === 'adaptive' };
  let uses = new Set();
  body.messages.forEach((m, i) => {
    if (i > 0 && m.role === body.messages[i - 1].role) refuse(`messages.${i}: roles must alternate`);
    const blocks = typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content ?? [];
    const here = new Set();
    blocks.forEach((b, j) => {
      if (b.type === 'tool_use') here.add(b.id);
      if (b.type === 'tool_result') {
        if (m.role !== 'user' || !uses.has(b.tool_use_id)) {
          refuse(`messages.${i}.content.${j}: unexpected tool_use_id ${JSON.stringify(b.tool_use_id)} in tool_result`);
        }
        v.results.push({ id: b.tool_use_id, output: partsText(b.content) });
      }
    });
    if (m.role === 'user') {
      const text = blocks.filter((b) => b.type === 'text').map((b) => b.text).join('');
      if (text) v.userTexts.push(text);
    }
    uses = here;
  });
  for (const t of v.tools) if (!t.name || !t.input_schema) refuse('tools: a custom tool needs a name and an input_schema');
  return v;
}

function readResponses(body) {
  if (!body.model) refuse('model is required');
  if (body.previous_response_id) refuse(`Previous response with id '${body.previous_response_id}' not found.`);
  const v = { userTexts: [], results: [], tools: body.tools ?? [], wantsReasoning: body.reasoning != null };
  if (typeof body.input === 'string') v.userTexts.push(body.input);
  else if (Array.isArray(body.input)) {
    const calls = new Set();
    body.input.forEach((it, i) => {
      if (it.type === 'function_call') calls.add(it.call_id);
      else if (it.type === 'function_call_output') {
        if (!calls.has(it.call_id)) refuse(`input[${i}]: no function_call with call_id ${JSON.stringify(it.call_id)} before its output`);
        v.results.push({ id: it.call_id, output: partsText(it.output) });
      } else if ((it.type === 'message' || it.type === undefined) && it.role === 'user') {
        v.userTexts.push(partsText(it.content));
      }
    });
  } else refuse('input must be a string or an array of items');
  for (const t of v.tools) if (t.type === 'function' && !t.name) refuse('tools: a function tool needs a name');
  return v;
}

// answer is the script: what a model would say to that conversation.
function answer(protocol, v) {
  const last = v.userTexts.at(-1) ?? '';
  const a = { usage: USAGE[protocol], signature: SIGNATURE, encrypted: ENCRYPTED };
  if (/think/i.test(last)) a.reasoning = REASONING;
  if (v.results.length) a.text = toolText(protocol, v.results.map((r) => r.output).join('; '));
  else if (v.tools.length && /weather/i.test(last)) a.call = CALL;
  else if (/what is my name/i.test(last)) {
    a.text = v.userTexts.some((t) => /my name is Ada/i.test(t)) ? 'Your name is Ada.' : 'I do not know your name.';
  } else a.text = HELLO[protocol];
  return a;
}

const routes = {
  '/v1/chat/completions': { protocol: 'chat', read: readChat, write: wire.chat },
  '/v1/messages': { protocol: 'anthropic', read: readAnthropic, write: wire.anthropic },
  '/v1/responses': { protocol: 'responses', read: readResponses, write: wire.responses },
};
const keptHeaders = ['authorization', 'x-api-key', 'anthropic-version', 'content-type', 'accept', 'user-agent'];

export function startMock({ log } = {}) {
  const requests = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const path = req.url.split('?')[0];
      const route = req.method === 'POST' ? routes[path] : undefined;
      const headers = Object.fromEntries(keptHeaders.filter((h) => req.headers[h] !== undefined).map((h) => [h, req.headers[h]]));
      const rec = { protocol: route?.protocol, method: req.method, path, headers,
        auth: req.headers.authorization ?? req.headers['x-api-key'], raw, body: undefined };
      requests.push(rec);
      try {
        if (!route) {
          rec.rejected = `no route for ${req.method} ${path}`;
          return wire.sendError(res, 'chat', 404, rec.rejected);
        }
        if (!req.headers.authorization && !req.headers['x-api-key']) refuse('no API key', 401);
        try { rec.body = JSON.parse(raw); } catch (e) { refuse('the body is not JSON: ' + e.message); }
        const view = route.read(rec.body, req.headers);
        route.write(res, rec.body, answer(route.protocol, view));
      } catch (e) {
        if (!(e instanceof Refusal)) throw e;
        rec.rejected = e.message;
        wire.sendError(res, route.protocol, e.status, e.message);
      } finally {
        if (log) fs.appendFileSync(log, JSON.stringify(rec) + '\n');
      }
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({ port, url: `http://127.0.0.1:${port}`, requests,
        close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); }) });
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : undefined; };
  const m = await startMock({ log: arg('--log') });
  const pf = arg('--port-file');
  if (pf) { fs.writeFileSync(pf + '.tmp', String(m.port)); fs.renameSync(pf + '.tmp', pf); }
  console.log(m.port);
}
