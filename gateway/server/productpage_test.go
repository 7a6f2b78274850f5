package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

// productGateway serves glm-5 as the seed's product page sets it up: an
// OpenAI-compatible provider first (Anthropic clients are converted), an
// Anthropic-compatible one as the fallback.
func productGateway(t *testing.T) *gateway {
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request, body map[string]any) {
		if strings.HasSuffix(r.URL.Path, "/messages") {
			if tools, _ := body["tools"].([]any); len(tools) > 0 {
				w.Header().Set("Content-Type", "application/json")
				w.Write([]byte(`{"id":"msg_t","type":"message","role":"assistant","model":"m","content":[` +
					`{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"北京"}}],` +
					`"stop_reason":"tool_use","usage":{"input_tokens":9,"output_tokens":4}}`))
				return
			}
			anthropicResponder(w, r, body)
			return
		}
		scriptedOpenAI(w, r, body)
	})
	return newGateway(t, "providers:\n"+
		providerYAML("glm-plan", "openai", up.URL+"/api/paas/v4", "k1")+
		providerYAML("glm-anthropic", "anthropic", up.URL+"/api/anthropic", "k2")+`
models:
  glm-5:
    mode: chain
    description: GLM-5
    adapters:
      - {adapter: glm-plan, model_name: glm-5.1, priority: 1, timeout: 60}
      - {adapter: glm-anthropic, model_name: glm-5.1, priority: 2, timeout: 60}
`)
}

func TestProductPageCurlExamples(t *testing.T) {
	g := productGateway(t)
	for _, tc := range []struct {
		name, path, auth, body, want string
	}{
		{"openai", "/openai/chat/completions", "Authorization", `{"model":"glm-5","messages":[{"role":"user","content":"你好"}],"max_tokens":100}`, `"content":"Hello from OpenAI upstream"`},
		{"anthropic", "/anthropic/messages", "x-api-key", `{"model":"glm-5","messages":[{"role":"user","content":"你好"}],"max_tokens":100}`, `"text":"Hello from OpenAI upstream"`},
		{"stream", "/openai/chat/completions", "Authorization", `{"model":"glm-5","messages":[{"role":"user","content":"讲个故事"}],"max_tokens":500,"stream":true}`, "data: [DONE]"},
		{"tool use", "/anthropic/messages", "x-api-key", `{"model":"glm-5","messages":[{"role":"user","content":"北京天气怎么样?"}],"max_tokens":500,` +
			`"tools":[{"name":"get_weather","description":"获取城市天气","input_schema":{"type":"object","properties":{"city":{"type":"string","description":"城市名称"}},"required":["city"]}}]}`,
			`"type":"tool_use"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			value := userKey
			if tc.auth == "Authorization" {
				value = "Bearer " + userKey
			}
			resp, b := g.do(t, "POST", tc.path, tc.body, tc.auth, value, "Content-Type", "application/json")
			if resp.StatusCode != 200 || !strings.Contains(string(b), tc.want) {
				t.Errorf("%d %s", resp.StatusCode, b)
			}
		})
	}
	resp, b := g.do(t, "GET", "/api/config/health", "", "X-Api-Key", adminKey)
	var h struct {
		Models []string `json:"models"`
	}
	if json.Unmarshal(b, &h) != nil || resp.StatusCode != 200 || len(h.Models) != 1 || h.Models[0] != "glm-5" {
		t.Errorf("health: %d %s", resp.StatusCode, b)
	}
}

func TestProductPageSDKExamples(t *testing.T) {
	g := productGateway(t)
	oc := openai.NewClient(option.WithAPIKey(userKey), option.WithBaseURL(g.URL+"/openai"), option.WithMaxRetries(0))
	resp, err := oc.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model:     "glm-5",
		Messages:  []openai.ChatCompletionMessageParamUnion{openai.UserMessage("你好")},
		MaxTokens: openai.Int(100),
	})
	if err != nil || resp.Choices[0].Message.Content != "Hello from OpenAI upstream" {
		t.Fatalf("openai example: %v %+v", err, resp)
	}
	ac := anthropicClient(g, userKey)
	msg, err := ac.Messages.New(context.Background(), anthropic.MessageNewParams{
		Model:     "glm-5",
		MaxTokens: 100,
		Messages:  []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("你好"))},
	})
	if err != nil || msg.Content[0].Text != "Hello from OpenAI upstream" {
		t.Fatalf("anthropic example: %v %+v", err, msg)
	}
}
