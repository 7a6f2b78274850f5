# A strict-shaped OpenAI-compatible upstream for the Claude Code end-to-end run: the first turn asks
# for the Bash tool, the turn with the tool result answers with what the command printed.
import json, http.server, sys
LOG = open(sys.argv[2], 'a')
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    def log_message(self, *a): pass
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers['Content-Length'])))
        LOG.write(json.dumps(body) + '\n'); LOG.flush()
        msgs = body.get('messages', [])
        tool_results = [m for m in msgs if m.get('role') == 'tool']
        model = body.get('model')
        def chunk(delta, finish=None):
            c = {"id": "chatcmpl-cc", "object": "chat.completion.chunk", "created": 1, "model": model,
                 "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
            return ('data: ' + json.dumps(c) + '\n\n').encode()
        out = [chunk({"role": "assistant", "content": ""})]
        if tool_results:
            out.append(chunk({"content": "The command printed: " + str(tool_results[-1].get('content'))[:200]}))
            out.append(chunk({}, "stop"))
        else:
            out.append(chunk({"content": "I'll run it."}))
            out.append(chunk({"tool_calls": [{"index": 0, "id": "call_cc1", "type": "function",
                "function": {"name": "Bash", "arguments": ""}}]}))
            out.append(chunk({"tool_calls": [{"index": 0, "function": {"arguments": json.dumps({"command": "echo hello-from-tool", "description": "print a marker"})}}]}))
            out.append(chunk({}, "tool_calls"))
        if (body.get('stream_options') or {}).get('include_usage'):
            out.append(('data: ' + json.dumps({"id": "chatcmpl-cc", "object": "chat.completion.chunk", "created": 1, "model": model, "choices": [],
                "usage": {"prompt_tokens": 1200, "completion_tokens": 20, "total_tokens": 1220, "prompt_tokens_details": {"cached_tokens": 1000}}}) + '\n\n').encode())
        out.append(b'data: [DONE]\n\n')
        data = b''.join(out)
        self.send_response(200)
        self.send_header('Content-Type', 'text/event-stream')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)
http.server.ThreadingHTTPServer(('127.0.0.1', int(sys.argv[1])), H).serve_forever()
