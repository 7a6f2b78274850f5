package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// The scripted upstreams play a two-turn tool loop: asked with tools, they call
// get_weather (twice, in parallel, when the user says "both"); asked again with
// the tool results, they answer in text naming the results they got. With
// reasoning requested they think first.

func lastUserText(body map[string]any) string {
	msgs, _ := body["messages"].([]any)
	for i := len(msgs) - 1; i >= 0; i-- {
		m, _ := msgs[i].(map[string]any)
		switch c := m["content"].(type) {
		case string:
			if m["role"] == "user" {
				return c
			}
		case []any:
			for _, b := range c {
				if bm, _ := b.(map[string]any); bm["type"] == "text" && m["role"] == "user" {
					return bm["text"].(string)
				}
			}
		}
	}
	return ""
}

// openAIToolResults returns the contents of the trailing tool messages.
func openAIToolResults(body map[string]any) []string {
	msgs, _ := body["messages"].([]any)
	var out []string
	for _, m := range msgs {
		mm, _ := m.(map[string]any)
		if mm["role"] == "tool" {
			out = append(out, fmt.Sprint(mm["tool_call_id"], "=", mm["content"]))
		}
	}
	return out
}

func scriptedOpenAI(w http.ResponseWriter, r *http.Request, body map[string]any) {
	think := body["reasoning_effort"] != nil
	var reasoning, content string
	var calls []map[string]any
	if results := openAIToolResults(body); len(results) > 0 {
		content = "Results: " + strings.Join(results, "; ")
	} else if body["tools"] != nil {
		calls = append(calls, map[string]any{"id": "call_A1", "type": "function",
			"function": map[string]any{"name": "get_weather", "arguments": `{"city":"Paris"}`}})
		if strings.Contains(lastUserText(body), "both") {
			calls = append(calls, map[string]any{"id": "call_B2", "type": "function",
				"function": map[string]any{"name": "get_weather", "arguments": `{"city":"Tokyo"}`}})
		}
	} else {
		content = "Hello from OpenAI upstream"
	}
	if think {
		reasoning = "Let me think."
	}
	finish := "stop"
	if len(calls) > 0 {
		finish = "tool_calls"
	}
	usage := `{"prompt_tokens":20,"completion_tokens":8,"total_tokens":28,"prompt_tokens_details":{"cached_tokens":5}}`
	if body["stream"] != true {
		msg := map[string]any{"role": "assistant", "content": content}
		if content == "" {
			msg["content"] = nil
		}
		if reasoning != "" {
			msg["reasoning_content"] = reasoning
		}
		if len(calls) > 0 {
			msg["tool_calls"] = calls
		}
		b, _ := json.Marshal(map[string]any{"id": "chatcmpl-s1", "object": "chat.completion", "created": 1, "model": body["model"],
			"choices": []any{map[string]any{"index": 0, "message": msg, "finish_reason": finish}}, "usage": json.RawMessage(usage)})
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	chunk := func(delta string, fin string) {
		f := "null"
		if fin != "" {
			f = `"` + fin + `"`
		}
		fmt.Fprintf(w, "data: {\"id\":\"chatcmpl-s1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":%q,\"choices\":[{\"index\":0,\"delta\":%s,\"finish_reason\":%s}]}\n\n", body["model"], delta, f)
		w.(http.Flusher).Flush()
	}
	chunk(`{"role":"assistant","content":""}`, "")
	if reasoning != "" {
		chunk(`{"reasoning_content":"Let me "}`, "")
		chunk(`{"reasoning_content":"think."}`, "")
	}
	for _, part := range splitHalf(content) {
		chunk(fmt.Sprintf(`{"content":%q}`, part), "")
	}
	for i, c := range calls {
		fn := c["function"].(map[string]any)
		args := fn["arguments"].(string)
		chunk(fmt.Sprintf(`{"tool_calls":[{"index":%d,"id":%q,"type":"function","function":{"name":"get_weather","arguments":""}}]}`, i, c["id"]), "")
		for _, part := range splitHalf(args) {
			chunk(fmt.Sprintf(`{"tool_calls":[{"index":%d,"function":{"arguments":%q}}]}`, i, part), "")
		}
	}
	chunk(`{}`, finish)
	if so, _ := body["stream_options"].(map[string]any); so["include_usage"] == true {
		fmt.Fprintf(w, "data: {\"id\":\"chatcmpl-s1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":%q,\"choices\":[],\"usage\":%s}\n\n", body["model"], usage)
	}
	fmt.Fprint(w, "data: [DONE]\n\n")
}

func splitHalf(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s[:len(s)/2], s[len(s)/2:]}
}

