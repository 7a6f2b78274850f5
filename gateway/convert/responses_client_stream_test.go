package convert

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3/responses"
)

var updateR2OStream = flag.Bool("update-r2o-stream", false, "rewrite testdata/r2o_stream/*.want.sse")

// r2oTestRequest is the client request the test responses echo: Codex's
// tools, a namespace among them.
const r2oTestRequest = `{"model":"codex","stream":true,"store":false,"parallel_tool_calls":true,"tool_choice":"auto",
"reasoning":{"summary":"auto"},"include":["reasoning.encrypted_content"],"input":"hi","tools":[
{"type":"function","name":"exec_command","description":"Runs a command.","strict":false,"parameters":{"type":"object","properties":{"cmd":{"type":"string"}},"required":["cmd"],"additionalProperties":false}},
{"type":"function","name":"view_image","parameters":{"type":"object","properties":{"path":{"type":"string"}}}},
{"type":"function","name":"get_goal"},
{"type":"namespace","name":"multi_agent_v1","description":"Sub-agents.","tools":[{"type":"function","name":"spawn_agent","parameters":{"type":"object","properties":{"message":{"type":"string"}}}}]},
{"type":"web_search","external_web_access":true}]}`

func r2oTestMeta(t testing.TB) RespMeta {
	req, err := ParseResponsesRequest([]byte(r2oTestRequest))
	if err != nil {
		t.Fatal(err)
	}
	return RespMeta{ID: "resp_0123456789abcdef01234567", Model: "codex", CreatedAt: 1765000000, Request: req}
}

// r2oWant is what the SDK-decoded stream must add up to.
type r2oWant struct {
	status    string // the terminal event's response status
	reasoning string
	text      string   // message text (refusals after a "|")
	calls     []string // "namespace.name call_id arguments"
	usage     Usage
}

var r2oStreamCases = map[string]r2oWant{
	"text_usage_trailing": {status: "completed", text: "Hello! How can I help <you> today?",
		usage: Usage{Input: 176, Output: 10, CacheRead: 1024}},
	"deepseek_reasoning_then_text": {status: "completed", reasoning: "The user asks 2+2. Answer is 4.", text: "2 + 2 = **4**",
		usage: Usage{Input: 108, Output: 22, CacheRead: 512, Reasoning: 14}},
	"openrouter_reasoning_and_text_one_chunk": {status: "completed", reasoning: "Thinking done.\n", text: "Answer: yes",
		usage: Usage{Input: 40, Output: 9, Reasoning: 5}},
	"parallel_tools_interleaved": {status: "completed", calls: []string{`.exec_command call_aaa111 {"cmd": "ls -la"}`,
		`.view_image call_bbb222 {"path": "a.png"}`}, usage: Usage{Input: 3000, Output: 40}},
	"tool_args_one_chunk": {status: "completed", calls: []string{`.exec_command call_one {"cmd":"echo codex-loop-42 > out.txt","workdir":"/tmp/w"}`},
		usage: Usage{Input: 21, Output: 9, CacheRead: 5}},
	"namespace_tool_no_arguments": {status: "completed", calls: []string{`multi_agent_v1.spawn_agent call_ns1 {"message":"review the diff"}`,
		`.get_goal call_goal {}`}, usage: Usage{Input: 100, Output: 20}},
	"text_then_tool_same_index": {status: "completed", text: "Let me check both files.",
		calls: []string{`.exec_command call_r1 {"cmd":"cat a.txt"}`, `.exec_command call_r2 {"cmd":"cat b.txt"}`},
		usage: Usage{Output: 16, Estimated: true}},
	"length_incomplete":      {status: "incomplete", text: "Once upon a", usage: Usage{Input: 12, Output: 3}},
	"content_filter_refusal": {status: "incomplete", text: "I can|I can't help with that.", usage: Usage{Output: 7, Estimated: true}},
	"empty_answer":           {status: "completed", usage: Usage{Input: 30}},
	// response.failed lists the items completed before the failure only.
	"fail_truncated":      {status: "failed", text: "Partial", usage: Usage{Output: 4, Estimated: true}},
	"fail_upstream_error": {status: "failed", usage: Usage{Output: 1, Estimated: true}},
	"fail_before_content": {status: "failed", usage: Usage{Estimated: true}},
}

