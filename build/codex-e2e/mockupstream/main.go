// Command mockupstream is the scripted upstream of make test-codex
// (build/codex-e2e/run.sh): on 127.0.0.1 only, it answers one two-turn shell
// tool loop in each upstream protocol a Codex session can reach through the
// gateway:
//
//   - POST /v1/responses (provider: responses): the first turn streams a
//     function_call to exec_command with {"cmd": "<the command>"}; the turn
//     whose input holds a function_call_output carrying the marker streams
//     the final assistant message.
//   - POST /v1/messages (provider: anthropic): the same loop as a tool_use
//     block and, on the turn with a tool_result carrying the marker, a text
//     answer.
//
// Each request is appended to the -log file as one JSON line ({"path",
// "headers", "body"}) before it is answered. A request that breaks what the
// real API would refuse (no model, an unknown tool call id, a tool result
// without the marker, ...) gets a 400 in that protocol's error shape, so a
// conversion bug shows up as a clear failure rather than a wrong answer.
//
//	mockupstream -port-file F -log L -marker M   serve; the port is written to F
//	mockupstream -free-port                      print a free loopback port and exit
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"
)

var (
	logPath  = flag.String("log", "upstream.jsonl", "append every request here as one JSON line")
	portFile = flag.String("port-file", "", "write the port listened on to this file")
	marker   = flag.String("marker", "codex-loop-0", "what the tool command writes; the second turn must carry it back")
	freePort = flag.Bool("free-port", false, "print a free 127.0.0.1 port and exit")
)

var (
	logMu  sync.Mutex
	logOut *os.File
)

func main() {
	flag.Parse()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	if *freePort {
		ln.Close()
		fmt.Println(port)
		return
	}
	if logOut, err = os.OpenFile(*logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644); err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/responses", responsesHandler)
	mux.HandleFunc("POST /v1/messages", messagesHandler)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		record(r, nil)
		http.Error(w, "mock upstream: no route for "+r.Method+" "+r.URL.Path, http.StatusNotFound)
	})
	if *portFile != "" {
		if err := os.WriteFile(*portFile+".tmp", []byte(fmt.Sprint(port)), 0o644); err != nil {
			log.Fatal(err)
		}
		if err := os.Rename(*portFile+".tmp", *portFile); err != nil {
			log.Fatal(err)
		}
	}
	log.Fatal((&http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}).Serve(ln))
}

// command is the shell command the scripted model asks for.
func command() string { return "echo " + *marker + " > out.txt && cat out.txt" }

// finalText is the scripted model's answer once it has seen the tool output.
func finalText(protocol string) string {
	return "Codex e2e (" + protocol + "): the command printed " + *marker + "."
}

// loggedHeaders are the request headers worth keeping in the log (keys are
// test values, so they are kept as they are).
var loggedHeaders = []string{"Authorization", "X-Api-Key", "Anthropic-Version", "Accept", "Content-Type", "Originator", "Session-Id"}

// record reads the body and appends the request to the log; it returns the
// raw body (nil when it could not be read).
func record(r *http.Request, body []byte) {
	h := map[string]string{}
	for _, k := range loggedHeaders {
		if v := r.Header.Get(k); v != "" {
			h[strings.ToLower(k)] = v
		}
	}
	line := map[string]any{"path": r.URL.Path, "headers": h}
	if json.Valid(body) {
		line["body"] = json.RawMessage(body)
	} else {
		line["body_text"] = string(body)
	}
	b, _ := json.Marshal(line)
	logMu.Lock()
	defer logMu.Unlock()
	logOut.Write(append(b, '\n'))
}

func readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(r.Body)
	record(r, body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return nil, false
	}
	return body, true
}

// sse writes a stream of events, flushing after each: Codex reads them as
// they come.
type sse struct {
	w   http.ResponseWriter
	seq int
}

func startSSE(w http.ResponseWriter) *sse {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	return &sse{w: w}
}

