package convert

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var o2rObsStreamCases = map[string]Output{
	"text.sse": {Text: "Hello! How can I help you <today>?", StopReason: "completed",
		Usage: Usage{Input: 36, Output: 87, Reasoning: 64}, HasUsage: true},
	"reasoning_summary_then_text.sse": {Text: "2 + 2 = 4.", StopReason: "completed",
		Thinking: "**Adding numbers**\n\nThe user asks 2+2.\n\n**Answering**\n\nThat is 4.",
		Usage:    Usage{Input: 40, Output: 120, Reasoning: 96}, HasUsage: true},
	"parallel_calls_interleaved.sse": {StopReason: "completed", ToolCalls: []ToolCall{
		{"call_Paris01xYz", "get_weather", `{"city":"Paris"}`}, {"call_Tokyo02aBc", "get_weather", `{"city":"Tokyo"}`}},
		Usage: Usage{Input: 98, Output: 120, CacheRead: 512, Reasoning: 64}, HasUsage: true},
	"arguments_only_in_done.sse": {Text: "Let me check.", StopReason: "completed",
		ToolCalls: []ToolCall{{"call_OnlyDone77", "read_file", `{"path":"/src/main.go","limit":200}`}},
		Usage:     Usage{Input: 300, Output: 25}, HasUsage: true},
	"incomplete_length.sse":         {Text: "Once upon a time, there was", StopReason: "max_output_tokens", Usage: Usage{Input: 9, Output: 16}, HasUsage: true},
	"incomplete_content_filter.sse": {Text: "I can", StopReason: "content_filter", Usage: Usage{Input: 30, Output: 2}, HasUsage: true},
	"refusal.sse":                   {Text: "I can't help with that.", StopReason: "completed", Usage: Usage{Input: 20, Output: 9}, HasUsage: true},
	"done_events_only.sse": {Text: "I will list the files.", StopReason: "completed", ToolCalls: []ToolCall{{"call_DoneOnly99", "exec_command", `{"cmd":"ls"}`}},
		Usage: Usage{Input: 50, Output: 20}, HasUsage: true},
	"failed.sse":      {StopReason: "failed"},
	"error_event.sse": {Text: "Partial ans", StopReason: "failed"},
	"truncated.sse":   {Text: "Cut short"},
}

// TestObserverResponsesStreams observes the recorded Responses streams as a
// pass-through Responses client's stream; each one is also converted for a
// Chat client and observed there: the same answer must come out.
func TestObserverResponsesStreams(t *testing.T) {
	files, _ := filepath.Glob("testdata/o2r_stream/*.sse")
	for _, p := range files {
		base := filepath.Base(p)
		if strings.HasSuffix(p, ".want.sse") || base == "text_no_usage.sse" || base == "completed_only.sse" {
			continue // completed_only: the observer reads deltas, not the final output
		}
		t.Run(base, func(t *testing.T) {
			want, ok := o2rObsStreamCases[base]
			if !ok {
				t.Fatalf("no expectations for %s", base)
			}
			names, payloads := o2aPayloads(t, obsRead(t, "o2r_stream/"+base))
			if got := obsFeed(t, NewObserver("responses"), names, payloads); !reflect.DeepEqual(got, want) {
				t.Errorf("got  %#v\nwant %#v", got, want)
			}
			out, _ := o2rStreamRun(t, obsRead(t, "o2r_stream/"+base), true)
			names, payloads = o2aPayloads(t, out)
			got := obsFeed(t, NewObserver("openai"), names, payloads)
			if got.Text != want.Text || got.Thinking != want.Thinking || !reflect.DeepEqual(got.ToolCalls, want.ToolCalls) ||
				want.HasUsage && got.Usage != want.Usage {
				t.Errorf("converted for Chat: got %#v\nupstream %#v", got, want)
			}
		})
	}
}

func TestObserverResponsesEvents(t *testing.T) {
	o := NewObserver("responses")
	for _, ev := range []string{
		// A custom tool call, arguments given with the added item (replaced by deltas), a call without
		// output_index, events the observer does not know and data that is not JSON.
		`{"type":"response.output_item.added","output_index":0,"item":{"type":"custom_tool_call","id":"ctc_1","call_id":"call_p","name":"apply_patch","input":""}}`,
		`{"type":"response.custom_tool_call_input.delta","output_index":0,"delta":"*** Begin"}`,
		`{"type":"response.custom_tool_call_input.done","output_index":0,"input":"*** Begin Patch"}`,
		`{"type":"response.output_item.added","output_index":1,"item":{"type":"function_call","id":"fc_2","call_id":"call_q","name":"f","arguments":"{\"stale\":1}"}}`,
		`{"type":"response.function_call_arguments.delta","delta":"{\"a\""}`,
		`{"type":"response.function_call_arguments.delta","output_index":1,"delta":":1}"}`,
		`{"type":"response.future","output_index":7}`,
		`{"type":"response.output_text.delta","delta":42}`,
		`{"type":"response.reasoning_text.delta","delta":"r1"}`,
		`{"type":"response.content_part.added","part":{"type":"reasoning_text","text":""}}`,
		`{"type":"response.reasoning_text.delta","delta":"r2"}`,
		`{"type":"response.completed","response":{"status":"completed","usage":null}}`,
	} {
		o.Event("", []byte(ev))
	}
	o.Event("response.output_text.delta", []byte(`not json`))
	want := Output{ToolCalls: []ToolCall{{"call_p", "apply_patch", "*** Begin Patch"}, {"call_q", "f", `{"a":1}`}},
		Thinking: "r1\n\nr2", StopReason: "completed"}
	if got := o.Output(); !reflect.DeepEqual(got, want) {
		t.Errorf("got  %#v\nwant %#v", got, want)
	}
}