// r2oFeed converts payloads as the proxy does: Fail on a Convert error or at
// the end without [DONE].
func r2oFeed(conv StreamConverter, names []string, payloads [][]byte) []Event {
	var evs []Event
	for i, p := range payloads {
		out, err := conv.Convert(names[i], p)
		evs = append(evs, out...)
		if err != nil {
			return append(evs, conv.Fail(err.Error())...)
		}
	}
	if !conv.Done() {
		evs = append(evs, conv.Fail("upstream closed the stream before [DONE]")...)
	}
	return evs
}

func TestResponsesStreamGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/r2o_stream/*.sse")
	seen := 0
	for _, file := range files {
		if strings.HasSuffix(file, ".want.sse") {
			continue
		}
		name := strings.TrimSuffix(filepath.Base(file), ".sse")
		want, ok := r2oStreamCases[name]
		if !ok {
			t.Errorf("%s: no expectation in r2oStreamCases", file)
			continue
		}
		seen++
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			names, payloads := o2aPayloads(t, raw)
			conv := NewResponsesStream(r2oTestMeta(t))
			evs := r2oFeed(conv, names, payloads)
			final := r2oCheckStream(t, evs)
			r2oCheckWant(t, final, want)
			if got := conv.Usage(); got != want.usage {
				t.Errorf("Usage() = %+v, want %+v", got, want.usage)
			}
			if want.status == "failed" {
				if conv.Response() != nil || conv.Done() {
					t.Error("a failed stream has a final response or is Done")
				}
			} else if r := conv.Response(); r == nil || r.Status != want.status || !conv.Started() {
				t.Errorf("Response() = %+v, Started() = %v", r, conv.Started())
			}
			got := o2aRender(evs)
			golden := strings.TrimSuffix(file, ".sse") + ".want.sse"
			if *updateR2OStream {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			} else if wantB, err := os.ReadFile(golden); err != nil || !bytes.Equal(got, wantB) {
				t.Errorf("output differs from %s (run with -update-r2o-stream to accept):\n%s", golden, got)
			}
		})
	}
	if seen != len(r2oStreamCases) {
		t.Errorf("%d inputs for %d cases", seen, len(r2oStreamCases))
	}
}

// r2oCheckStream decodes every event with the official SDK's union type and
// checks what the SDK's stream accumulators rely on: type and SSE name agree,
// sequence_number counts up from 0, response.created comes first and one
// terminal event last, each output_index belongs to one item_id from its
// output_item.added to its output_item.done, deltas add up to the .done
// values, and the terminal response lists those items. It returns the
// terminal event's response.
func r2oCheckStream(t *testing.T, evs []Event) responses.Response {
	t.Helper()
	type itemState struct {
		id, kind   string
		done       bool
		text, args string
	}
	var items []*itemState
	var final responses.Response
	fail := func(i int, format string, args ...any) {
		t.Helper()
		t.Fatalf("event %d %s: "+format+"\n%s", append([]any{i, evs[i].Data}, append(args, o2aRender(evs))...)...)
	}
	for i, e := range evs {
		var u responses.ResponseStreamEventUnion
		if err := json.Unmarshal(e.Data, &u); err != nil {
			fail(i, "SDK cannot decode it: %v", err)
		}
		if u.Type != e.Name || int(u.SequenceNumber) != i {
			fail(i, "type %q (event name %q), sequence_number %d", u.Type, e.Name, u.SequenceNumber)
		}
		if (i == 0) != (u.Type == "response.created") || i == 1 && u.Type != "response.in_progress" {
			fail(i, "response.created and response.in_progress must come first, once")
		}
		terminal := u.Type == "response.completed" || u.Type == "response.incomplete" || u.Type == "response.failed"
		if terminal != (i == len(evs)-1) {
			fail(i, "a terminal event must be last, and the last event terminal")
		}
		if strings.HasPrefix(u.Type, "response.") && !strings.Contains(u.Type, "output_item") && u.Response.ID != "" {
			if u.Response.ID != "resp_0123456789abcdef01234567" || u.Response.Model != "codex" {
				fail(i, "response id %q model %q", u.Response.ID, u.Response.Model)
			}
			final = u.Response
			continue
		}
		idx := int(u.OutputIndex)
		if u.Type == "response.output_item.added" {
			if idx != len(items) || u.Item.ID == "" || u.Item.Status == "completed" {
				fail(i, "added item has output_index %d (want %d), id %q", idx, len(items), u.Item.ID)
			}
			items = append(items, &itemState{id: u.Item.ID, kind: u.Item.Type})
			continue
		}
		if idx >= len(items) || items[idx].done {
			fail(i, "output_index %d is not an open item", idx)
		}
		it := items[idx]
		if id := u.ItemID; u.Type != "response.output_item.done" && id != it.id || u.Type == "response.output_item.done" && u.Item.ID != it.id {
			fail(i, "item id does not match output_index %d (%s)", idx, it.id)
		}
		switch u.Type {
		case "response.output_text.delta", "response.refusal.delta", "response.reasoning_summary_text.delta":
			it.text += u.Delta
		case "response.function_call_arguments.delta":
			it.args += u.Delta
		case "response.output_text.done", "response.reasoning_summary_text.done":
			if u.Text != it.text {
				fail(i, "done text %q, deltas gave %q", u.Text, it.text)
			}
			it.text = ""
		case "response.refusal.done":
			if u.Refusal != it.text {
				fail(i, "done refusal %q, deltas gave %q", u.Refusal, it.text)
			}
			it.text = ""
		case "response.function_call_arguments.done":
			if u.Arguments != it.args && !(strings.TrimSpace(it.args) == "" && u.Arguments == "{}") {
				fail(i, "done arguments %q, deltas gave %q", u.Arguments, it.args)
			}
		case "response.output_item.done":
			it.done = true
		}
	}
	last := evs[len(evs)-1].Name
	for i, it := range items {
		if !it.done && last != "response.failed" {
			t.Errorf("item %d (%s) never done", i, it.id)
		}
	}
	n := 0
	for _, it := range items {
		if it.done {
			if n >= len(final.Output) || final.Output[n].ID != it.id {
				t.Fatalf("final output does not list item %s in order: %s", it.id, evs[len(evs)-1].Data)
			}
			n++
		}
	}
	if n != len(final.Output) {
		t.Errorf("final output has %d items, %d were done", len(final.Output), n)
	}
	return final
}

// r2oCheckWant compares a response, as the SDK decodes it, with want.
func r2oCheckWant(t *testing.T, r responses.Response, want r2oWant) {
	t.Helper()
	var reasoning, text []string
	var calls []string
	for _, o := range r.Output {
		switch o.Type {
		case "reasoning":
			for _, s := range o.Summary {
				reasoning = append(reasoning, s.Text)
			}
		case "message":
			for _, c := range o.Content {
				text = append(text, c.Text+c.Refusal)
			}
		case "function_call":
			fc := o.AsFunctionCall()
			calls = append(calls, fc.Namespace+"."+fc.Name+" "+fc.CallID+" "+fc.Arguments)
		}
	}
	if string(r.Status) != want.status || strings.Join(reasoning, "") != want.reasoning ||
		strings.Join(text, "|") != want.text || strings.Join(calls, "\n") != strings.Join(want.calls, "\n") {
		t.Errorf("got status %q reasoning %q text %q calls %q\nwant %+v", r.Status, reasoning, text, calls, want)
	}
	if want.status == "incomplete" && r.IncompleteDetails.Reason == "" || want.status == "failed" && r.Error.Code != "server_error" {
		t.Errorf("incomplete_details %+v, error %+v", r.IncompleteDetails, r.Error)
	}
	if want.status != "failed" {
		u := want.usage.Responses()
		if r.Usage.InputTokens != int64(u.InputTokens) || r.Usage.OutputTokens != int64(u.OutputTokens) ||
			r.Usage.InputTokensDetails.CachedTokens != int64(u.InputTokensDetails.CachedTokens) ||
			r.Usage.OutputTokensDetails.ReasoningTokens != int64(u.OutputTokensDetails.ReasoningTokens) {
			t.Errorf("usage %+v, want %+v", r.Usage, u)
		}
	}
}

// FuzzResponsesStream feeds arbitrary chunks (raw lines, or "#" lines that
// o2aSynth turns into chunks reaching the converter's states quickly) and
// holds every output to r2oCheckStream's invariants.
func FuzzResponsesStream(f *testing.F) {
	files, _ := filepath.Glob("testdata/r2o_stream/*.sse")
	for _, file := range files {
		if raw, err := os.ReadFile(file); err == nil && !strings.HasSuffix(file, ".want.sse") {
			_, payloads := o2aPayloads(f, raw)
			f.Add(bytes.Join(payloads, []byte("\n")))
		}
	}
	f.Add([]byte("#\x03\x00\x01\n#\x03\x01\x01\n#\x03\x00\x08\n#\x03\x01\x00\n#\x07"))
	f.Add([]byte("#\x01\x00\x00\n#\x02\x01\x09\n#\x00\x00\x04\n#\x04\x02\x41\n#\x05\x01\x00\n#\x06\x05\x00\n#\x07"))
	f.Add([]byte(`{"choices":[{"delta":{"refusal":"no","content":"a"}}]}` + "\n" + `{"choices":[{"delta":{"content":"b"}}]}` + "\n" + `{"error":null,"choices":[{"delta":{"reasoning":{"x":1}}}]}` + "\n[DONE]"))
	meta := r2oTestMeta(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		conv := NewResponsesStream(meta)
		var names []string
		var payloads [][]byte
		for _, p := range bytes.Split(data, []byte("\n")) {
			chunk, _ := o2aSynth(p)
			names, payloads = append(names, ""), append(payloads, chunk)
		}
		evs := r2oFeed(conv, names, payloads)
		r2oCheckStream(t, evs)
		if out, err := conv.Convert("", []byte("[DONE]")); out != nil || err != nil {
			t.Fatalf("Convert after the end: %v %s", err, o2aRender(out))
		}
		if conv.Fail("again") != nil {
			t.Fatal("Fail after the end returned events")
		}
	})
}

// TestResponsesStreamChainedFromAnthropic runs the Anthropic lane's chain
// (Messages events → Chat chunks → Responses events) over the Anthropic
// stream fixtures: the result must satisfy the same invariants.
func TestResponsesStreamChainedFromAnthropic(t *testing.T) {
	files, _ := filepath.Glob("testdata/a2o_stream/*.sse")
	for _, file := range files {
		if strings.HasSuffix(file, ".want.sse") {
			continue
		}
		t.Run(filepath.Base(file), func(t *testing.T) {
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			names, payloads := o2aPayloads(t, raw)
			rs := NewResponsesStream(r2oTestMeta(t))
			chain := Chain(NewOpenAIStream("codex", true), rs)
			evs := r2oFeed(chain, names, payloads)
			final := r2oCheckStream(t, evs)
			if chain.Done() != (rs.Response() != nil) || chain.Done() && final.Status != "completed" && final.Status != "incomplete" {
				t.Errorf("Done %v, status %q", chain.Done(), final.Status)
			}
		})
	}
}
