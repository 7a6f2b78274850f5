// The three upstream wire formats of the mock upstream (mock-upstream.mjs): each writer takes the protocol-neutral
// answer the script chose — {reasoning?, text?, call?, usage} — and sends it as that API would, whole (JSON) or
// streamed (SSE, flushed event by event):
//   chat(res, body, answer)       OpenAI Chat Completions: chat.completion / chat.completion.chunk + data: [DONE]
//   anthropic(res, body, answer)  Anthropic Messages: message / message_start … content_block_* … message_stop
//   responses(res, body, answer)  OpenAI Responses: response / response.created … response.completed, numbered
// The usage is what test assertions compare with: see USAGE in mock-upstream.mjs.

let serial = 0;
const next = () => ++serial;

// pieces splits a string into n parts (by code point) so every stream sends several deltas.
export function pieces(s, n = 3) {
  const cps = Array.from(s);
  const size = Math.max(1, Math.ceil(cps.length / n));
  const out = [];
  for (let i = 0; i < cps.length; i += size) out.push(cps.slice(i, i + size).join(''));
  return out;
}

function json(res, status, v) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(v));
}

function sse(res) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  // node:http does not buffer: each write is sent at once.
  return {
    data: (v) => res.write(`data: ${JSON.stringify(v)}\n\n`),
    event: (name, v) => res.write(`event: ${name}\ndata: ${JSON.stringify(v)}\n\n`),
    end: (tail = '') => res.end(tail),
  };
}

export function errorShape(protocol, status, message) {
  if (protocol === 'anthropic') return { type: 'error', error: { type: status === 401 ? 'authentication_error' : 'invalid_request_error', message } };
  return { error: { message, type: 'invalid_request_error', param: null, code: null } };
}

export function sendError(res, protocol, status, message) {
  json(res, status, errorShape(protocol, status, 'mock upstream: ' + message));
}

// --- OpenAI Chat Completions ---

export function chat(res, body, a) {
  const n = next();
  const id = `chatcmpl-mock${n}`;
  const created = Math.floor(Date.now() / 1000);
  const u = a.usage;
  const usage = { prompt_tokens: u.prompt_tokens, completion_tokens: u.completion_tokens,
    total_tokens: u.prompt_tokens + u.completion_tokens, prompt_tokens_details: { cached_tokens: u.cached_tokens, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: a.reasoning ? 5 : 0, audio_tokens: 0 } };
  const call = a.call && { id: a.call.chatID, type: 'function', function: { name: a.call.name, arguments: a.call.arguments } };
  const finish = call ? 'tool_calls' : 'stop';
  if (!body.stream) {
    const message = { role: 'assistant', content: a.text ?? null, refusal: null };
    if (a.reasoning) message.reasoning_content = a.reasoning;
    if (call) message.tool_calls = [call];
    return json(res, 200, { id, object: 'chat.completion', created, model: body.model,
      choices: [{ index: 0, message, logprobs: null, finish_reason: finish }], usage, system_fingerprint: 'fp_mock' });
  }
  const s = sse(res);
  const chunk = (delta, finish_reason = null) => s.data({ id, object: 'chat.completion.chunk', created, model: body.model,
    system_fingerprint: 'fp_mock', choices: [{ index: 0, delta, logprobs: null, finish_reason }] });
  chunk({ role: 'assistant', content: '', refusal: null });
  for (const p of a.reasoning ? pieces(a.reasoning) : []) chunk({ reasoning_content: p });
  for (const p of a.text ? pieces(a.text) : []) chunk({ content: p });
  if (call) {
    chunk({ tool_calls: [{ index: 0, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } }] });
    for (const p of pieces(call.function.arguments)) chunk({ tool_calls: [{ index: 0, function: { arguments: p } }] });
  }
  chunk({}, finish);
  if (body.stream_options?.include_usage) {
    s.data({ id, object: 'chat.completion.chunk', created, model: body.model, system_fingerprint: 'fp_mock', choices: [], usage });
  }
  s.end('data: [DONE]\n\n');
}

// --- Anthropic Messages ---

export function anthropic(res, body, a) {
  const id = `msg_mock${next()}`;
  const u = a.usage;
  const blocks = [];
  if (a.reasoning) blocks.push({ type: 'thinking', thinking: a.reasoning, signature: a.signature });
  if (a.text) blocks.push({ type: 'text', text: a.text });
  if (a.call) blocks.push({ type: 'tool_use', id: a.call.anthropicID, name: a.call.name, input: JSON.parse(a.call.arguments) });
  const stop = a.call ? 'tool_use' : 'end_turn';
  const usage = { input_tokens: u.input_tokens, cache_creation_input_tokens: 0, cache_read_input_tokens: u.cache_read_input_tokens,
    output_tokens: u.output_tokens, service_tier: 'standard' };
  if (!body.stream) {
    return json(res, 200, { id, type: 'message', role: 'assistant', model: body.model, content: blocks,
      stop_reason: stop, stop_sequence: null, usage });
  }
  const s = sse(res);
  const ev = (v) => s.event(v.type, v);
  ev({ type: 'message_start', message: { id, type: 'message', role: 'assistant', model: body.model, content: [],
    stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } } });
  ev({ type: 'ping' });
  blocks.forEach((b, index) => {
    if (b.type === 'thinking') {
      ev({ type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } });
      for (const p of pieces(b.thinking)) ev({ type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: p } });
      ev({ type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: b.signature } });
    } else if (b.type === 'text') {
      ev({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
      for (const p of pieces(b.text)) ev({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: p } });
    } else {
      ev({ type: 'content_block_start', index, content_block: { type: 'tool_use', id: b.id, name: b.name, input: {} } });
      for (const p of pieces(JSON.stringify(b.input))) ev({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: p } });
    }
    ev({ type: 'content_block_stop', index });
  });
  ev({ type: 'message_delta', delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: u.output_tokens } });
  ev({ type: 'message_stop' });
  s.end();
}

