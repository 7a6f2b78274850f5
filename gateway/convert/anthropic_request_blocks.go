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
)

// areqToolResult renders a tool_result's content as the text of a tool message.
func areqToolResult(b areqBlock, path string, names *ToolNames) (string, error) {
	var texts []string
	if k := areqKind(b.Content); k != "null" {
		blocks, err := areqBlocks(b.Content, path+".content")
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
func areqArguments(raw json.RawMessage, path string) (string, error) {
	switch areqKind(raw) {
	case "null":
		return "{}", nil
	case "object":
		var buf bytes.Buffer
		_ = json.Compact(&buf, raw)
		return buf.String(), nil
	}
	return "", badRequest("%s: must be an object, got %s", path, areqKind(raw))
}

// areqSchema turns an input_schema into OpenAI function parameters: "$schema"
// stripped everywhere (pitfall 24), an empty schema becomes an empty object
// schema (pitfall 25), a missing "type" becomes "object".
func areqSchema(raw json.RawMessage, path string) (json.RawMessage, error) {
	m := map[string]json.RawMessage{}
	if k := areqKind(raw); k != "null" && (k != "object" || json.Unmarshal(raw, &m) != nil) {
		return nil, badRequest("%s: must be a JSON Schema object, got %s", path, k)
	}
	delete(m, "$schema")
	if t, ok := m["type"]; !ok {
		m["type"] = json.RawMessage(`"object"`)
	} else if string(bytes.TrimSpace(t)) != `"object"` {
		return nil, badRequest(`%s.type: must be "object"`, path)
	}
	if _, ok := m["properties"]; !ok {
		m["properties"] = json.RawMessage(`{}`)
	}
	for k, v := range m {
		if bytes.Contains(v, []byte(`"$schema"`)) {
			var x any
			d := json.NewDecoder(bytes.NewReader(v))
			d.UseNumber()
			_ = d.Decode(&x)
			areqStrip(x, areqSchemaMaps[k])
			m[k], _ = json.Marshal(x)
		}
	}
	return json.Marshal(m)
}

// areqSchemaMaps are keywords whose value maps names to schemas, so their own
// keys are property names, never keywords.
var areqSchemaMaps = map[string]bool{"properties": true, "$defs": true, "definitions": true,
	"patternProperties": true, "dependentSchemas": true}

func areqStrip(v any, nameMap bool) {
	switch x := v.(type) {
	case map[string]any:
		if _, isObj := x["$schema"].(map[string]any); !nameMap || !isObj {
			delete(x, "$schema") // in a name map, only a property schema named "$schema" stays
		}
		for k, sub := range x {
			areqStrip(sub, !nameMap && areqSchemaMaps[k])
		}
	case []any:
		for _, e := range x {
			areqStrip(e, false)
		}
	}
}

// areqBlocks decodes content that is a string (one text block) or an array of blocks.
func areqBlocks(raw json.RawMessage, path string) ([]areqBlock, error) {
	switch areqKind(raw) {
	case "string":
		var s string
		_ = json.Unmarshal(raw, &s)
		return []areqBlock{{Type: "text", Text: s}}, nil
	case "array":
		var raws []json.RawMessage
		_ = json.Unmarshal(raw, &raws)
		out := make([]areqBlock, len(raws))
		for j, braw := range raws {
			p := fmt.Sprintf("%s[%d]", path, j)
			if areqKind(braw) != "object" {
				return nil, badRequest("%s: must be a content block object, got %s", p, areqKind(braw))
			}
			if err := json.Unmarshal(braw, &out[j]); err != nil {
				return nil, areqDecodeErr(p, err)
			}
		}
		return out, nil
	}
	return nil, badRequest("%s: must be a string or an array of content blocks, got %s", path, areqKind(raw))
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
