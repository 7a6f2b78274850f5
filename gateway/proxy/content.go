package proxy

import (
	"errors"
	"fmt"
	"strings"

	"github.com/modelswitch/modelswitch/gateway/jsonbody"
	"github.com/modelswitch/modelswitch/gateway/protocol"
	"github.com/modelswitch/modelswitch/gateway/sse"
)

// isContent reports whether a pass-through event carries content (text,
// thinking, tool input) or ends the answer: the commit point. Role-only
// chunks, message_start, pings and empty block starts are the prelude. An
// event that is not JSON before the commit point is an upstream failure.
//
// It runs on every event until the first token, so it reads the few members
// it needs with jsonbody instead of decoding the chunk with encoding/json
// (which cost a few microseconds of the added time to first token).
func isContent(f protocol.Family, ev sse.Event) (bool, error) {
	if f == protocol.Responses {
		if err := jsonbody.Check(ev.Data); err != nil {
			return false, fmt.Errorf("malformed %q event: %w", ev.Name, err)
		}
		return responsesContent(responsesType(ev)), nil
	}
	if f == protocol.Anthropic {
		if err := jsonbody.Check(ev.Data); err != nil {
			return false, fmt.Errorf("malformed %q event: %w", ev.Name, err)
		}
		switch ev.Name {
		case "content_block_delta", "message_delta", "message_stop":
			return true, nil
		}
		return false, nil
	}
	if ev.IsDone() {
		return true, nil
	}
	content, err := openAIChunkHasContent(ev.Data)
	if err != nil {
		return false, fmt.Errorf("malformed chunk: %w", err)
	}
	return content, nil
}

// openAIChunkHasContent: the first choice's delta has non-empty content,
// reasoning_content or reasoning, or tool_calls, or the choice has a
// finish_reason; a chunk without choices counts when it carries usage.
func openAIChunkHasContent(data []byte) (bool, error) {
	var chunk, choice, delta jsonbody.Object
	if err := chunk.Scan(data); err != nil {
		return false, err
	}
	choices, ok := chunk.Get("choices")
	if ok && choices.Kind != jsonbody.KindNull && choices.Kind != jsonbody.KindArray {
		return false, errors.New(`"choices" is not an array`)
	}
	var first []byte
	if ok && choices.Kind == jsonbody.KindArray {
		it := jsonbody.Elements(choices.Raw(data))
		first, _ = it.NextElement()
	}
	if first == nil {
		usage, ok := chunk.Get("usage")
		return ok && usage.Kind != jsonbody.KindNull, nil
	}
	if isNull, err := member(&choice, first, "choices[0]"); err != nil || isNull {
		return false, err
	}
	if fr, ok := choice.Get("finish_reason"); ok && fr.Kind != jsonbody.KindNull {
		return true, nil
	}
	dv, ok := choice.Get("delta")
	if !ok || dv.Kind == jsonbody.KindNull {
		return false, nil
	}
	if _, err := member(&delta, dv.Raw(first), "delta"); err != nil {
		return false, err
	}
	for _, k := range [...]string{"content", "reasoning_content", "reasoning"} {
		v, ok := delta.Get(k)
		switch {
		case !ok, v.Kind == jsonbody.KindNull:
		case v.Kind != jsonbody.KindString:
			return false, fmt.Errorf("delta.%s is %s, not a string", k, v.Kind)
		case v.End-v.Start > 2: // more than the quotes: not ""
			return true, nil
		}
	}
	tc, ok := delta.Get("tool_calls")
	return ok && tc.Kind != jsonbody.KindNull, nil
}

// member scans raw into o as a JSON object named what in errors; isNull
// reports a null instead.
func member(o *jsonbody.Object, raw []byte, what string) (isNull bool, err error) {
	if string(raw) == "null" {
		return true, nil
	}
	if err := o.Scan(raw); err != nil {
		return false, fmt.Errorf("%s: %w", what, err)
	}
	return false, nil
}

// responsesContent: a Responses stream commits at its first delta (text,
// refusal, reasoning summary, function arguments), at a finished item or
// arguments (some servers send only .done) or at its end.
func responsesContent(typ string) bool {
	switch typ {
	case "response.output_item.done", "response.function_call_arguments.done", "response.output_text.done",
		"response.completed", "response.incomplete":
		return true
	}
	return strings.HasPrefix(typ, "response.") && strings.HasSuffix(typ, ".delta")
}

// responsesType is a Responses event's type: its SSE event name, or, for
// servers that send data only, the data's "type".
func responsesType(ev sse.Event) string {
	if ev.Name != "" {
		return ev.Name
	}
	obj, err := jsonbody.ScanTop(ev.Data)
	if err != nil {
		return ""
	}
	t, ok := obj.Get("type")
	if !ok {
		return ""
	}
	s, _ := t.String(ev.Data)
	return s
}