// --- OpenAI Responses ---

export function responses(res, body, a) {
  const n = next();
  const u = a.usage;
  const items = [];
  if (a.reasoning) {
    items.push({ id: `rs_mock${n}`, type: 'reasoning', summary: [{ type: 'summary_text', text: a.reasoning }],
      encrypted_content: a.encrypted });
  }
  if (a.text) {
    items.push({ id: `msg_mock${n}`, type: 'message', status: 'completed', role: 'assistant',
      content: [{ type: 'output_text', text: a.text, annotations: [], logprobs: [] }] });
  }
  if (a.call) {
    items.push({ id: `fc_mock${n}`, type: 'function_call', status: 'completed', arguments: a.call.arguments,
      call_id: a.call.responsesID, name: a.call.name });
  }
  const usage = { input_tokens: u.input_tokens, input_tokens_details: { cached_tokens: u.cached_tokens },
    output_tokens: u.output_tokens, output_tokens_details: { reasoning_tokens: a.reasoning ? 5 : 0 },
    total_tokens: u.input_tokens + u.output_tokens };
  const response = (status, output, withUsage) => ({
    id: `resp_mock${n}`, object: 'response', created_at: Math.floor(Date.now() / 1000), status, background: false,
    error: null, incomplete_details: null, instructions: body.instructions ?? null, max_output_tokens: body.max_output_tokens ?? null,
    model: body.model, output, parallel_tool_calls: true, previous_response_id: null,
    reasoning: { effort: body.reasoning?.effort ?? null, summary: body.reasoning?.summary ?? null },
    store: body.store ?? true, temperature: 1, text: { format: { type: 'text' }, verbosity: 'medium' },
    tool_choice: body.tool_choice ?? 'auto', tools: body.tools ?? [], top_p: 1, truncation: 'disabled',
    usage: withUsage ? usage : null, user: null, metadata: {},
  });
  if (!body.stream) return json(res, 200, response('completed', items, true));
  const s = sse(res);
  let seq = 0;
  const ev = (type, v) => s.event(type, { type, sequence_number: seq++, ...v });
  ev('response.created', { response: response('in_progress', [], false) });
  ev('response.in_progress', { response: response('in_progress', [], false) });
  items.forEach((it, output_index) => {
    const item_id = it.id;
    if (it.type === 'reasoning') {
      ev('response.output_item.added', { output_index, item: { ...it, summary: [] } });
      const text = it.summary[0].text;
      ev('response.reasoning_summary_part.added', { item_id, output_index, summary_index: 0, part: { type: 'summary_text', text: '' } });
      for (const p of pieces(text)) ev('response.reasoning_summary_text.delta', { item_id, output_index, summary_index: 0, delta: p });
      ev('response.reasoning_summary_text.done', { item_id, output_index, summary_index: 0, text });
      ev('response.reasoning_summary_part.done', { item_id, output_index, summary_index: 0, part: { type: 'summary_text', text } });
    } else if (it.type === 'message') {
      ev('response.output_item.added', { output_index, item: { ...it, status: 'in_progress', content: [] } });
      const text = it.content[0].text;
      const part = (t) => ({ type: 'output_text', text: t, annotations: [], logprobs: [] });
      ev('response.content_part.added', { item_id, output_index, content_index: 0, part: part('') });
      for (const p of pieces(text)) ev('response.output_text.delta', { item_id, output_index, content_index: 0, delta: p, logprobs: [] });
      ev('response.output_text.done', { item_id, output_index, content_index: 0, text, logprobs: [] });
      ev('response.content_part.done', { item_id, output_index, content_index: 0, part: part(text) });
    } else {
      ev('response.output_item.added', { output_index, item: { ...it, status: 'in_progress', arguments: '' } });
      for (const p of pieces(it.arguments)) ev('response.function_call_arguments.delta', { item_id, output_index, delta: p });
      ev('response.function_call_arguments.done', { item_id, output_index, name: it.name, arguments: it.arguments });
    }
    ev('response.output_item.done', { output_index, item: it });
  });
  ev('response.completed', { response: response('completed', items, true) });
  s.end();
}
