package bodies

import "fmt"

// OpenAI Responses API request bodies (POST /v1/responses): a ~1 KB request
// and a ~41 KB Codex-like first turn (codex-traffic.md).

type part struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type item struct {
	Type    string `json:"type"`
	ID      string `json:"id,omitempty"`
	Role    string `json:"role"`
	Content []part `json:"content"`
}

type responsesSmallReq struct {
	Model           string  `json:"model"`
	Instructions    string  `json:"instructions"`
	Input           []item  `json:"input"`
	MaxOutputTokens int     `json:"max_output_tokens"`
	Temperature     float64 `json:"temperature"`
	Store           bool    `json:"store"`
	Stream          bool    `json:"stream"`
}

// ResponsesSmall is a ~1 KB Responses request: instructions, then the turns
// of OpenAISmall as input items (the assistant turn as output_text, the first
// user turn shorter so that the parts' overhead keeps it near 1.1 KB). store
// is false, as Codex sends it, so no lane keeps the response.
func ResponsesSmall(model string, stream bool) []byte {
	msg := func(role, typ, text string) item {
		return item{Type: "message", Role: role, Content: []part{{Type: typ, Text: text}}}
	}
	return mustJSON(responsesSmallReq{Model: model, MaxOutputTokens: 256, Temperature: 0.2, Stream: stream,
		Instructions: prose(1, 300), Input: []item{
			msg("user", "input_text", prose(2, 260)),
			msg("assistant", "output_text", prose(3, 120)),
			msg("user", "input_text", prose(4, 80)),
		}})
}

// respTool is one entry of a Responses request's tools: a function, a
// namespace of functions or a built-in tool.
type respTool struct {
	Type              string         `json:"type"`
	Name              string         `json:"name,omitempty"`
	Description       string         `json:"description,omitempty"`
	Strict            *bool          `json:"strict,omitempty"`
	Parameters        map[string]any `json:"parameters,omitempty"`
	Tools             []respTool     `json:"tools,omitempty"`
	ExternalWebAccess *bool          `json:"external_web_access,omitempty"`
}

type codexReq struct {
	Model             string            `json:"model"`
	Stream            bool              `json:"stream"`
	Store             bool              `json:"store"`
	Include           []string          `json:"include"`
	Reasoning         map[string]any    `json:"reasoning"`
	PromptCacheKey    string            `json:"prompt_cache_key"`
	ParallelToolCalls bool              `json:"parallel_tool_calls"`
	ToolChoice        string            `json:"tool_choice"`
	ClientMetadata    map[string]string `json:"client_metadata"`
	Tools             []respTool        `json:"tools"`
	Input             []item            `json:"input"`
}

const (
	codexSession = "019a2b3c-4d5e-7f60-8a9b-0c1d2e3f4a5b"
	codexTurn    = "019a2b3c-4d5e-7f60-8a9b-0c1d2e3f4a60"
	codexWindow  = "019a2b3c-4d5e-7f60-8a9b-0c1d2e3f4a61"
)

// fn is a function tool whose parameters are props (name → JSON schema).
func fn(seed uint64, name string, desc int, required []string, props map[string]any) respTool {
	no := false
	return respTool{Type: "function", Name: name, Description: prose(seed, desc), Strict: &no, Parameters: map[string]any{
		"type": "object", "properties": props, "required": required, "additionalProperties": false,
	}}
}

func str(seed uint64, n int) map[string]any {
	return map[string]any{"type": "string", "description": prose(seed, n)}
}

func num(seed uint64, n int) map[string]any {
	return map[string]any{"type": "number", "description": prose(seed, n)}
}

