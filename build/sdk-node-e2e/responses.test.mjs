// make test-sdk-node: the official Node OpenAI SDK's Responses client (client.responses.create, whole and
// stream: true, and the client.responses.stream helper, which rebuilds the response from the events and throws on
// ids that do not match) against the real gateway binary, on one scripted mock upstream (mock-upstream.mjs) that
// serves the three upstream protocols. For each virtual model — node-chat (provider: openai), node-anth (provider:
// anthropic), node-resp (provider: responses) — a text answer with usage, a tool round trip with the result sent
// back as input (store: false), and reasoning with its summary (and, pass-through, its encrypted_content
// unchanged), each in the three ways of calling; then previous_response_id on stored responses and an unknown
// model's 404. The checks on a stream are in harness.mjs (checkStream).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { CALL, ENCRYPTED, EXPECTED_USAGE, HELLO, REASONING, startMock, toolText } from './mock-upstream.mjs';
import { checkStream, messageText, startGateway } from './harness.mjs';

const KEY = 'sk-sdk-node-e2e-1';
const MODELS = [
  { model: 'node-chat', protocol: 'chat', path: '/v1/chat/completions', upstreamModel: 'glm-upstream-node',
    header: 'authorization', key: 'Bearer upstream-secret-openai' },
  { model: 'node-anth', protocol: 'anthropic', path: '/v1/messages', upstreamModel: 'claude-upstream-node',
    header: 'x-api-key', key: 'upstream-secret-anthropic' },
  { model: 'node-resp', protocol: 'responses', path: '/v1/responses', upstreamModel: 'gpt-upstream-node',
    header: 'authorization', key: 'Bearer upstream-secret-responses' },
];
const MODES = ['whole', 'stream', 'helper'];
const WEATHER_TOOL = { type: 'function', name: 'get_weather', description: 'The current weather in a city.', strict: true,
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false } };

let mock, gw, client, failed = false;

before(async () => {
  mock = await startMock();
  const up = mock.url;
  gw = await startGateway((port) => `gateway: {host: 127.0.0.1, port: ${port}}
providers:
  - {name: up-openai, provider: openai, base_url: "${up}/v1", api_key: upstream-secret-openai}
  - {name: up-anthropic, provider: anthropic, base_url: "${up}", api_key: upstream-secret-anthropic}
  - {name: up-responses, provider: responses, base_url: "${up}/v1", api_key: upstream-secret-responses}
models:
${MODELS.map((m) => `  ${m.model}: {adapters: [{adapter: up-${{ chat: 'openai', anthropic: 'anthropic', responses: 'responses' }[m.protocol]}, model_name: ${m.upstreamModel}}]}`).join('\n')}
api_keys:
  - {key: ${KEY}, name: sdk-node}
`);
  client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: KEY, maxRetries: 0, timeout: 20_000 });
});

after(async () => {
  if (failed && gw) {
    console.log(`--- gateway log (tail)\n${gw.logTail()}\n--- upstream requests`);
    for (const r of mock?.requests ?? []) console.log(`${r.path} ${r.rejected ? 'REJECTED ' + r.rejected + ' ' : ''}${r.raw.slice(0, 400)}`);
  }
  await gw?.stop();
  await mock?.close();
});

// it is node:test's test, noting a failure so that after() shows the gateway's log.
const it = (name, fn) => test(name, async (t) => {
  try { await fn(t); } catch (e) { failed = true; throw e; }
});

// turn sends one request in one of the three ways and returns {r: the final response, info: checkStream's
// findings (streams only)}. The SDK's own output_text must agree with the items.
async function turn(mode, params) {
  if (mode === 'whole') {
    const r = await client.responses.create(params);
    assert.equal(r.output_text, messageText(r), 'the SDK output_text');
    return { r };
  }
  const events = [];
  if (mode === 'stream') {
    const s = await client.responses.create({ ...params, stream: true });
    for await (const ev of s) events.push(ev);
    const info = checkStream(events);
    return { r: info.final, info };
  }
  const s = client.responses.stream(params);
  for await (const ev of s) events.push(ev);
  const r = await s.finalResponse();
  const info = checkStream(events);
  assert.equal(r.id, info.final.id);
  assert.equal(r.output_text, messageText(info.final), 'finalResponse().output_text');
  // finalResponse() adds parsed / parsed_arguments; everything else is response.completed's.
  const strip = (v) => JSON.parse(JSON.stringify(v, (k, x) => (k === 'parsed' || k === 'parsed_arguments' ? undefined : x)));
  assert.deepEqual(strip(r.output), info.final.output, 'finalResponse().output vs response.completed');
  return { r, info };
}

