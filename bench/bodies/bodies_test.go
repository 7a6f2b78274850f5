package bodies_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3/responses"

	"github.com/modelswitch/modelswitch/bench/bodies"
)

// TestSizes: every body is valid JSON of its stated size, the same on every
// call, with model first (the floor and the gateway find it at once) and
// the stream flag as asked.
func TestSizes(t *testing.T) {
	for _, tc := range []struct {
		name     string
		build    func(string, bool) []byte
		min, max int
	}{
		{"OpenAISmall", bodies.OpenAISmall, 900, 1300},
		{"AnthropicSmall", bodies.AnthropicSmall, 900, 1300},
		{"ResponsesSmall", bodies.ResponsesSmall, 900, 1300},
		{"ClaudeCode", bodies.ClaudeCode, 74 << 10, 80 << 10},
		{"Codex", bodies.Codex, 40 << 10, 42 << 10},
	} {
		for _, stream := range []bool{false, true} {
			b := tc.build("bench-model", stream)
			if !json.Valid(b) {
				t.Fatalf("%s: not JSON", tc.name)
			}
			if n := len(b); n < tc.min || n > tc.max {
				t.Errorf("%s: %d bytes, want %d..%d", tc.name, n, tc.min, tc.max)
			}
			if !bytes.Equal(b, tc.build("bench-model", stream)) {
				t.Errorf("%s: differs between calls", tc.name)
			}
			if !bytes.HasPrefix(b, []byte(`{"model":"bench-model",`)) {
				t.Errorf("%s: model is not the first key: %.40s", tc.name, b)
			}
			var top struct{ Stream bool }
			if err := json.Unmarshal(b, &top); err != nil || top.Stream != stream {
				t.Errorf("%s: stream %v, want %v (%v)", tc.name, top.Stream, stream, err)
			}
		}
	}
}

// TestCodexShape holds the Codex body to codex-traffic.md, read with the
// official SDK's request type: 4 message items with ids and input_text
// parts (developer ~17 KB and ~2 KB, environment context, prompt), 9 tools
// with a namespace of 5 functions and web_search, and Codex's top-level keys.
func TestCodexShape(t *testing.T) {
	b := bodies.Codex("codex", true)
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(b, &keys); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"model", "stream", "store", "include", "reasoning", "prompt_cache_key", "parallel_tool_calls",
		"tool_choice", "client_metadata", "tools", "input"} {
		if _, ok := keys[k]; !ok {
			t.Errorf("no %q", k)
		}
		delete(keys, k)
	}
	if len(keys) > 0 {
		t.Errorf("keys Codex does not send: %v", keys)
	}
	var p responses.ResponseNewParams
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	items := p.Input.OfInputItemList
	if len(items) != 4 {
		t.Fatalf("%d input items, want 4", len(items))
	}
	var ids struct{ Input []struct{ ID string } }
	_ = json.Unmarshal(b, &ids)
	wantRole := []string{"developer", "developer", "user", "user"}
	wantSize := []int{17 << 10, 2 << 10, 0, 0}
	text := make([]string, len(items))
	for i, it := range items {
		m := it.OfMessage
		if m == nil || string(m.Role) != wantRole[i] || !strings.HasPrefix(ids.Input[i].ID, "msg_") ||
			len(m.Content.OfInputItemContentList) != 1 || m.Content.OfInputItemContentList[0].OfInputText == nil {
			t.Fatalf("input[%d] is not a %s message with an id and one input_text part: %.200s", i, wantRole[i], mustMarshal(it))
		}
		text[i] = m.Content.OfInputItemContentList[0].OfInputText.Text
		if n := len(text[i]); wantSize[i] > 0 && (n < wantSize[i]*9/10 || n > wantSize[i]*11/10) {
			t.Errorf("input[%d]: %d bytes of text, want about %d", i, n, wantSize[i])
		}
	}
	if !strings.HasPrefix(text[2], "<environment_context>") {
		t.Error("input[2] is not the environment context")
	}
	var names []string
	for _, tool := range p.Tools {
		switch {
		case tool.OfFunction != nil:
			names = append(names, tool.OfFunction.Name)
		case tool.OfNamespace != nil:
			names = append(names, tool.OfNamespace.Name)
			if n := len(tool.OfNamespace.Tools); n != 5 {
				t.Errorf("namespace %s has %d tools, want 5", tool.OfNamespace.Name, n)
			}
		case tool.OfWebSearch != nil:
			names = append(names, "web_search")
		}
	}
	want := "exec_command write_stdin request_user_input view_image multi_agent_v1 get_goal create_goal update_goal web_search"
	if strings.Join(names, " ") != want {
		t.Errorf("tools %v\nwant %s", names, want)
	}
	if p.Store.Value || !p.ParallelToolCalls.Value || p.PromptCacheKey.Value == "" || string(p.Reasoning.Summary) != "auto" ||
		len(p.Include) != 1 || p.ToolChoice.OfToolChoiceMode.Value != "auto" {
		t.Errorf("top-level settings differ from Codex's: %s", mustMarshal(p))
	}
}

func mustMarshal(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
