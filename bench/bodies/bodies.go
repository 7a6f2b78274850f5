// Package bodies builds the request bodies of the benchmarks: ~1 KB OpenAI
// chat, Anthropic messages and OpenAI Responses requests, a ~76 KB
// Claude-Code-like first turn (claude-code-traffic.md: model first, system
// blocks with cache_control, 24 tools with JSON schemas, a mid-conversation
// system message) and a ~41 KB Codex-like Responses first turn
// (codex-traffic.md). Every body is deterministic.
package bodies

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
)

var words = strings.Fields(`the of and to a in is that for it as with was on be by this are or from at an
which not file command tool user agent run output path read write edit search result code test should
when must use only before after each return value error line task will can if you your new current`)

// prose returns deterministic text of about n bytes.
func prose(seed uint64, n int) string {
	r := rand.New(rand.NewPCG(seed, 7))
	var b strings.Builder
	for b.Len() < n {
		w := words[r.IntN(len(words))]
		if b.Len() > 0 {
			if r.IntN(12) == 0 {
				b.WriteString(". ")
			} else {
				b.WriteByte(' ')
			}
		}
		b.WriteString(w)
	}
	return b.String()
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

type msg struct {
	Role    string `json:"role"`
	Content any    `json:"content"`
}

type openAIReq struct {
	Model       string  `json:"model"`
	Messages    []msg   `json:"messages"`
	MaxTokens   int     `json:"max_tokens"`
	Temperature float64 `json:"temperature"`
	Stream      bool    `json:"stream"`
}

// OpenAISmall is a ~1 KB chat completion request.
func OpenAISmall(model string, stream bool) []byte {
	return mustJSON(openAIReq{Model: model, MaxTokens: 256, Temperature: 0.2, Stream: stream, Messages: []msg{
		{Role: "system", Content: prose(1, 300)},
		{Role: "user", Content: prose(2, 400)},
		{Role: "assistant", Content: prose(3, 120)},
		{Role: "user", Content: prose(4, 80)},
	}})
}

type block struct {
	Type         string         `json:"type"`
	Text         string         `json:"text"`
	CacheControl map[string]any `json:"cache_control,omitempty"`
}

type anthropicReq struct {
	Model             string         `json:"model"`
	Messages          []msg          `json:"messages"`
	System            any            `json:"system,omitempty"`
	Tools             []tool         `json:"tools,omitempty"`
	Metadata          map[string]any `json:"metadata,omitempty"`
	MaxTokens         int            `json:"max_tokens"`
	Thinking          map[string]any `json:"thinking,omitempty"`
	ContextManagement map[string]any `json:"context_management,omitempty"`
	OutputConfig      map[string]any `json:"output_config,omitempty"`
	Stream            bool           `json:"stream"`
}

// AnthropicSmall is a ~1 KB messages request.
func AnthropicSmall(model string, stream bool) []byte {
	return mustJSON(anthropicReq{Model: model, MaxTokens: 256, Stream: stream, System: prose(1, 300), Messages: []msg{
		{Role: "user", Content: prose(2, 400)},
		{Role: "assistant", Content: prose(3, 120)},
		{Role: "user", Content: []block{{Type: "text", Text: prose(4, 80)}}},
	}})
}

type tool struct {
	Name        string         `json:"name"`
	Description string         `json:"description"`
	InputSchema map[string]any `json:"input_schema"`
}

var toolNames = strings.Fields(`Agent Bash CronCreate CronDelete CronList Edit EnterWorktree ExitWorktree
NotebookEdit Read ReportFindings ScheduleWakeup SendMessage Skill TaskCreate TaskGet TaskList TaskOutput
TaskStop TaskUpdate WebFetch WebSearch Workflow Write`)

func claudeTools() []tool {
	tools := make([]tool, 0, len(toolNames))
	for i, name := range toolNames {
		props := map[string]any{}
		for j := range 6 {
			p := map[string]any{"type": "string", "description": prose(uint64(1000+i*10+j), 140)}
			if j == 4 {
				p = map[string]any{"type": "integer", "minimum": 0, "maximum": 600000, "description": prose(uint64(2000+i), 80)}
			}
			if j == 5 {
				p = map[string]any{"type": "boolean", "description": prose(uint64(3000+i), 60)}
			}
			props[fmt.Sprintf("param_%d", j)] = p
		}
		tools = append(tools, tool{Name: name, Description: prose(uint64(100+i), 1630), InputSchema: map[string]any{
			"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
			"properties": props, "required": []string{"param_0"}, "additionalProperties": false,
		}})
	}
	return tools
}

// ClaudeCode is a ~76 KB Claude-Code-like first turn.
func ClaudeCode(model string, stream bool) []byte {
	eph := map[string]any{"type": "ephemeral"}
	return mustJSON(anthropicReq{
		Model: model, MaxTokens: 32000, Stream: stream,
		Thinking:          map[string]any{"type": "adaptive"},
		ContextManagement: map[string]any{"edits": []any{map[string]any{"type": "clear_thinking_20251015", "keep": "all"}}},
		OutputConfig:      map[string]any{"effort": "high"},
		Metadata:          map[string]any{"user_id": `{"device_id":"` + strings.Repeat("ab", 32) + `","account_uuid":"","session_id":"5f0c6a4e-1b2c-4d3e-9f00-123456789abc"}`},
		System: []block{
			{Type: "text", Text: "x-anthropic-billing-header: cc_version=2.1.197.1f4; cc_entrypoint=sdk-cli;"},
			{Type: "text", Text: "You are a Claude agent, built on Anthropic's Claude Agent SDK.", CacheControl: eph},
			{Type: "text", Text: prose(9, 5600), CacheControl: eph},
		},
		Tools: claudeTools(),
		Messages: []msg{
			{Role: "user", Content: []block{
				{Type: "text", Text: "<system-reminder>" + prose(10, 600) + "</system-reminder>"},
				{Type: "text", Text: "Run echo hello and tell me what it printed.", CacheControl: eph},
			}},
			{Role: "system", Content: "Available agent types for the Agent tool: " + prose(11, 900)},
		},
	})
}
