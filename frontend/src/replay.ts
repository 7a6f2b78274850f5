// Turns a recorded request (Anthropic /v1/messages or OpenAI
// /v1/chat/completions shape) and its output into chat turns for the
// Conversations replay: tool calls are paired with their results (by id, or
// by name for the legacy OpenAI function_call), images become thumbnails.

export type Protocol = 'anthropic' | 'openai'

export interface ImageBlock {
  kind: 'image'
  src?: string // data: or http(s) URL; undefined when the data was not recorded
  mediaType?: string
}

export interface ToolResult {
  text: string
  isError: boolean
  images: ImageBlock[]
}

export type Block =
  | { kind: 'text'; text: string }
  | { kind: 'thinking'; text: string }
  | { kind: 'redacted' }
  | ImageBlock
  | { kind: 'tool_call'; id?: string; name: string; arguments: string; result?: ToolResult }
  | { kind: 'tool_result'; id?: string; result: ToolResult }
  | { kind: 'other'; label: string; json: string }

export type Role = 'system' | 'user' | 'assistant' | 'tool'

export interface Turn {
  role: Role
  blocks: Block[]
  output?: boolean // the gateway's recorded response, not part of the request
}

export interface Replay {
  protocol: Protocol
  turns: Turn[]
  tools: string[]
}

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v)
const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v))

/** Pretty JSON for tool arguments given as an object or as JSON text. */
export function prettyArgs(v: unknown): string {
  if (typeof v === 'string') {
    if (!v.trim()) return '{}'
    try {
      return JSON.stringify(JSON.parse(v), null, 2)
    } catch {
      return v
    }
  }
  return JSON.stringify(v ?? {}, null, 2)
}

export function detectProtocol(req: unknown, hint?: string): Protocol {
  if (hint === 'anthropic' || hint === 'openai') return hint
  if (!isObj(req)) return 'openai'
  if ('system' in req && !hasOpenAIRoles(req.messages)) return 'anthropic'
  const msgs = Array.isArray(req.messages) ? req.messages : []
  for (const m of msgs) {
    if (!isObj(m)) continue
    if (Array.isArray(m.content) && m.content.some((b) => isObj(b) && (b.type === 'tool_use' || b.type === 'tool_result'))) {
      return 'anthropic'
    }
  }
  return 'openai'
}

function hasOpenAIRoles(messages: unknown): boolean {
  return Array.isArray(messages) && messages.some((m) => isObj(m) && (m.role === 'system' || m.role === 'tool' || m.role === 'developer' || 'tool_calls' in m))
}

function imageFromAnthropic(b: Obj): ImageBlock {
  const src = isObj(b.source) ? b.source : {}
  if (src.type === 'base64' && typeof src.data === 'string' && src.data) {
    const mt = typeof src.media_type === 'string' ? src.media_type : 'image/png'
    return { kind: 'image', src: `data:${mt};base64,${src.data}`, mediaType: mt }
  }
  if (src.type === 'url' && typeof src.url === 'string') return { kind: 'image', src: src.url }
  return { kind: 'image', mediaType: typeof src.media_type === 'string' ? src.media_type : undefined }
}

function imageFromOpenAI(p: Obj): ImageBlock {
  const iu = p.image_url
  const url = typeof iu === 'string' ? iu : isObj(iu) && typeof iu.url === 'string' ? iu.url : undefined
  const mt = url?.startsWith('data:') ? url.slice(5, url.indexOf(';')) : undefined
  return { kind: 'image', src: url, mediaType: mt }
}

function resultFromAnthropic(content: unknown, isError: boolean): ToolResult {
  if (typeof content === 'string') return { text: content, isError, images: [] }
  const texts: string[] = []
  const images: ImageBlock[] = []
  if (Array.isArray(content)) {
    for (const b of content) {
      if (!isObj(b)) continue
      if (b.type === 'text') texts.push(str(b.text))
      else if (b.type === 'image') images.push(imageFromAnthropic(b))
      else texts.push(JSON.stringify(b))
    }
  }
  return { text: texts.join('\n'), isError, images }
}