// upstream returns the requests the mock got since mark, checking there are n of them, each for the model's
// protocol path, with the provider's key and the upstream model name, accepted, and streamed iff the client was.
function upstream(m, mark, n, mode) {
  const reqs = mock.requests.slice(mark);
  assert.equal(reqs.length, n, `the upstream got ${reqs.length} requests, want ${n}: ${reqs.map((r) => r.path)}`);
  for (const r of reqs) {
    assert.equal(r.rejected, undefined, `the upstream refused the gateway's request ${r.raw}`);
    assert.equal(r.path, m.path);
    assert.equal(r.headers[m.header], m.key, `the upstream's ${m.header}`);
    assert.equal(r.body.model, m.upstreamModel);
    if (mode) assert.equal(r.body.stream === true, mode !== 'whole', `upstream stream flag ${r.body.stream} for a ${mode} request`);
  }
  return reqs.map((r) => r.body);
}

function assertUsage(m, r) {
  const want = EXPECTED_USAGE[m.protocol];
  const u = r.usage;
  assert.ok(u, `no usage in ${JSON.stringify(r)}`);
  assert.deepEqual({ input_tokens: u.input_tokens, cached_tokens: u.input_tokens_details?.cached_tokens, output_tokens: u.output_tokens },
    want, `usage ${JSON.stringify(u)}`);
  assert.equal(u.total_tokens, want.input_tokens + want.output_tokens, `total_tokens in ${JSON.stringify(u)}`);
}

const text = (c) => (typeof c === 'string' ? c : (c ?? []).map((p) => p.text ?? '').join(''));

// assertToolRoundTrip checks, in the upstream's own protocol, that the second request carries the call the
// upstream made (its id, name and arguments) and the tool's output under the same id.
function assertToolRoundTrip(m, first, second) {
  const args = { city: 'Paris' };
  if (m.protocol === 'chat') {
    assert.equal(first.tools?.[0]?.function?.name, 'get_weather', `tools sent ${JSON.stringify(first.tools)}`);
    assert.deepEqual(first.tools[0].function.parameters.properties, WEATHER_TOOL.parameters.properties);
    const [asst, tool] = second.messages.slice(-2);
    assert.equal(asst.role, 'assistant', JSON.stringify(second.messages));
    assert.equal(asst.tool_calls?.[0]?.id, CALL.chatID, JSON.stringify(asst));
    assert.equal(asst.tool_calls[0].function.name, 'get_weather');
    assert.deepEqual(JSON.parse(asst.tool_calls[0].function.arguments), args);
    assert.deepEqual([tool.role, tool.tool_call_id, text(tool.content)], ['tool', CALL.chatID, 'sunny'], JSON.stringify(tool));
  } else if (m.protocol === 'anthropic') {
    assert.equal(first.tools?.[0]?.name, 'get_weather', `tools sent ${JSON.stringify(first.tools)}`);
    assert.deepEqual(first.tools[0].input_schema.properties, WEATHER_TOOL.parameters.properties);
    const [asst, user] = second.messages.slice(-2);
    const use = asst.content.find?.((b) => b.type === 'tool_use');
    assert.ok(asst.role === 'assistant' && use, JSON.stringify(second.messages));
    assert.deepEqual([use.id, use.name, use.input], [CALL.anthropicID, 'get_weather', args]);
    const res = user.content.find?.((b) => b.type === 'tool_result');
    assert.ok(user.role === 'user' && res, JSON.stringify(user));
    assert.deepEqual([res.tool_use_id, text(res.content)], [CALL.anthropicID, 'sunny']);
  } else {
    assert.equal(first.tools?.[0]?.name, 'get_weather', `tools sent ${JSON.stringify(first.tools)}`);
    assert.equal(second.store, false, 'store: false not passed on');
    const call = second.input.find((it) => it.type === 'function_call');
    const out = second.input.find((it) => it.type === 'function_call_output');
    assert.deepEqual([call?.call_id, call?.name, call?.arguments], [CALL.responsesID, 'get_weather', CALL.arguments], JSON.stringify(second.input));
    assert.deepEqual([out?.call_id, text(out?.output)], [CALL.responsesID, 'sunny'], JSON.stringify(second.input));
  }
}

function assertReasoningAsked(m, body) {
  if (m.protocol === 'chat') assert.equal(body.reasoning_effort, 'medium', `reasoning_effort in ${JSON.stringify(body)}`);
  else if (m.protocol === 'anthropic') assert.ok(['enabled', 'adaptive'].includes(body.thinking?.type), `thinking in ${JSON.stringify(body)}`);
  else assert.deepEqual(body.reasoning, { effort: 'medium', summary: 'auto' });
}