// marshal encodes as the real APIs do: no HTML escaping of <, > and &.
func marshal(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

func (s *sse) event(name string, data map[string]any) {
	b := marshal(data)
	fmt.Fprintf(s.w, "event: %s\ndata: %s\n\n", name, b)
	s.w.(http.Flusher).Flush()
}

// responses sends a Responses event, numbering it.
func (s *sse) responses(typ string, data map[string]any) {
	data["type"] = typ
	data["sequence_number"] = s.seq
	s.seq++
	s.event(typ, data)
}

func pieces(s string, n int) []string {
	var out []string
	for len(s) > n {
		out = append(out, s[:n])
		s = s[n:]
	}
	return append(out, s)
}

// --- Responses ---

type responsesRequest struct {
	Model  *string           `json:"model"`
	Stream bool              `json:"stream"`
	Input  json.RawMessage   `json:"input"`
	Tools  []json.RawMessage `json:"tools"`
}

type inputItem struct {
	Type   string          `json:"type"`
	Role   string          `json:"role"`
	CallID string          `json:"call_id"`
	Name   string          `json:"name"`
	Output json.RawMessage `json:"output"`
}

func responsesError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": "mock upstream: " + msg,
		"type": "invalid_request_error", "param": nil, "code": nil}})
}

func responsesHandler(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	var req responsesRequest
	if err := json.Unmarshal(body, &req); err != nil {
		responsesError(w, 400, "the body is not JSON: "+err.Error())
		return
	}
	if req.Model == nil || *req.Model == "" {
		responsesError(w, 400, "model is required")
		return
	}
	var items []inputItem
	if err := json.Unmarshal(req.Input, &items); err != nil || len(items) == 0 {
		responsesError(w, 400, "input must be a non-empty array of items")
		return
	}
	if !hasTool(req.Tools, "exec_command") {
		responsesError(w, 400, "no exec_command function among the tools")
		return
	}
	calls := map[string]bool{}
	var output *inputItem
	for i, it := range items {
		switch it.Type {
		case "function_call":
			calls[it.CallID] = true
		case "function_call_output":
			if !calls[it.CallID] {
				responsesError(w, 400, fmt.Sprintf("input[%d]: no function_call with call_id %q before its output", i, it.CallID))
				return
			}
			output = &items[i]
		}
	}
	model := *req.Model
	if output != nil && !bytes.Contains(output.Output, []byte(*marker)) {
		responsesError(w, 400, "the function_call_output does not carry the command's output "+*marker+": "+string(output.Output))
		return
	}
	id := fmt.Sprintf("resp_mock%d", time.Now().UnixNano())
	var item map[string]any
	if output == nil {
		args := marshal(map[string]string{"cmd": command()})
		item = map[string]any{"id": "fc_mock1", "type": "function_call", "status": "completed", "call_id": "call_mock1",
			"name": "exec_command", "arguments": string(args)}
	} else {
		item = map[string]any{"id": "msg_mock2", "type": "message", "status": "completed", "role": "assistant",
			"content": []any{map[string]any{"type": "output_text", "text": finalText("responses"), "annotations": []any{}}}}
	}
	usage := map[string]any{"input_tokens": 1200, "input_tokens_details": map[string]any{"cached_tokens": 1000},
		"output_tokens": 30, "output_tokens_details": map[string]any{"reasoning_tokens": 0}, "total_tokens": 1230}
	resp := func(status string, output []any, usage any) map[string]any {
		return map[string]any{"id": id, "object": "response", "created_at": time.Now().Unix(), "status": status,
			"model": model, "output": output, "parallel_tool_calls": true, "tool_choice": "auto", "tools": []any{},
			"store": false, "usage": usage, "error": nil, "incomplete_details": nil}
	}
	if !req.Stream {
		w.Header().Set("Content-Type", "application/json")
		w.Write(marshal(resp("completed", []any{item}, usage)))
		return
	}
	s := startSSE(w)
	s.responses("response.created", map[string]any{"response": resp("in_progress", []any{}, nil)})
	s.responses("response.in_progress", map[string]any{"response": resp("in_progress", []any{}, nil)})
	itemID := item["id"].(string)
	if output == nil {
		added := map[string]any{}
		for k, v := range item {
			added[k] = v
		}
		added["status"], added["arguments"] = "in_progress", ""
		s.responses("response.output_item.added", map[string]any{"output_index": 0, "item": added})
		args := item["arguments"].(string)
		for _, p := range pieces(args, 7) {
			s.responses("response.function_call_arguments.delta", map[string]any{"item_id": itemID, "output_index": 0, "delta": p})
		}
		s.responses("response.function_call_arguments.done", map[string]any{"item_id": itemID, "output_index": 0,
			"name": "exec_command", "arguments": args})
	} else {
		text := finalText("responses")
		s.responses("response.output_item.added", map[string]any{"output_index": 0, "item": map[string]any{"id": itemID,
			"type": "message", "status": "in_progress", "role": "assistant", "content": []any{}}})
		part := func(t string) map[string]any {
			return map[string]any{"type": "output_text", "text": t, "annotations": []any{}}
		}
		s.responses("response.content_part.added", map[string]any{"item_id": itemID, "output_index": 0, "content_index": 0, "part": part("")})
		for _, p := range pieces(text, 9) {
			s.responses("response.output_text.delta", map[string]any{"item_id": itemID, "output_index": 0, "content_index": 0,
				"delta": p, "logprobs": []any{}})
		}
		s.responses("response.output_text.done", map[string]any{"item_id": itemID, "output_index": 0, "content_index": 0,
			"text": text, "logprobs": []any{}})
		s.responses("response.content_part.done", map[string]any{"item_id": itemID, "output_index": 0, "content_index": 0, "part": part(text)})
	}
	s.responses("response.output_item.done", map[string]any{"output_index": 0, "item": item})
	s.responses("response.completed", map[string]any{"response": resp("completed", []any{item}, usage)})
}

