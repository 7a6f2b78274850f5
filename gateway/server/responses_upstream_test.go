package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// scriptedResponses answers POST /v1/responses like OpenAI's Responses API,
// scripted for a tool loop as scriptedOpenAI and scriptedAnthropic are: a
// function_call_output in the input gets "Results: …", tools get a
// get_weather call (two when the last user text says "both"), anything else
// "Hello from Responses upstream". With reasoning asked for, a reasoning item
// with a summary and encrypted content comes first. Models named
// "fail-early" / "fail-late" send response.failed before / after output;
// "args-in-done" sends a call's arguments only in
// response.function_call_arguments.done.
func scriptedResponses(w http.ResponseWriter, r *http.Request, body map[string]any) {
	model, _ := body["model"].(string)
	var items []map[string]any
	if body["reasoning"] != nil {
		items = append(items, map[string]any{"type": "reasoning", "id": "rs_1", "encrypted_content": "enc-1",
			"summary": []any{map[string]any{"type": "summary_text", "text": "Let me think."}}})
	}
	if results := responsesToolResults(body); len(results) > 0 {
		items = append(items, responsesMessage("msg_1", "Results: "+strings.Join(results, "; ")))
	} else if body["tools"] != nil {
		items = append(items, map[string]any{"type": "function_call", "id": "fc_1", "call_id": "call_A1", "name": "get_weather",
			"arguments": `{"city":"Paris"}`, "status": "completed"})
		if strings.Contains(responsesLastUserText(body), "both") {
			items = append(items, map[string]any{"type": "function_call", "id": "fc_2", "call_id": "call_B2", "name": "get_weather",
				"arguments": `{"city":"Tokyo"}`, "status": "completed"})
		}
	} else {
		items = append(items, responsesMessage("msg_1", "Hello from Responses upstream"))
	}
	usage := map[string]any{"input_tokens": 20, "input_tokens_details": map[string]any{"cached_tokens": 5},
		"output_tokens": 8, "output_tokens_details": map[string]any{"reasoning_tokens": 3}, "total_tokens": 28}
	resp := func(status string, output []map[string]any) map[string]any {
		out := make([]any, len(output))
		for i, it := range output {
			out[i] = it
		}
		m := map[string]any{"id": "resp_up1", "object": "response", "created_at": 1, "status": status, "model": model,
			"output": out, "error": nil, "incomplete_details": nil, "parallel_tool_calls": true, "tool_choice": "auto", "tools": []any{}}
		if status == "completed" {
			m["usage"] = usage
		}
		return m
	}
	if body["stream"] != true {
		w.Header().Set("Content-Type", "application/json")
		if model == "fail-early" {
			failed := resp("failed", nil)
			failed["error"] = map[string]any{"code": "server_error", "message": "the model crashed"}
			_ = json.NewEncoder(w).Encode(failed)
			return
		}
		_ = json.NewEncoder(w).Encode(resp("completed", items))
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	seq := 0
	ev := func(v map[string]any) {
		v["sequence_number"] = seq
		seq++
		b, _ := json.Marshal(v)
		fmt.Fprintf(w, "event: %s\ndata: %s\n\n", v["type"], b)
		w.(http.Flusher).Flush()
	}
	ev(map[string]any{"type": "response.created", "response": resp("in_progress", nil)})
	ev(map[string]any{"type": "response.in_progress", "response": resp("in_progress", nil)})
	if model == "fail-early" {
		ev(map[string]any{"type": "response.failed", "response": resp("failed", nil)})
		return
	}
	for i, it := range items {
		added := map[string]any{}
		for k, v := range it {
			added[k] = v
		}
		switch it["type"] {
		case "message":
			added["content"], added["status"] = []any{}, "in_progress"
			ev(map[string]any{"type": "response.output_item.added", "output_index": i, "item": added})
			part := map[string]any{"type": "output_text", "text": "", "annotations": []any{}}
			ev(map[string]any{"type": "response.content_part.added", "item_id": it["id"], "output_index": i, "content_index": 0, "part": part})
			text := it["content"].([]any)[0].(map[string]any)["text"].(string)
			for _, half := range splitHalf(text) {
				ev(map[string]any{"type": "response.output_text.delta", "item_id": it["id"], "output_index": i, "content_index": 0, "delta": half})
				if model == "fail-late" {
					ev(map[string]any{"type": "response.failed", "response": resp("failed", nil)})
					return
				}
			}
			ev(map[string]any{"type": "response.output_text.done", "item_id": it["id"], "output_index": i, "content_index": 0, "text": text})
		case "function_call":
			added["arguments"], added["status"] = "", "in_progress"
			ev(map[string]any{"type": "response.output_item.added", "output_index": i, "item": added})
			args := it["arguments"].(string)
			if model != "args-in-done" {
				for _, half := range splitHalf(args) {
					ev(map[string]any{"type": "response.function_call_arguments.delta", "item_id": it["id"], "output_index": i, "delta": half})
				}
			}
			ev(map[string]any{"type": "response.function_call_arguments.done", "item_id": it["id"], "output_index": i, "arguments": args})
		case "reasoning":
			added["summary"] = []any{}
			ev(map[string]any{"type": "response.output_item.added", "output_index": i, "item": added})
			ev(map[string]any{"type": "response.reasoning_summary_part.added", "item_id": it["id"], "output_index": i, "summary_index": 0,
				"part": map[string]any{"type": "summary_text", "text": ""}})
			ev(map[string]any{"type": "response.reasoning_summary_text.delta", "item_id": it["id"], "output_index": i, "summary_index": 0, "delta": "Let me think."})
			ev(map[string]any{"type": "response.reasoning_summary_text.done", "item_id": it["id"], "output_index": i, "summary_index": 0, "text": "Let me think."})
		}
		ev(map[string]any{"type": "response.output_item.done", "output_index": i, "item": it})
	}
	ev(map[string]any{"type": "response.completed", "response": resp("completed", items)})
}

func responsesMessage(id, text string) map[string]any {
	return map[string]any{"type": "message", "id": id, "role": "assistant", "status": "completed",
		"content": []any{map[string]any{"type": "output_text", "text": text, "annotations": []any{}}}}
}

// responsesToolResults are the outputs of the function_call_output items.
func responsesToolResults(body map[string]any) []string {
	items, _ := body["input"].([]any)
	var out []string
	for _, it := range items {
		m, _ := it.(map[string]any)
		if m["type"] == "function_call_output" {
			s, _ := m["output"].(string)
			out = append(out, s)
		}
	}
	return out
}

// responsesLastUserText is the text of the last user message of the input.
func responsesLastUserText(body map[string]any) string {
	if s, ok := body["input"].(string); ok {
		return s
	}
	items, _ := body["input"].([]any)
	for i := len(items) - 1; i >= 0; i-- {
		m, _ := items[i].(map[string]any)
		if m["role"] != "user" {
			continue
		}
		switch c := m["content"].(type) {
		case string:
			return c
		case []any:
			var b strings.Builder
			for _, p := range c {
				pm, _ := p.(map[string]any)
				s, _ := pm["text"].(string)
				b.WriteString(s)
			}
			return b.String()
		}
	}
	return ""
}