func TestObserveResponsesWhole(t *testing.T) {
	for _, tc := range []struct {
		file string
		want Output
	}{
		{"text.in.json", Output{Text: "In a peaceful grove beneath a silver moon, a unicorn named Lumina <slept>.",
			StopReason: "completed", Usage: Usage{Input: 36, Output: 87, Reasoning: 64}, HasUsage: true}},
		{"reasoning_summary.in.json", Output{Text: "2 + 2 = 4.", Thinking: "**Adding numbers**\n\nThe user asks 2+2.\n\n**Answering**\n\nThat is 4.",
			StopReason: "completed", Usage: Usage{Input: 40, Output: 120, Reasoning: 96}, HasUsage: true}},
		{"tool_calls.in.json", Output{Text: "Checking both cities.", StopReason: "completed", ToolCalls: []ToolCall{
			{"call_Paris01xYz", "get_weather", `{"city":"Paris"}`}, {"call_Tokyo02aBc", "get_weather", ``}},
			Usage: Usage{Input: 98, Output: 120, CacheRead: 512, Reasoning: 64}, HasUsage: true}},
		{"refusal.in.json", Output{Text: "I can't help with that.", StopReason: "completed", Usage: Usage{Input: 20, Output: 9}, HasUsage: true}},
		{"incomplete_length.in.json", Output{Text: "Once upon a time, there was", StopReason: "max_output_tokens",
			Usage: Usage{Input: 9, Output: 16}, HasUsage: true}},
		{"reasoning_text_no_message.in.json", Output{Thinking: "Only thinking.", StopReason: "completed"}},
	} {
		if got := ObserveResponse("responses", obsRead(t, "o2r_response/"+tc.file)); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s:\ngot  %#v\nwant %#v", tc.file, got, tc.want)
		}
	}
	if got := ObserveResponse("responses", []byte(`{"error":{"message":"x"}}`)); !reflect.DeepEqual(got, Output{}) {
		t.Errorf("error body: %#v", got)
	}
	if got := ObserveResponse("responses", []byte(`{"status":"failed","output":[{"type":"custom_tool_call","call_id":"c","name":"n","input":"i"}]}`)); got.StopReason != "failed" ||
		!reflect.DeepEqual(got.ToolCalls, []ToolCall{{"c", "n", "i"}}) {
		t.Errorf("failed: %#v", got)
	}
}

func FuzzObserveResponses(f *testing.F) {
	for _, glob := range []string{"testdata/o2r_stream/*.sse", "testdata/o2r_response/*.in.json"} {
		files, _ := filepath.Glob(glob)
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil && !strings.HasSuffix(p, ".want.sse") {
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		_ = ObserveResponse("responses", in)
		o := NewObserver("responses")
		for _, block := range bytes.Split(in, []byte("\n\n")) {
			name, data := "", block
			for _, line := range bytes.Split(block, []byte("\n")) {
				if v, ok := bytes.CutPrefix(line, []byte("event: ")); ok {
					name = string(v)
				} else if v, ok := bytes.CutPrefix(line, []byte("data: ")); ok {
					data = v
				}
			}
			obsRespCheckDecode(t, data)
			o.Event(name, data)
		}
		out := o.Output()
		if o.FirstContent() != (out.Text != "" || out.Thinking != "" || len(out.ToolCalls) > 0) {
			t.Fatalf("FirstContent %v with %#v", o.FirstContent(), out)
		}
	})
}

// TestObserveResponsesObjectMatchesBytes: what a converted lane records from
// the object it built is what decoding the bytes it sent would record.
func TestObserveResponsesObjectMatchesBytes(t *testing.T) {
	files, _ := filepath.Glob("testdata/r2o_response/*.in.json")
	if len(files) == 0 {
		t.Fatal("no goldens")
	}
	for _, name := range append(files, "") {
		body := benchOpenAIResponse
		if name != "" {
			var err error
			if body, err = os.ReadFile(name); err != nil {
				t.Fatal(err)
			}
		}
		out, resp, _, err := ChatToResponsesResponse(body, RespMeta{ID: "resp_1", Model: "m"})
		if err != nil {
			continue // error goldens
		}
		if got, want := ObserveResponsesObject(resp.Answer()), observeResponses(out); !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n object %+v\n bytes  %+v", name, got, want)
		}
	}
}