// hasTool tells whether a function tool of that name is offered (Responses
// tools are flat: {"type":"function","name":...}; Anthropic tools are
// {"name":...,"input_schema":...}).
func hasTool(tools []json.RawMessage, name string) bool {
	for _, raw := range tools {
		var t struct {
			Name string `json:"name"`
		}
		if json.Unmarshal(raw, &t) == nil && t.Name == name {
			return true
		}
	}
	return false
}

// --- Anthropic Messages ---

type messagesRequest struct {
	Model     string            `json:"model"`
	MaxTokens int               `json:"max_tokens"`
	Stream    bool              `json:"stream"`
	Messages  []message         `json:"messages"`
	Tools     []json.RawMessage `json:"tools"`
}

type message struct {
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"`
}

type block struct {
	Type      string          `json:"type"`
	ID        string          `json:"id"`
	Name      string          `json:"name"`
	Input     json.RawMessage `json:"input"`
	ToolUseID string          `json:"tool_use_id"`
	Content   json.RawMessage `json:"content"`
}

func anthropicError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"type": "error", "error": map[string]any{"type": "invalid_request_error",
		"message": "mock upstream: " + msg}})
}

// blocks reads a message's content: a string is one text block.
func blocks(c json.RawMessage) []block {
	var s string
	if json.Unmarshal(c, &s) == nil {
		return []block{{Type: "text"}}
	}
	var bs []block
	json.Unmarshal(c, &bs)
	return bs
}