// anthropicToolResults returns the tool_result blocks of the last user message.
func anthropicToolResults(body map[string]any) []string {
	msgs, _ := body["messages"].([]any)
	var out []string
	for _, m := range msgs {
		mm, _ := m.(map[string]any)
		blocks, _ := mm["content"].([]any)
		for _, b := range blocks {
			bm, _ := b.(map[string]any)
			if bm["type"] == "tool_result" {
				out = append(out, fmt.Sprint(bm["tool_use_id"], "=", flattenContent(bm["content"])))
			}
		}
	}
	return out
}

func flattenContent(c any) string {
	switch v := c.(type) {
	case string:
		return v
	case []any:
		var parts []string
		for _, b := range v {
			if bm, _ := b.(map[string]any); bm["type"] == "text" {
				parts = append(parts, bm["text"].(string))
			}
		}
		return strings.Join(parts, "")
	}
	return ""
}

func scriptedAnthropic(w http.ResponseWriter, r *http.Request, body map[string]any) {
	var blocks []map[string]any
	if th, _ := body["thinking"].(map[string]any); th["type"] == "enabled" {
		blocks = append(blocks, map[string]any{"type": "thinking", "thinking": "Let me think.", "signature": "sig-1"})
	}
	stop := "end_turn"
	if results := anthropicToolResults(body); len(results) > 0 {
		blocks = append(blocks, map[string]any{"type": "text", "text": "Results: " + strings.Join(results, "; ")})
	} else if body["tools"] != nil {
		blocks = append(blocks, map[string]any{"type": "tool_use", "id": "toolu_A1", "name": "get_weather", "input": map[string]any{"city": "Paris"}})
		if strings.Contains(lastUserText(body), "both") {
			blocks = append(blocks, map[string]any{"type": "tool_use", "id": "toolu_B2", "name": "get_weather", "input": map[string]any{"city": "Tokyo"}})
		}
		stop = "tool_use"
	} else {
		blocks = append(blocks, map[string]any{"type": "text", "text": "Hello from Anthropic upstream"})
	}
	usage := map[string]any{"input_tokens": 15, "output_tokens": 8, "cache_read_input_tokens": 5, "cache_creation_input_tokens": 0}
	if body["stream"] != true {
		b, _ := json.Marshal(map[string]any{"id": "msg_s1", "type": "message", "role": "assistant", "model": body["model"],
			"content": blocks, "stop_reason": stop, "stop_sequence": nil, "usage": usage})
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	ev := func(v map[string]any) {
		b, _ := json.Marshal(v)
		fmt.Fprintf(w, "event: %s\ndata: %s\n\n", v["type"], b)
		w.(http.Flusher).Flush()
	}
	ev(map[string]any{"type": "message_start", "message": map[string]any{"id": "msg_s1", "type": "message", "role": "assistant",
		"model": body["model"], "content": []any{}, "stop_reason": nil, "stop_sequence": nil,
		"usage": map[string]any{"input_tokens": 15, "output_tokens": 1, "cache_read_input_tokens": 5}}})
	ev(map[string]any{"type": "ping"})
	for i, b := range blocks {
		switch b["type"] {
		case "thinking":
			ev(map[string]any{"type": "content_block_start", "index": i, "content_block": map[string]any{"type": "thinking", "thinking": "", "signature": ""}})
			ev(map[string]any{"type": "content_block_delta", "index": i, "delta": map[string]any{"type": "thinking_delta", "thinking": b["thinking"]}})
			ev(map[string]any{"type": "content_block_delta", "index": i, "delta": map[string]any{"type": "signature_delta", "signature": "sig-1"}})
		case "text":
			ev(map[string]any{"type": "content_block_start", "index": i, "content_block": map[string]any{"type": "text", "text": ""}})
			for _, part := range splitHalf(b["text"].(string)) {
				ev(map[string]any{"type": "content_block_delta", "index": i, "delta": map[string]any{"type": "text_delta", "text": part}})
			}
		case "tool_use":
			ev(map[string]any{"type": "content_block_start", "index": i, "content_block": map[string]any{"type": "tool_use", "id": b["id"], "name": b["name"], "input": map[string]any{}}})
			args, _ := json.Marshal(b["input"])
			for _, part := range splitHalf(string(args)) {
				ev(map[string]any{"type": "content_block_delta", "index": i, "delta": map[string]any{"type": "input_json_delta", "partial_json": part}})
			}
		}
		ev(map[string]any{"type": "content_block_stop", "index": i})
	}
	ev(map[string]any{"type": "message_delta", "delta": map[string]any{"stop_reason": stop, "stop_sequence": nil}, "usage": map[string]any{"output_tokens": 8}})
	ev(map[string]any{"type": "message_stop"})
}