func codexTools() []respTool {
	exec := fn(500, "exec_command", 1000, []string{"cmd"}, map[string]any{
		"cmd": str(501, 120), "workdir": str(502, 120), "shell": str(503, 100),
		"login":         map[string]any{"type": "boolean", "description": prose(504, 120)},
		"tty":           map[string]any{"type": "boolean", "description": prose(505, 160)},
		"yield_time_ms": num(506, 100), "max_output_tokens": num(507, 100),
		"sandbox_permissions": map[string]any{"type": "string", "enum": []string{"use_default", "require_escalated"},
			"description": prose(508, 240)},
		"justification": str(509, 300),
		"prefix_rule":   map[string]any{"type": "array", "items": map[string]any{"type": "string"}, "description": prose(510, 260)},
	})
	agents := respTool{Type: "namespace", Name: "multi_agent_v1", Description: prose(520, 1000)}
	for i, name := range []string{"close_agent", "resume_agent", "send_input", "spawn_agent", "wait_agent"} {
		s := uint64(530 + 10*i)
		agents.Tools = append(agents.Tools, fn(s, name, 800, []string{"agent_id"}, map[string]any{
			"agent_id": str(s+1, 120), "message": str(s+2, 200), "timeout_ms": num(s+3, 120),
		}))
	}
	yes := true
	tools := []respTool{
		exec,
		fn(600, "write_stdin", 700, []string{"session_id"}, map[string]any{
			"session_id": num(601, 100), "chars": str(602, 160), "yield_time_ms": num(603, 100), "max_output_tokens": num(604, 100),
		}),
		fn(610, "request_user_input", 900, []string{"questions"}, map[string]any{
			"questions": map[string]any{"type": "array", "description": prose(611, 300), "items": map[string]any{
				"type": "object", "required": []string{"id", "question"}, "additionalProperties": false, "properties": map[string]any{
					"id": str(612, 100), "header": str(613, 120), "question": str(614, 140),
					"options": map[string]any{"type": "array", "items": str(615, 80), "description": prose(616, 120)},
				}}},
		}),
		fn(620, "view_image", 300, []string{"path"}, map[string]any{"path": str(621, 100)}),
		agents,
	}
	for i, name := range []string{"get_goal", "create_goal", "update_goal"} {
		s := uint64(700 + 10*i)
		tools = append(tools, fn(s, name, 600, []string{}, map[string]any{"objective": str(s+1, 200), "status": str(s+2, 120)}))
	}
	return append(tools, respTool{Type: "web_search", ExternalWebAccess: &yes})
}

// Codex is a ~41 KB Codex-like first turn (codex-traffic.md, codex-cli
// 0.171.0): 4 message items with ids and input_text parts (two developer
// messages of ~17 KB and ~2 KB, the environment context, the prompt), 9 tools
// including a namespace of 5 functions and web_search, and the top-level
// keys Codex sends. Codex always streams; stream=false is for whole cells.
func Codex(model string, stream bool) []byte {
	msg := func(n int, role, text string) item {
		return item{Type: "message", ID: fmt.Sprintf("msg_019a2b3c-4d5e-7f60-8a9b-%012x", n), Role: role,
			Content: []part{{Type: "input_text", Text: text}}}
	}
	turnMeta := `{"installation_id":"` + codexWindow + `","session_id":"` + codexSession + `","thread_id":"` + codexSession +
		`","agent_name":"/root","turn_id":"` + codexTurn + `","window_id":"` + codexWindow + `","window_number":0,` +
		`"request_kind":"turn","history_initialization":"new","thread_source":"user","turn_trigger":"exec",` +
		`"sandbox":"none","sandbox_mode":"danger-full-access","auto_review_enabled":false,"model":"` + model + `"}`
	env := "<environment_context>\n  <cwd>/home/user/work</cwd>\n  <shell>bash</shell>\n  <current_date>2026-12-06</current_date>\n" +
		"  <timezone>Etc/UTC</timezone>\n  <filesystem>" + prose(41, 420) + "</filesystem>\n</environment_context>"
	return mustJSON(codexReq{
		Model: model, Stream: stream, Store: false, Include: []string{"reasoning.encrypted_content"},
		Reasoning: map[string]any{"summary": "auto"}, PromptCacheKey: codexSession, ParallelToolCalls: true, ToolChoice: "auto",
		ClientMetadata: map[string]string{"x-codex-installation-id": codexWindow, "session_id": codexSession, "thread_id": codexSession,
			"root_turn_id": codexTurn, "x-codex-turn-metadata": turnMeta, "x-codex-window-id": codexWindow + ":0", "turn_id": codexTurn},
		Tools: codexTools(),
		Input: []item{
			msg(1, "developer", "You are a coding agent running in the Codex CLI, a terminal-based coding assistant. "+prose(40, 17000)),
			msg(2, "developer", "<skills_instructions>\n"+prose(42, 2000)+"\n</skills_instructions>"),
			msg(3, "user", env),
			msg(4, "user", "Run `echo codex-loop-42 > out.txt`, then tell me what out.txt contains."),
		},
	})
}