func messagesHandler(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	if r.Header.Get("Anthropic-Version") == "" {
		anthropicError(w, 400, "anthropic-version header is required")
		return
	}
	if r.Header.Get("X-Api-Key") == "" && r.Header.Get("Authorization") == "" {
		anthropicError(w, 401, "no x-api-key")
		return
	}
	var req messagesRequest
	if err := json.Unmarshal(body, &req); err != nil {
		anthropicError(w, 400, "the body is not JSON: "+err.Error())
		return
	}
	switch {
	case req.Model == "":
		anthropicError(w, 400, "model: Field required")
		return
	case req.MaxTokens <= 0:
		anthropicError(w, 400, "max_tokens: Field required")
		return
	case len(req.Messages) == 0 || req.Messages[0].Role != "user":
		anthropicError(w, 400, "messages: the first message must use the user role")
		return
	case !hasTool(req.Tools, "exec_command"):
		anthropicError(w, 400, "no exec_command tool among the tools")
		return
	}
	for i, raw := range req.Tools {
		var t struct {
			Name        string          `json:"name"`
			InputSchema json.RawMessage `json:"input_schema"`
		}
		json.Unmarshal(raw, &t)
		if t.Name == "" || len(t.InputSchema) == 0 || strings.ContainsAny(t.Name, ". /") {
			anthropicError(w, 400, fmt.Sprintf("tools.%d: a custom tool needs a name matching ^[a-zA-Z0-9_-]{1,128}$ and an input_schema: %s", i, raw))
			return
		}
	}
	var result *block
	prevToolUses := map[string]bool{}
	for i, m := range req.Messages {
		if i > 0 && m.Role == req.Messages[i-1].Role {
			anthropicError(w, 400, fmt.Sprintf("messages.%d: roles must alternate", i))
			return
		}
		bs := blocks(m.Content)
		uses := map[string]bool{}
		for j := range bs {
			b := &bs[j]
			switch b.Type {
			case "tool_use":
				uses[b.ID] = true
			case "tool_result":
				if m.Role != "user" || !prevToolUses[b.ToolUseID] {
					anthropicError(w, 400, fmt.Sprintf("messages.%d.content.%d: unexpected tool_use_id %q in tool_result: each tool_result must match a tool_use in the previous message", i, j, b.ToolUseID))
					return
				}
				result = b
			}
		}
		prevToolUses = uses
	}
	if result != nil && !bytes.Contains(result.Content, []byte(*marker)) {
		anthropicError(w, 400, "the tool_result does not carry the command's output "+*marker+": "+string(result.Content))
		return
	}
	usageStart := map[string]any{"input_tokens": 200, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 1000, "output_tokens": 1}
	var content map[string]any
	stop := "tool_use"
	if result == nil {
		content = map[string]any{"type": "tool_use", "id": "toolu_mock1", "name": "exec_command", "input": map[string]string{"cmd": command()}}
	} else {
		content = map[string]any{"type": "text", "text": finalText("anthropic")}
		stop = "end_turn"
	}
	msg := func(content []any, stop any, usage any) map[string]any {
		return map[string]any{"id": "msg_mock", "type": "message", "role": "assistant", "model": req.Model, "content": content,
			"stop_reason": stop, "stop_sequence": nil, "usage": usage}
	}
	if !req.Stream {
		w.Header().Set("Content-Type", "application/json")
		w.Write(marshal(msg([]any{content}, stop, map[string]any{"input_tokens": 200, "cache_creation_input_tokens": 0,
			"cache_read_input_tokens": 1000, "output_tokens": 30})))
		return
	}
	s := startSSE(w)
	s.event("message_start", map[string]any{"type": "message_start", "message": msg([]any{}, nil, usageStart)})
	s.event("ping", map[string]any{"type": "ping"})
	if result == nil {
		start := map[string]any{"type": "tool_use", "id": "toolu_mock1", "name": "exec_command", "input": map[string]any{}}
		s.event("content_block_start", map[string]any{"type": "content_block_start", "index": 0, "content_block": start})
		args := marshal(content["input"])
		for _, p := range pieces(string(args), 7) {
			s.event("content_block_delta", map[string]any{"type": "content_block_delta", "index": 0,
				"delta": map[string]any{"type": "input_json_delta", "partial_json": p}})
		}
	} else {
		s.event("content_block_start", map[string]any{"type": "content_block_start", "index": 0,
			"content_block": map[string]any{"type": "text", "text": ""}})
		for _, p := range pieces(content["text"].(string), 9) {
			s.event("content_block_delta", map[string]any{"type": "content_block_delta", "index": 0,
				"delta": map[string]any{"type": "text_delta", "text": p}})
		}
	}
	s.event("content_block_stop", map[string]any{"type": "content_block_stop", "index": 0})
	s.event("message_delta", map[string]any{"type": "message_delta", "delta": map[string]any{"stop_reason": stop, "stop_sequence": nil},
		"usage": map[string]any{"output_tokens": 30}})
	s.event("message_stop", map[string]any{"type": "message_stop"})
}
