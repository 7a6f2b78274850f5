package convert

// Content-block, schema and decoding helpers of AnthropicToOpenAIRequest
// (split from anthropic_request.go to keep files short).

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/modelswitch/modelswitch/gateway/jsonbody"
)

// areqToolResult renders a tool_result's content as the text of a tool message.
func areqToolResult(b areqBlock, path string, names *ToolNames, fast bool) (string, error) {
	var texts []string
	if k := areqKind(b.Content); k != "null" {
		blocks, err := areqBlocks(b.Content, func() string { return path + ".content" }, fast)
		if err != nil {
			return "", err
		}
		for j, rb := range blocks {
			switch rb.Type {
			case "text":
				texts = append(texts, rb.Text)
			case "image": // a tool message carries text only (see AnthropicToOpenAIRequest)
				texts = append(texts, "[image omitted]")
			case "tool_reference": // ToolSearch loaded a deferred tool; every tool is sent anyway
				if rb.ToolName == "" {
					return "", badRequest("%s.content[%d].tool_name: required", path, j)
				}
				texts = append(texts, "[tool "+names.Upstream(rb.ToolName)+" loaded]")
			case "document":
				text, err := areqDocument(rb.Source, fmt.Sprintf("%s.content[%d]", path, j))
				if err != nil {
					return "", err
				}
				texts = append(texts, text)
			default:
				return "", areqBadBlock(rb.Type, fmt.Sprintf("%s.content[%d]", path, j), "a tool_result")
			}
		}
	}
	text := strings.Join(areqNonBlank(texts), "\n\n")
	if text == "" {
		text = "[empty result]" // some servers reject an empty tool message
	}
	if b.IsError { // OpenAI tool messages have no error flag
		text = "Error: " + text
	}
	return text, nil
}

func areqImage(raw json.RawMessage, path string) (areqPart, error) {
	var s struct {
		Type, Data, URL string
		MediaType       string `json:"media_type"`
	}
	if err := json.Unmarshal(raw, &s); err != nil || areqKind(raw) != "object" {
		return areqPart{}, badRequest("%s: must be an image source object", path)
	}
	var url string
	switch {
	case s.Type == "base64" && s.Data != "" && s.MediaType != "":
		url = "data:" + s.MediaType + ";base64," + s.Data
	case s.Type == "url" && s.URL != "":
		url = s.URL
	default:
		return areqPart{}, badRequest("%s: image source of type %q cannot be converted (need base64 data with media_type, or a url)", path, s.Type)
	}
	return areqPart{Type: "image_url", ImageURL: &areqImageURL{URL: url}}, nil
}

// areqDocument returns the text of a document block with a text source.
func areqDocument(raw json.RawMessage, path string) (string, error) {
	var s struct{ Type, Data string }
	_ = json.Unmarshal(raw, &s)
	if s.Type != "text" {
		return "", badRequest("%s: document blocks with a %q source cannot be sent to an OpenAI-style upstream (only text documents can)", path, s.Type)
	}
	return s.Data, nil
}

// areqArguments renders a tool_use input as OpenAI function arguments.
func areqArguments(raw json.RawMessage, path areqPath) (string, error) {
	switch areqKind(raw) {
	case "null":
		return "{}", nil
	case "object":
		return string(areqCompact(make([]byte, 0, len(raw)), raw, false)), nil
	}
	return "", badRequest("%s: must be an object, got %s", path(), areqKind(raw))
}

// areqBlocks decodes content that is a string (one text block) or an array of
// blocks, with areqBlock.decodeFast when fast is set. raw is valid JSON, so it
// is walked in place rather than decoded into a slice of raw values first.
func areqBlocks(raw json.RawMessage, path areqPath, fast bool) ([]areqBlock, error) {
	switch areqKind(raw) {
	case "string":
		return []areqBlock{{Type: "text", Text: jsonbody.Unquote(raw)}}, nil
	case "array":
		var out []areqBlock
		it := jsonbody.Elements(raw)
		for j := 0; ; j++ {
			braw, ok := it.NextElement()
			if !ok {
				return out, nil
			}
			out = append(out, areqBlock{})
			if k := areqKind(braw); k != "object" {
				return nil, badRequest("%s[%d]: must be a content block object, got %s", path(), j, k)
			}
			if fast {
				if err := out[j].decodeFast(braw); err != nil {
					return nil, err
				}
			} else if err := json.Unmarshal(braw, &out[j]); err != nil {
				return nil, areqDecodeErr(fmt.Sprintf("%s[%d]", path(), j), err)
			}
		}
	}
	return nil, badRequest("%s: must be a string or an array of content blocks, got %s", path(), areqKind(raw))
}

func areqBadBlock(typ, path, where string) error {
	if areqKnownBlocks[typ] {
		return badRequest("%s: %q blocks are not allowed in %s message sent to an OpenAI-style upstream", path, typ, where)
	}
	return badRequest("%s: unknown content block type %q", path, typ)
}

// areqDecodeErr turns a decoding error into a RequestError naming the field.
func areqDecodeErr(path string, err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		p := strings.TrimPrefix(path+"."+te.Field, ".")
		p = strings.TrimSuffix(p, ".")
		if p == "" {
			p = "request body"
		}
		want := map[reflect.Kind]string{reflect.String: "a string", reflect.Bool: "a boolean",
			reflect.Int: "an integer", reflect.Float64: "a number", reflect.Slice: "an array",
			reflect.Struct: "an object", reflect.Map: "an object", reflect.Pointer: "an object"}[te.Type.Kind()]
		if want == "" {
			want = "a " + te.Type.Kind().String()
		}
		return badRequest("%s: must be %s, got %s", p, want, te.Value)
	}
	if path == "" {
		return badRequest("request body is not valid JSON: %v", err)
	}
	return badRequest("%s: %v", path, err)
}

// areqKind names the JSON type of raw ("null" when empty).
func areqKind(raw []byte) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "null"
	}
	switch raw[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

func areqContains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func areqNonBlank(texts []string) []string {
	out := texts[:0:0]
	for _, t := range texts {
		if strings.TrimSpace(t) != "" {
			out = append(out, t)
		}
	}
	return out
}

// areqOnlyText returns the texts of parts when there is no image among them.
func areqOnlyText(parts []areqPart) ([]string, bool) {
	texts := make([]string, len(parts))
	for i, p := range parts {
		if p.Type != "text" {
			return nil, false
		}
		texts[i] = p.Text
	}
	return texts, true
}
