package jsonbody

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// claudeCodeBody builds a body shaped like a Claude Code first turn
// (claude-code-traffic.md): model first, a large system prompt, tools with
// JSON schemas and messages, with text full of escapes. tools and
// paragraphs scale it: (24, 46) gives about 76 KB and (0, 0) about 1.1 KB.
func claudeCodeBody(tools, paragraphs int) []byte {
	type block struct {
		Type         string            `json:"type"`
		Text         string            `json:"text"`
		CacheControl map[string]string `json:"cache_control,omitempty"`
	}
	type message struct {
		Role    string `json:"role"`
		Content any    `json:"content"`
	}
	type tool struct {
		Name        string         `json:"name"`
		Description string         `json:"description"`
		InputSchema map[string]any `json:"input_schema"`
	}
	type body struct {
		Model             string            `json:"model"`
		MaxTokens         int               `json:"max_tokens"`
		Stream            bool              `json:"stream"`
		Thinking          map[string]string `json:"thinking"`
		ContextManagement map[string]any    `json:"context_management"`
		OutputConfig      map[string]string `json:"output_config"`
		Metadata          map[string]string `json:"metadata"`
		System            []block           `json:"system"`
		Tools             []tool            `json:"tools"`
		Messages          []message         `json:"messages"`
	}
	para := func(i int) string {
		return fmt.Sprintf("## Section %d\n\nWhen the user asks you to \"edit\" a file, use the Edit tool; never `cat > file`.\n"+
			"- Prefer C:\\path\\to\\file over relative paths — keep <system-reminder> tags intact.\n"+
			"- Unicode is fine: café, 中文, emoji 😀, tabs\tand quotes \"like this\".\n", i)
	}
	var prompt strings.Builder
	for i := range paragraphs {
		prompt.WriteString(para(i))
	}
	eph := map[string]string{"type": "ephemeral"}
	b := body{
		Model:             "claude-sonnet-4-5-20250929",
		MaxTokens:         32000,
		Stream:            true,
		Thinking:          map[string]string{"type": "adaptive"},
		ContextManagement: map[string]any{"edits": []any{map[string]string{"type": "clear_thinking_20251015", "keep": "all"}}},
		OutputConfig:      map[string]string{"effort": "high"},
		Metadata:          map[string]string{"user_id": `{"device_id":"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef","account_uuid":"","session_id":"6f1c2a9e-1b2c-4d5e-8f90-1234567890ab"}`},
		System: []block{
			{Type: "text", Text: "x-anthropic-billing-header: cc_version=2.1.197.1f4; cc_entrypoint=sdk-cli;"},
			{Type: "text", Text: "You are a Claude agent, built on Anthropic's Claude Agent SDK.", CacheControl: eph},
			{Type: "text", Text: prompt.String(), CacheControl: eph},
		},
	}
	for i := range tools {
		b.Tools = append(b.Tools, tool{
			Name:        fmt.Sprintf("Tool%d", i),
			Description: strings.Repeat(para(i), 8),
			InputSchema: map[string]any{
				"$schema":              "https://json-schema.org/draft/2020-12/schema",
				"type":                 "object",
				"additionalProperties": false,
				"required":             []string{"command"},
				"properties": map[string]any{
					"command":     map[string]any{"type": "string", "description": "The command to execute"},
					"timeout":     map[string]any{"type": "integer", "minimum": 0, "maximum": 600000, "description": "Optional timeout in ms"},
					"description": map[string]any{"type": "string", "description": "Clear, concise description of what this command does in 5-10 words."},
				},
			},
		})
	}
	b.Messages = []message{
		{Role: "user", Content: []block{
			{Type: "text", Text: "<system-reminder>\nAs you answer the user's questions, you can use the following context:\n# currentDate\nToday's date is 2026-11-26.\n</system-reminder>\n"},
			{Type: "text", Text: "Summarise the repository and list the three largest files.", CacheControl: eph},
		}},
		{Role: "system", Content: "Available agent types for the Agent tool: general-purpose, Explore, Plan."},
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(b); err != nil {
		panic(err)
	}
	return bytes.TrimSuffix(out.Bytes(), []byte("\n"))
}