for (const m of MODELS) {
  describe(`${m.model} (provider ${m.protocol})`, () => {
    for (const mode of MODES) {
      it(`text, ${mode}`, async () => {
        const mark = mock.requests.length;
        const { r, info } = await turn(mode, { model: m.model, input: 'hello' });
        assert.equal(messageText(r), HELLO[m.protocol]);
        assert.equal(r.status, 'completed');
        assert.match(r.id, /^resp_/);
        assert.ok([m.model, m.upstreamModel].includes(r.model), `the response names model ${r.model}`);
        if (info) assert.equal(info.text, HELLO[m.protocol], 'the text deltas');
        assertUsage(m, r);
        const [body] = upstream(m, mark, 1, mode);
        assert.equal(text(body.input ?? body.messages.at(-1).content), 'hello');
      });

      it(`tool round trip, ${mode}`, async () => {
        const mark = mock.requests.length;
        const input = [{ role: 'user', content: 'What is the weather in Paris?' }];
        const first = await turn(mode, { model: m.model, input, tools: [WEATHER_TOOL], store: false });
        const calls = first.r.output.filter((it) => it.type === 'function_call');
        assert.equal(calls.length, 1, `output ${JSON.stringify(first.r.output)}`);
        const [call] = calls;
        assert.equal(call.name, 'get_weather');
        assert.equal(call.arguments, CALL.arguments);
        assert.ok(call.call_id && call.id, `call_id ${call.call_id}, id ${call.id}`);
        if (first.info) assert.equal(first.info.args, CALL.arguments, 'the argument deltas');
        assertUsage(m, first.r);
        const second = await turn(mode, { model: m.model, tools: [WEATHER_TOOL], store: false,
          input: [...input, call, { type: 'function_call_output', call_id: call.call_id, output: 'sunny' }] });
        assert.equal(messageText(second.r), toolText(m.protocol, 'sunny'));
        assert.ok(!second.r.output.some((it) => it.type === 'function_call'), 'a second call');
        const [b1, b2] = upstream(m, mark, 2, mode);
        assertToolRoundTrip(m, b1, b2);
      });

      it(`reasoning, ${mode}`, async () => {
        const mark = mock.requests.length;
        const { r, info } = await turn(mode, { model: m.model, input: 'think, then say hello',
          reasoning: { effort: 'medium', summary: 'auto' }, include: ['reasoning.encrypted_content'] });
        assert.deepEqual(r.output.map((it) => it.type), ['reasoning', 'message'], JSON.stringify(r.output));
        const rs = r.output[0];
        assert.equal(rs.summary.map((s) => s.text).join(''), REASONING, JSON.stringify(rs));
        assert.equal(messageText(r), HELLO[m.protocol]);
        if (info) {
          assert.ok(info.types.includes('response.reasoning_summary_text.delta'), `events ${info.types}`);
          assert.equal(info.summary, REASONING, 'the summary deltas');
        }
        if (m.protocol === 'responses') assert.equal(rs.encrypted_content, ENCRYPTED, 'encrypted_content');
        const [body] = upstream(m, mark, 1, mode);
        assertReasoningAsked(m, body);
      });
    }

    if (m.protocol === 'responses') {
      it('reasoning, whole, raw bytes: encrypted_content unchanged', async () => {
        const res = await fetch(`${gw.url}/v1/responses`, { method: 'POST',
          headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: m.model, input: 'think, then say hello', reasoning: { effort: 'medium', summary: 'auto' } }) });
        const raw = await res.text();
        assert.equal(res.status, 200, raw);
        assert.ok(raw.includes(`"encrypted_content":"${ENCRYPTED}"`), `the body does not hold the upstream's bytes: ${raw}`);
      });
    }

    it('previous_response_id (stored): the upstream sees the earlier turn', async () => {
      const mark = mock.requests.length;
      const first = await turn('stream', { model: m.model, input: 'Hi, my name is Ada.' });
      assert.equal(messageText(first.r), HELLO[m.protocol]);
      const stored = await client.responses.retrieve(first.r.id);
      assert.equal(stored.id, first.r.id);
      assert.equal(messageText(stored), HELLO[m.protocol], `stored ${JSON.stringify(stored)}`);
      const second = await turn('whole', { model: m.model, input: 'What is my name?', previous_response_id: first.r.id });
      assert.equal(second.r.output_text, 'Your name is Ada.');
      const [, body] = upstream(m, mark, 2);
      assert.equal(body.previous_response_id, undefined, 'previous_response_id went upstream');
      const raw = JSON.stringify(body);
      for (const s of ['Hi, my name is Ada.', HELLO[m.protocol], 'What is my name?']) {
        assert.ok(raw.includes(JSON.stringify(s).slice(1, -1)), `the upstream request lacks ${JSON.stringify(s)}: ${raw}`);
      }
      const third = await turn('helper', { model: m.model, input: 'What is my name?' });
      assert.equal(messageText(third.r), 'I do not know your name.', 'without previous_response_id');
    });
  });
}

describe('unknown model', () => {
  for (const mode of MODES) {
    it(`404 as OpenAI.APIError, ${mode}`, async () => {
      const mark = mock.requests.length;
      await assert.rejects(turn(mode, { model: 'no-such-model', input: 'hello' }), (e) => {
        assert.ok(e instanceof OpenAI.APIError, `not an APIError: ${e?.constructor?.name}: ${e}`);
        assert.ok(e instanceof OpenAI.NotFoundError, `not a NotFoundError: ${e.constructor.name}`);
        assert.equal(e.status, 404);
        assert.match(e.message, /no-such-model/);
        return true;
      });
      assert.equal(mock.requests.length, mark, 'a request for an unknown model reached the upstream');
    });
  }
});
