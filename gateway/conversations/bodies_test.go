package conversations

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// bigRecord has a base64 image, a 40 KB body and 20 KB of output.
func bigRecord() Record {
	r := rec(0)
	img := strings.Repeat("iVBORw0KGgo", 200) // 2200 bytes of base64
	r.Request = json.RawMessage(`{"model":"m","messages":[{"role":"user","content":[` +
		`{"type":"image","source":{"type":"base64","media_type":"image/png","data":"` + img + `"}},` +
		`{"type":"text","text":"` + strings.Repeat("long question ", 3000) + `"}]}]}`)
	r.UpstreamRequest = json.RawMessage(`{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,` + img + `"}}]}]}`)
	r.Output = Output{Text: strings.Repeat("é", 10000), Thinking: "hmm", StopReason: "tool_use",
		ToolCalls: []ToolCall{{ID: "call_1", Name: "get_weather", Arguments: `{"city":"SF"}`}}}
	r.Error = "partial"
	return r
}

func TestBodyModes(t *testing.T) {
	in := bigRecord()
	tests := []struct {
		mode  string
		check func(t *testing.T, got *Record)
	}{
		{BodiesFull, func(t *testing.T, got *Record) {
			if diff := cmp.Diff(in, *got); diff != "" {
				t.Errorf("full mode changed the record (-in +got):\n%s", diff)
			}
		}},
		{BodiesTruncated, func(t *testing.T, got *Record) {
			var req string // over 16 KiB: head and tail kept as a string
			if err := json.Unmarshal(got.Request, &req); err != nil || len(req) > MaxBodyBytes+64 {
				t.Fatalf("request = %.200s… (%d bytes, %v); want a string of ≤ 16 KiB", got.Request, len(got.Request), err)
			}
			for _, want := range []string{`"data":"<2200 bytes of base64 image>"`, "bytes omitted]", "long question"} {
				if !strings.Contains(req, want) {
					t.Errorf("request lacks %q", want)
				}
			}
			var up map[string]any // small once the image is gone: still an object
			if err := json.Unmarshal(got.UpstreamRequest, &up); err != nil ||
				!strings.Contains(string(got.UpstreamRequest), `"url":"<2200 bytes of base64 image>"`) {
				t.Errorf("upstream request = %s (%v)", got.UpstreamRequest, err)
			}
			if !got.Truncated || len(got.Output.Text) > MaxTextBytes+40 || !utf8.ValidString(got.Output.Text) ||
				!strings.HasSuffix(got.Output.Text, "bytes truncated]") {
				t.Errorf("truncated %v, text of %d bytes ending %q", got.Truncated, len(got.Output.Text), got.Output.Text[len(got.Output.Text)-30:])
			}
			if got.Output.Thinking != "hmm" || got.Output.ToolCalls[0] != in.Output.ToolCalls[0] {
				t.Errorf("short output changed: %+v", got.Output)
			}
		}},
		{BodiesOff, func(t *testing.T, got *Record) {
			want := in
			want.Request, want.UpstreamRequest = nil, nil
			want.Output = Output{StopReason: "tool_use", ToolCalls: []ToolCall{{ID: "call_1", Name: "get_weather"}}}
			if diff := cmp.Diff(want, *got); diff != "" {
				t.Errorf("off mode (-want +got):\n%s", diff)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			w := newWriter(t, openDB(t), t.TempDir(), Options{LogBodies: tt.mode})
			w.Write(in)
			w.Sync()
			got, err := w.Get(in.ID)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, got)
			items, _, _ := w.List(Filter{})
			if len(items) != 1 || items[0].InputTokens != in.Usage.Input || items[0].ToolCalls != 1 {
				t.Errorf("summary = %+v", items)
			}
		})
	}
	if _, err := NewWriter(Options{Dir: t.TempDir(), DB: openDB(t), LogBodies: "some"}); err == nil {
		t.Error("NewWriter accepted LogBodies \"some\"")
	}
}

func TestStripBase64(t *testing.T) {
	b64 := strings.Repeat("QUJD", 100) // 400 bytes
	tests := []struct {
		name, in, want string // want "" = unchanged
	}{
		{"anthropic image source, key order kept",
			`{"type":"image","source":{"type":"base64","media_type":"image/png","data":"` + b64 + `"}}`,
			`{"type":"image","source":{"type":"base64","media_type":"image/png","data":"<400 bytes of base64 image>"}}`},
		{"openai data URL",
			`[{"type":"image_url","image_url":{"url":"data:image/jpeg;base64,` + b64 + `","detail":"auto"}}]`,
			`[{"type":"image_url","image_url":{"url":"<400 bytes of base64 image>","detail":"auto"}}]`},
		{"numbers and literals kept",
			`{"n":[1,2.50,-3e2,true,false,null],"data":"` + b64 + `"}`,
			`{"n":[1,2.50,-3e2,true,false,null],"data":"<400 bytes of base64 image>"}`},
		{"short data kept", `{"data":"QUJD"}`, ""},
		{"data that is not base64 kept", `{"data":"` + strings.Repeat("some words ", 40) + `"}`, ""},
		{"https URL kept", `{"url":"https://example.com/` + b64 + `"}`, ""},
		{"base64 under another key kept", `{"text":"` + b64 + `"}`, ""},
		{"invalid JSON", `{"data":"` + b64, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, changed := stripBase64([]byte(tt.in))
			if tt.want == "" {
				if changed {
					t.Errorf("changed to %s", got)
				}
				return
			}
			if !changed || string(got) != tt.want {
				t.Errorf("got %s (%v)\nwant %s", got, changed, tt.want)
			}
		})
	}
}

func TestCapText(t *testing.T) {
	for _, tt := range []struct {
		name string
		in   string
		max  int
		want string
	}{
		{"short", "hello", 10, "hello"},
		{"ascii", "abcdefgh", 4, "abcd…[4 bytes truncated]"},
		{"never splits a rune", "ééé", 3, "é…[4 bytes truncated]"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got, cut := capText(tt.in, tt.max); got != tt.want || cut != (tt.want != tt.in) {
				t.Errorf("capText = %q, %v; want %q", got, cut, tt.want)
			}
		})
	}
}
