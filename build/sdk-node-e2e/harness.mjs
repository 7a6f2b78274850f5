// Helpers of responses.test.mjs: the gateway binary on a temporary workspace and HOME, and the checks a streamed
// Responses answer must pass (what the SDKs' stream helpers rely on, and a little more).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

// startGateway runs `modelswitch --start --workspace <tmp>/ws` with HOME=<tmp>/home on the config given (a
// function of the gateway's port) and waits for /health. It returns {url, port, dir, logTail(), stop()}.
export async function startGateway(configFor) {
  const bin = path.resolve(repoRoot, process.env.MS_BIN || 'bin/modelswitch');
  assert.ok(fs.existsSync(bin), `no gateway binary at ${bin} (make build, or set MS_BIN)`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdk-node-e2e-'));
  const ws = path.join(dir, 'ws'), home = path.join(dir, 'home');
  fs.mkdirSync(ws); fs.mkdirSync(home);
  const port = await freePort();
  fs.writeFileSync(path.join(ws, 'config.yaml'), configFor(port));
  const logPath = path.join(dir, 'gateway.log');
  const out = fs.openSync(logPath, 'a');
  const child = spawn(bin, ['--start', '--workspace', ws], { env: { ...process.env, HOME: home }, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  let exited = null;
  const exit = new Promise((r) => child.once('exit', (code, signal) => { exited = { code, signal }; r(); }));
  const logTail = (n = 30) => { try { return fs.readFileSync(logPath, 'utf8').split('\n').slice(-n).join('\n'); } catch { return ''; } };
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (!exited) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exit;
      clearTimeout(t);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 100 && !exited; i++) {
    try {
      if ((await fetch(url + '/health')).ok) return { url, port, dir, logTail, stop };
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  const why = exited ? `exited (${JSON.stringify(exited)})` : 'did not answer /health in 10 s';
  const tail = logTail();
  await stop();
  throw new Error(`the gateway ${why}; its log:\n${tail}`);
}

// messageText is the text of a response's message items (the SDK's output_text, computed independently).
export const messageText = (r) => r.output.filter((it) => it.type === 'message')
  .flatMap((it) => it.content).filter((c) => c.type === 'output_text').map((c) => c.text).join('');

// checkStream checks the events of one streamed response and returns {final, types, text, args, summary}:
//   - the first event is response.created, the second response.in_progress, the last response.completed and
//     nothing follows it; no error or response.failed;
//   - sequence_number starts at 0 or 1 and strictly increases;
//   - output_item.added announces output indexes 0, 1, 2, ... in order, each with a new item id; every event that
//     names an item (item_id) names the one announced at its output_index, while it is open; output_item.done
//     closes it with the same id and type;
//   - the text, argument and reasoning-summary deltas add up to their .done events and to the done item;
//   - response.completed has the response.created's id and exactly the announced items, in order.
export function checkStream(events) {
  const types = events.map((e) => e.type);
  const where = (i) => `event ${i} (${types[i]}) of [${types.join(', ')}]`;
  assert.ok(events.length >= 3, `too few events: ${types.join(', ')}`);
  assert.equal(types[0], 'response.created', 'the first event');
  assert.equal(types[1], 'response.in_progress', 'the second event');
  assert.equal(types.at(-1), 'response.completed', `the last event of [${types.join(', ')}]`);
  assert.ok(events[0].sequence_number === 0 || events[0].sequence_number === 1,
    `the first sequence_number is ${events[0].sequence_number}`);
  const items = [];
  const acc = (o, k) => (o[k] ??= '');
  const text = {}, args = {}, summary = {};
  events.forEach((e, i) => {
    if (i > 0) {
      assert.ok(Number.isInteger(e.sequence_number) && e.sequence_number > events[i - 1].sequence_number,
        `${where(i)}: sequence_number ${e.sequence_number} after ${events[i - 1].sequence_number}`);
    }
    assert.ok(!['error', 'response.failed', 'response.incomplete'].includes(e.type), `${where(i)}: ${JSON.stringify(e)}`);
    if (e.type === 'response.completed') assert.equal(i, events.length - 1, `${where(i)}: events after response.completed`);
    if (e.type === 'response.output_item.added') {
      assert.equal(e.output_index, items.length, `${where(i)}: output_index`);
      assert.ok(typeof e.item?.id === 'string' && e.item.id !== '', `${where(i)}: no item id: ${JSON.stringify(e.item)}`);
      assert.ok(!items.some((it) => it.id === e.item.id), `${where(i)}: item id ${e.item.id} announced twice`);
      items.push({ id: e.item.id, type: e.item.type, open: true });
      return;
    }
    if ('item_id' in e || e.type === 'response.output_item.done') {
      const it = items[e.output_index];
      assert.ok(it, `${where(i)}: output_index ${e.output_index} was never announced`);
      assert.ok(it.open, `${where(i)}: item ${it.id} is already done`);
      if ('item_id' in e) assert.equal(e.item_id, it.id, `${where(i)}: item_id at output_index ${e.output_index}`);
    }
    const k = e.item_id;
    switch (e.type) {
      case 'response.output_text.delta': text[k] = acc(text, k) + e.delta; break;
      case 'response.output_text.done': assert.equal(e.text, acc(text, k), `${where(i)}: the text deltas`); break;
      case 'response.function_call_arguments.delta': args[k] = acc(args, k) + e.delta; break;
      case 'response.function_call_arguments.done':
        if (args[k] !== undefined) assert.equal(e.arguments, args[k], `${where(i)}: the argument deltas`);
        args[k] = e.arguments;
        break;
      case 'response.reasoning_summary_text.delta': summary[k] = acc(summary, k) + e.delta; break;
      case 'response.reasoning_summary_text.done': assert.equal(e.text, acc(summary, k), `${where(i)}: the summary deltas`); break;
      case 'response.output_item.done': {
        const it = items[e.output_index];
        assert.equal(e.item.id, it.id, `${where(i)}: the done item's id`);
        assert.equal(e.item.type, it.type, `${where(i)}: the done item's type`);
        if (it.type === 'message' && text[it.id] !== undefined) assert.equal(messageText({ output: [e.item] }), text[it.id], `${where(i)}: text`);
        if (it.type === 'function_call' && args[it.id] !== undefined) assert.equal(e.item.arguments, args[it.id], `${where(i)}: arguments`);
        if (it.type === 'reasoning' && summary[it.id] !== undefined) {
          assert.equal(e.item.summary.map((s) => s.text).join(''), summary[it.id], `${where(i)}: summary`);
        }
        it.open = false;
        break;
      }
    }
  });
  const created = events[0].response, final = events.at(-1).response;
  assert.equal(final.id, created.id, 'response.completed names another response than response.created');
  assert.equal(final.status, 'completed');
  assert.deepEqual(final.output.map((it) => [it.id, it.type]), items.map((it) => [it.id, it.type]),
    'response.completed output vs the announced items');
  assert.ok(items.every((it) => !it.open), 'an item was never done');
  const join = (o) => Object.values(o).join('');
  return { final, types, text: join(text), args: join(args), summary: join(summary) };
}
