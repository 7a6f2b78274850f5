package conversations

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Values of Options.LogBodies (gateway.log_bodies).
const (
	BodiesFull      = "full"
	BodiesTruncated = "truncated"
	BodiesOff       = "off"
)

const (
	// MaxBodyBytes caps each of Request and UpstreamRequest in truncated mode.
	MaxBodyBytes = 16 << 10
	// MaxTextBytes caps Output.Text, Output.Thinking and each tool call's
	// arguments in truncated mode.
	MaxTextBytes = 16 << 10
	// minBase64 is the length from which a base64 "data" string or data: URL
	// is replaced by a placeholder in truncated mode.
	minBase64 = 256
)

// applyBodies shapes r's content per mode (full, truncated or off).
func applyBodies(r *Record, mode string) {
	switch mode {
	case BodiesOff:
		r.Request, r.UpstreamRequest = nil, nil
		r.Output.Text, r.Output.Thinking = "", ""
		if r.Output.ToolCalls != nil {
			calls := make([]ToolCall, len(r.Output.ToolCalls))
			for i, c := range r.Output.ToolCalls {
				calls[i] = ToolCall{ID: c.ID, Name: c.Name} // names only
			}
			r.Output.ToolCalls = calls
		}
	case BodiesTruncated:
		var cut [4]bool
		r.Request, cut[0] = truncateBody(r.Request)
		r.UpstreamRequest, cut[1] = truncateBody(r.UpstreamRequest)
		r.Output.Text, cut[2] = capText(r.Output.Text, MaxTextBytes)
		r.Output.Thinking, cut[3] = capText(r.Output.Thinking, MaxTextBytes)
		if r.Output.ToolCalls != nil {
			calls := make([]ToolCall, len(r.Output.ToolCalls))
			for i, c := range r.Output.ToolCalls {
				var cutArgs bool
				c.Arguments, cutArgs = capText(c.Arguments, MaxTextBytes)
				r.Truncated = r.Truncated || cutArgs
				calls[i] = c
			}
			r.Output.ToolCalls = calls
		}
		r.Truncated = r.Truncated || cut[0] || cut[1] || cut[2] || cut[3]
	}
}

// truncateBody replaces base64 payloads by placeholders, then, when the body
// is still over MaxBodyBytes, keeps its first and last MaxBodyBytes/2 bytes as
// a JSON string (the system prompt sits at the head of a conversation and the
// latest turn at its tail). It reports whether anything was removed.
func truncateBody(raw json.RawMessage) (json.RawMessage, bool) {
	if len(raw) == 0 {
		return raw, false
	}
	changed := false
	if bytes.Contains(raw, []byte("base64")) || bytes.Contains(raw, []byte(`"data"`)) {
		if out, ok := stripBase64(raw); ok {
			raw, changed = out, true
		}
	}
	if len(raw) <= MaxBodyBytes {
		return raw, changed
	}
	half := MaxBodyBytes / 2
	head := runeCut(raw, half, true)
	tail := runeCut(raw, half, false)
	s := string(head) + fmt.Sprintf("…[%d bytes omitted]…", len(raw)-len(head)-len(tail)) + string(tail)
	out, err := marshalNoEscape(s)
	if err != nil {
		return nil, true
	}
	return out, true
}

// capText keeps the first max bytes of s (on a rune boundary) and says how
// much was cut.
func capText(s string, max int) (string, bool) {
	if len(s) <= max {
		return s, false
	}
	head := runeCut([]byte(s), max, true)
	return string(head) + fmt.Sprintf("…[%d bytes truncated]", len(s)-len(head)), true
}

// runeCut returns at most n bytes from the head (or tail) of b without
// splitting a UTF-8 sequence.
func runeCut(b []byte, n int, head bool) []byte {
	if len(b) <= n {
		return b
	}
	if head {
		for n > 0 && !utf8.RuneStart(b[n]) {
			n--
		}
		return b[:n]
	}
	start := len(b) - n
	for start < len(b) && !utf8.RuneStart(b[start]) {
		start++
	}
	return b[start:]
}

// stripBase64 rewrites raw with every base64 payload replaced by
// "<N bytes of base64 image>": values of a "data" key that are long base64
// strings (Anthropic image/document sources, OpenAI input_audio) and data:
// URLs (OpenAI image_url). Key order and everything else are kept. It returns
// false when nothing was replaced or raw is not valid JSON.
func stripBase64(raw []byte) ([]byte, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var out bytes.Buffer
	out.Grow(len(raw))
	changed := false
	var value func(key string) error
	value = func(key string) error {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch v := tok.(type) {
		case json.Delim:
			open, end := byte(v), byte('}')
			if v == '[' {
				end = ']'
			}
			out.WriteByte(open)
			for i := 0; dec.More(); i++ {
				if i > 0 {
					out.WriteByte(',')
				}
				k := ""
				if open == '{' {
					t, err := dec.Token()
					if err != nil {
						return err
					}
					k, _ = t.(string)
					writeString(&out, k)
					out.WriteByte(':')
				}
				if err := value(k); err != nil {
					return err
				}
			}
			if _, err := dec.Token(); err != nil { // the closing delimiter
				return err
			}
			out.WriteByte(end)
		case string:
			if p, ok := placeholder(key, v); ok {
				v, changed = p, true
			}
			writeString(&out, v)
		case json.Number:
			out.WriteString(v.String())
		case bool:
			out.WriteString(fmt.Sprint(v))
		case nil:
			out.WriteString("null")
		}
		return nil
	}
	if err := value(""); err != nil || !changed {
		return nil, false
	}
	return out.Bytes(), true
}

// placeholder returns the replacement for a base64 payload.
func placeholder(key, s string) (string, bool) {
	if len(s) < minBase64 {
		return "", false
	}
	if strings.HasPrefix(s, "data:") {
		if i := strings.Index(s, ";base64,"); i >= 0 {
			return fmt.Sprintf("<%d bytes of base64 image>", len(s)-i-len(";base64,")), true
		}
		return "", false
	}
	if key != "data" {
		return "", false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.IndexByte("+/=-_\r\n", c) >= 0) {
			return "", false
		}
	}
	return fmt.Sprintf("<%d bytes of base64 image>", len(s)), true
}

func writeString(out *bytes.Buffer, s string) {
	b, _ := marshalNoEscape(s)
	out.Write(b)
}

// marshalNoEscape is json.Marshal without HTML escaping (so "<" stays
// readable in the files) and without the trailing newline.
func marshalNoEscape(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte{'\n'}), nil
}
