import { describe, expect, it } from 'vitest'
import { curlFor, detectProtocol, replayOutput, replayRequest, type Block } from '../src/replay'

const anthropicReq = {
  model: 'glm-5',
  max_tokens: 1024,
  system: [{ type: 'text', text: 'You are terse.' }],
  tools: [{ name: 'get_weather', input_schema: { type: 'object' } }],
  messages: [
    {
      role: 'user',
      content: [
        { type: 'text', text: 'Weather in Paris? See the map.' },
        { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
      ],
    },
    {
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'I should call the tool.', signature: 'x' },
        { type: 'text', text: 'Let me check.' },
        { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
      ],
    },
    {
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: '18°C, cloudy' }] },
        { type: 'text', text: 'And tomorrow?' },
      ],
    },
    {
      role: 'assistant',
      content: [{ type: 'tool_use', id: 'toolu_2', name: 'get_weather', input: { city: 'Paris', day: 'tomorrow' } }],
    },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_2', is_error: true, content: 'service down' }] },
  ],
}

const openaiReq = {
  model: 'glm-5',
  tools: [{ type: 'function', function: { name: 'get_weather', parameters: {} } }],
  messages: [
    { role: 'system', content: 'You are terse.' },
    {
      role: 'user',
      content: [
        { type: 'text', text: 'What is in this picture?' },
        { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/4AAQ' } },
      ],
    },
    {
      role: 'assistant',
      content: null,
      reasoning_content: 'Two calls.',
      tool_calls: [
        { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
        { id: 'call_b', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
      ],
    },
    { role: 'tool', tool_call_id: 'call_b', content: 'Rome: 25°C' },
    { role: 'tool', tool_call_id: 'call_a', content: 'Paris: 18°C' },
    { role: 'tool', tool_call_id: 'call_zzz', content: 'orphan' },
    { role: 'assistant', content: 'Paris 18°C, Rome 25°C.' },
  ],
}

const calls = (blocks: Block[]) => blocks.filter((b): b is Extract<Block, { kind: 'tool_call' }> => b.kind === 'tool_call')

describe('conversation replay', () => {
  it('detects the request shape', () => {
    expect(detectProtocol(anthropicReq)).toBe('anthropic')
    expect(detectProtocol(openaiReq)).toBe('openai')
    expect(detectProtocol({ messages: [{ role: 'user', content: 'hi' }] }, 'anthropic')).toBe('anthropic')
    expect(detectProtocol({ messages: [{ role: 'user', content: 'hi' }] })).toBe('openai')
  })

  it('replays an Anthropic request with tool calls paired with their results', () => {
    const r = replayRequest(anthropicReq, 'anthropic')
    expect(r.protocol).toBe('anthropic')
    expect(r.tools).toEqual(['get_weather'])
    expect(r.turns.map((t) => t.role)).toEqual(['system', 'user', 'assistant', 'user', 'assistant'])
    expect(r.turns[0].blocks).toEqual([{ kind: 'text', text: 'You are terse.' }])
    expect(r.turns[1].blocks[1]).toEqual({ kind: 'image', src: 'data:image/png;base64,iVBORw0KGgo=', mediaType: 'image/png' })
    const a = r.turns[2].blocks
    expect(a[0]).toEqual({ kind: 'thinking', text: 'I should call the tool.' })
    const [c1] = calls(a)
    expect(c1.name).toBe('get_weather')
    expect(JSON.parse(c1.arguments)).toEqual({ city: 'Paris' })
    expect(c1.result).toEqual({ text: '18°C, cloudy', isError: false, images: [] })
    // the tool_result was folded into its call; the user's text stays
    expect(r.turns[3].blocks).toEqual([{ kind: 'text', text: 'And tomorrow?' }])
    const [c2] = calls(r.turns[4].blocks)
    expect(c2.result).toEqual({ text: 'service down', isError: true, images: [] })
    // the last user turn held only the paired result, so it is gone
    expect(r.turns).toHaveLength(5)
  })

  it('replays an OpenAI request with tool calls paired by id in any order', () => {
    const r = replayRequest(openaiReq)
    expect(r.protocol).toBe('openai')
    expect(r.tools).toEqual(['get_weather'])
    expect(r.turns.map((t) => t.role)).toEqual(['system', 'user', 'assistant', 'tool', 'assistant'])
    expect(r.turns[1].blocks[1]).toMatchObject({ kind: 'image', src: 'data:image/jpeg;base64,/9j/4AAQ', mediaType: 'image/jpeg' })
    const a = r.turns[2].blocks
    expect(a[0]).toEqual({ kind: 'thinking', text: 'Two calls.' })
    const [ca, cb] = calls(a)
    expect(ca.id).toBe('call_a')
    expect(ca.result?.text).toBe('Paris: 18°C')
    expect(cb.result?.text).toBe('Rome: 25°C')
    expect(JSON.parse(cb.arguments)).toEqual({ city: 'Rome' })
    // a result without a call is shown on its own
    expect(r.turns[3].blocks).toEqual([{ kind: 'tool_result', id: 'call_zzz', result: { text: 'orphan', isError: false, images: [] } }])
    expect(r.turns[4].blocks).toEqual([{ kind: 'text', text: 'Paris 18°C, Rome 25°C.' }])
  })

  it('pairs the legacy OpenAI function_call by name', () => {
    const r = replayRequest({
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: null, function_call: { name: 'lookup', arguments: '{"q":1}' } },
        { role: 'function', name: 'lookup', content: 'found' },
      ],
    })
    const [c] = calls(r.turns[1].blocks)
    expect(c.result?.text).toBe('found')
    expect(r.turns).toHaveLength(2)
  })

  it('keeps unknown request bodies from breaking the replay', () => {
    expect(replayRequest(undefined).turns).toEqual([])
    expect(replayRequest('not json').turns).toEqual([])
    expect(replayRequest({ messages: [null, 3, { role: 'user', content: [{ type: 'audio', x: 1 }] }] }).turns[0].blocks[0]).toMatchObject({
      kind: 'other',
      label: 'audio',
    })
  })

  it('turns the recorded output into an assistant turn', () => {
    const t = replayOutput({ thinking: 'hmm', text: 'Hello', tool_calls: [{ id: 'c1', name: 'f', arguments: '{"a":1}' }] })
    expect(t?.output).toBe(true)
    expect(t?.blocks.map((b) => b.kind)).toEqual(['thinking', 'text', 'tool_call'])
    expect(replayOutput({})).toBeNull()
    expect(replayOutput(null)).toBeNull()
  })

  it('builds a curl command for either API with the key left as a variable', () => {
    const c = curlFor({ model: 'm', messages: [{ role: 'user', content: "it's" }] }, 'anthropic', 'http://127.0.0.1:8000')
    expect(c).toContain('curl http://127.0.0.1:8000/v1/messages')
    expect(c).toContain('anthropic-version: 2023-06-01')
    expect(c).toContain('$MODELSWITCH_API_KEY')
    expect(c).toContain(`it'\\''s`)
    expect(curlFor({}, 'openai', 'http://h')).toContain('http://h/v1/chat/completions')
  })
})