function resultFromOpenAI(content: unknown): ToolResult {
  if (typeof content === 'string') return { text: content, isError: false, images: [] }
  const texts: string[] = []
  const images: ImageBlock[] = []
  if (Array.isArray(content)) {
    for (const p of content) {
      if (!isObj(p)) continue
      if (p.type === 'text') texts.push(str(p.text))
      else if (p.type === 'image_url') images.push(imageFromOpenAI(p))
      else texts.push(JSON.stringify(p))
    }
  } else if (content !== null && content !== undefined) texts.push(JSON.stringify(content))
  return { text: texts.join('\n'), isError: false, images }
}

class Pairer {
  private byId = new Map<string, Extract<Block, { kind: 'tool_call' }>>()
  private pendingByName = new Map<string, Extract<Block, { kind: 'tool_call' }>[]>()

  call(id: string | undefined, name: string, args: unknown): Block {
    const b: Extract<Block, { kind: 'tool_call' }> = { kind: 'tool_call', id, name, arguments: prettyArgs(args) }
    if (id) this.byId.set(id, b)
    const q = this.pendingByName.get(name) ?? []
    q.push(b)
    this.pendingByName.set(name, q)
    return b
  }

  /** Attaches r to its call and reports true, or reports false (an orphan result). */
  attach(id: string | undefined, name: string | undefined, r: ToolResult): boolean {
    let b = id ? this.byId.get(id) : undefined
    if (!b && !id && name) b = this.pendingByName.get(name)?.find((c) => !c.result)
    if (!b || b.result) return false
    b.result = r
    return true
  }
}

function anthropicBlocks(content: unknown, pair: Pairer): Block[] {
  if (typeof content === 'string') return content ? [{ kind: 'text', text: content }] : []
  if (!Array.isArray(content)) return []
  const out: Block[] = []
  for (const b of content) {
    if (typeof b === 'string') {
      out.push({ kind: 'text', text: b })
      continue
    }
    if (!isObj(b)) continue
    switch (b.type) {
      case 'text':
        if (str(b.text)) out.push({ kind: 'text', text: str(b.text) })
        break
      case 'thinking':
        out.push({ kind: 'thinking', text: str(b.thinking) })
        break
      case 'redacted_thinking':
        out.push({ kind: 'redacted' })
        break
      case 'image':
        out.push(imageFromAnthropic(b))
        break
      case 'tool_use':
      case 'server_tool_use':
        out.push(pair.call(typeof b.id === 'string' ? b.id : undefined, str(b.name), b.input))
        break
      case 'tool_result': {
        const id = typeof b.tool_use_id === 'string' ? b.tool_use_id : undefined
        const r = resultFromAnthropic(b.content, b.is_error === true)
        if (!pair.attach(id, undefined, r)) out.push({ kind: 'tool_result', id, result: r })
        break
      }
      default:
        out.push({ kind: 'other', label: str(b.type) || 'block', json: JSON.stringify(b, null, 2) })
    }
  }
  return out
}

function openaiContent(content: unknown): Block[] {
  if (typeof content === 'string') return content ? [{ kind: 'text', text: content }] : []
  if (!Array.isArray(content)) return []
  const out: Block[] = []
  for (const p of content) {
    if (typeof p === 'string') {
      out.push({ kind: 'text', text: p })
      continue
    }
    if (!isObj(p)) continue
    if (p.type === 'text' || p.type === 'input_text') {
      if (str(p.text)) out.push({ kind: 'text', text: str(p.text) })
    } else if (p.type === 'image_url') out.push(imageFromOpenAI(p))
    else if (p.type === 'refusal') out.push({ kind: 'text', text: str(p.refusal) })
    else out.push({ kind: 'other', label: str(p.type) || 'part', json: JSON.stringify(p, null, 2) })
  }
  return out
}

function roleOf(r: unknown): Role {
  if (r === 'system' || r === 'developer') return 'system'
  if (r === 'assistant') return 'assistant'
  if (r === 'tool' || r === 'function') return 'tool'
  return 'user'
}

function toolNames(req: Obj): string[] {
  if (!Array.isArray(req.tools)) return []
  return req.tools
    .map((t) => (isObj(t) ? (isObj(t.function) ? str(t.function.name) : str(t.name)) : ''))
    .filter(Boolean)
}

export function replayRequest(req: unknown, hint?: string): Replay {
  const protocol = detectProtocol(req, hint)
  const turns: Turn[] = []
  if (!isObj(req)) return { protocol, turns, tools: [] }
  const pair = new Pairer()
  const msgs = Array.isArray(req.messages) ? req.messages : []

  if (protocol === 'anthropic') {
    if (typeof req.system === 'string' && req.system) turns.push({ role: 'system', blocks: [{ kind: 'text', text: req.system }] })
    else if (Array.isArray(req.system)) {
      const blocks = anthropicBlocks(req.system, pair)
      if (blocks.length) turns.push({ role: 'system', blocks })
    }
    for (const m of msgs) {
      if (!isObj(m)) continue
      const blocks = anthropicBlocks(m.content, pair)
      if (blocks.length) turns.push({ role: roleOf(m.role), blocks })
    }
  } else {
    for (const m of msgs) {
      if (!isObj(m)) continue
      const role = roleOf(m.role)
      if (role === 'tool') {
        const id = typeof m.tool_call_id === 'string' ? m.tool_call_id : undefined
        const name = m.role === 'function' ? str(m.name) : undefined
        const r = resultFromOpenAI(m.content)
        if (!pair.attach(id, name, r)) turns.push({ role: 'tool', blocks: [{ kind: 'tool_result', id, result: r }] })
        continue
      }
      const blocks: Block[] = []
      const reasoning = m.reasoning_content ?? m.reasoning
      if (role === 'assistant' && typeof reasoning === 'string' && reasoning) blocks.push({ kind: 'thinking', text: reasoning })
      blocks.push(...openaiContent(m.content))
      if (Array.isArray(m.tool_calls)) {
        for (const tc of m.tool_calls) {
          if (!isObj(tc)) continue
          const fn = isObj(tc.function) ? tc.function : {}
          blocks.push(pair.call(typeof tc.id === 'string' ? tc.id : undefined, str(fn.name), fn.arguments))
        }
      }
      if (isObj(m.function_call)) blocks.push(pair.call(undefined, str(m.function_call.name), m.function_call.arguments))
      if (blocks.length) turns.push({ role, blocks })
    }
  }
  return { protocol, turns, tools: toolNames(req) }
}

export interface RecordedOutput {
  text?: string
  thinking?: string
  tool_calls?: { id?: string; name: string; arguments: string }[]
}

/** The recorded response as an assistant turn, or null when nothing was recorded. */
export function replayOutput(out: RecordedOutput | null | undefined): Turn | null {
  if (!out) return null
  const blocks: Block[] = []
  if (out.thinking) blocks.push({ kind: 'thinking', text: out.thinking })
  if (out.text) blocks.push({ kind: 'text', text: out.text })
  for (const tc of out.tool_calls ?? []) blocks.push({ kind: 'tool_call', id: tc.id, name: tc.name, arguments: prettyArgs(tc.arguments) })
  return blocks.length ? { role: 'assistant', blocks, output: true } : null
}

/** The chars of a turn's text, for the size badge. */
export function turnChars(t: Turn): number {
  let n = 0
  for (const b of t.blocks) {
    if (b.kind === 'text' || b.kind === 'thinking') n += b.text.length
    else if (b.kind === 'tool_call') n += b.arguments.length + (b.result?.text.length ?? 0)
    else if (b.kind === 'tool_result') n += b.result.text.length
  }
  return n
}

const shq = (s: string) => "'" + s.replace(/'/g, `'\\''`) + "'"

/** A curl command that sends the recorded request to the gateway again; the key is left as $MODELSWITCH_API_KEY. */
export function curlFor(request: unknown, protocol: Protocol, origin: string): string {
  const body = typeof request === 'string' ? request : JSON.stringify(request ?? {}, null, 2)
  const lines =
    protocol === 'anthropic'
      ? [`curl ${origin}/v1/messages`, `-H 'x-api-key: '"$MODELSWITCH_API_KEY"`, `-H 'anthropic-version: 2023-06-01'`]
      : [`curl ${origin}/v1/chat/completions`, `-H 'Authorization: Bearer '"$MODELSWITCH_API_KEY"`]
  lines.push(`-H 'Content-Type: application/json'`, `-d ${shq(body)}`)
  return lines.join(' \\\n  ')
}
