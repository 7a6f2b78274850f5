package claudecode

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
)

// The env keys the switch may touch.
const (
	KeyBaseURL   = "ANTHROPIC_BASE_URL"
	KeyAuthToken = "ANTHROPIC_AUTH_TOKEN"
	KeyAPIKey    = "ANTHROPIC_API_KEY"
	KeyModel     = "ANTHROPIC_MODEL"
)

// touchable lists every key the switch may write, in the order it writes
// them; nothing outside this list is ever changed.
var touchable = []string{KeyBaseURL, KeyAuthToken, KeyAPIKey, KeyModel}

// value is one env key as found in the file: absent, or present with its
// exact JSON text.
type value struct {
	Present bool            `json:"present"`
	Raw     json.RawMessage `json:"raw,omitempty"`
}

// stringValue is the value holding the JSON string s.
func stringValue(s string) value {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return value{Present: true, Raw: bytes.TrimSuffix(b.Bytes(), []byte("\n"))}
}

// same reports whether v and w are both absent, or both present and equal
// as JSON values (so a re-escaped string still counts as the same).
func (v value) same(w value) bool {
	if !v.Present || !w.Present {
		return v.Present == w.Present
	}
	var a, b any
	if json.Unmarshal(v.Raw, &a) != nil || json.Unmarshal(w.Raw, &b) != nil {
		return bytes.Equal(v.Raw, w.Raw)
	}
	return reflect.DeepEqual(a, b)
}

// str is the value as a Go string: "" when absent or not a JSON string.
func (v value) str() string {
	var s string
	if v.Present {
		_ = json.Unmarshal(v.Raw, &s)
	}
	return s
}

// doc is the text of settings.json with the spans of its top-level object
// and of its "env" object.
type doc struct {
	path   string
	text   []byte
	root   object
	env    *object // nil when there is no "env" member
	envIdx int     // index of "env" in root.members
}

// emptyObject is what a missing or blank file is edited as.
const emptyObject = "{}\n"

// parseDoc parses text (a blank text counts as an empty object) and refuses
// what the switch cannot edit safely: text that is not a JSON object, two
// top-level "env" members, an "env" that is not an object, and a key the
// switch touches appearing twice inside "env".
func parseDoc(path string, text []byte) (*doc, error) {
	if len(bytes.TrimSpace(text)) == 0 {
		text = []byte(emptyObject)
	}
	d := &doc{path: path, text: text}
	return d, d.reparse()
}

func (d *doc) reparse() error {
	root, err := parseRoot(d.path, d.text)
	if err != nil {
		return err
	}
	d.root, d.env, d.envIdx = root, nil, -1
	for i, m := range root.members {
		if m.name != "env" {
			continue
		}
		if m.duplicate {
			return d.errAt(m.keyStart, `the top-level key "env" appears twice`)
		}
		if !m.valueIsObject {
			return d.errAt(m.valStart, `"env" is not a JSON object`)
		}
		env, err := parseObject(d.text, m.valStart)
		if err != nil {
			return d.errAt(m.valStart, err.Error())
		}
		for _, em := range env.members {
			if em.duplicate && slices.Contains(touchable, em.name) {
				return d.errAt(em.keyStart, fmt.Sprintf("env.%s appears twice", em.name))
			}
		}
		d.env, d.envIdx = &env, i
	}
	return nil
}

// errAt is a *ParseError pointing at d.text[off].
func (d *doc) errAt(off int, reason string) error {
	line := 1 + bytes.Count(d.text[:off], []byte("\n"))
	col := off - bytes.LastIndexByte(d.text[:off], '\n')
	return &ParseError{Path: d.path, Line: line, Column: col, Reason: reason}
}

// compact reports whether the file is written on one line (a minified
// object with members), in which case inserted members stay inline.
func (d *doc) compact() bool {
	return len(d.root.members) > 0 && !bytes.Contains(d.text[d.root.open:d.root.close], []byte("\n"))
}

// get returns env.key.
func (d *doc) get(key string) value {
	if d.env == nil {
		return value{}
	}
	if k := d.env.find(key); k >= 0 {
		m := d.env.members[k]
		return value{Present: true, Raw: slices.Clone(d.text[m.valStart:m.valEnd])}
	}
	return value{}
}

// set makes env.key hold v (or removes it when v is absent), changing no
// other byte of the file than the member's own span and one separator.
// It creates "env" as the last top-level member when needed.
func (d *doc) set(key string, v value) error {
	if !v.Present {
		if d.env == nil {
			return nil
		}
		if k := d.env.find(key); k >= 0 {
			d.text = deleteMember(d.text, *d.env, k)
			return d.reparse()
		}
		return nil
	}
	if d.env == nil {
		d.text = insertMember(d.text, d.root, "env", []byte("{}"), d.compact())
		if err := d.reparse(); err != nil {
			return err
		}
	}
	if k := d.env.find(key); k >= 0 {
		m := d.env.members[k]
		d.text = splice(d.text, m.valStart, m.valEnd, v.Raw)
	} else {
		d.text = insertMember(d.text, *d.env, key, v.Raw, d.compact())
	}
	return d.reparse()
}

// dropEmptyEnv removes an "env" object that has no members left.
func (d *doc) dropEmptyEnv() error {
	if d.env == nil || len(d.env.members) > 0 {
		return nil
	}
	d.text = deleteMember(d.text, d.root, d.envIdx)
	return d.reparse()
}

// isBlankObject reports whether the text is an empty object and nothing else.
func (d *doc) isBlankObject() bool {
	return len(d.root.members) == 0 && len(bytes.TrimSpace(d.text)) == len(bytes.TrimSpace(d.text[d.root.open:d.root.close+1]))
}

// verify checks, before anything is written, that after is valid JSON that
// differs from before only in the env keys the switch touches: every other
// top-level member and every other env member must be byte-identical.
func verify(path string, before, after []byte) error {
	a, ae, err := members(before)
	if err != nil {
		return err
	}
	b, be, err := members(after)
	if err != nil {
		return fmt.Errorf("claudecode: refusing to write %s: the edited text does not parse (%v); nothing written", path, err)
	}
	if d := diff(a, b, "env"); d != "" {
		return fmt.Errorf("claudecode: refusing to write %s: the edit would change key %q; nothing written", path, d)
	}
	if d := diff(ae, be, touchable...); d != "" {
		return fmt.Errorf("claudecode: refusing to write %s: the edit would change env.%s; nothing written", path, d)
	}
	return nil
}

// members decodes the top level and the env object of text.
func members(text []byte) (top, env map[string]json.RawMessage, err error) {
	if len(bytes.TrimSpace(text)) == 0 {
		text = []byte(emptyObject)
	}
	if err = json.Unmarshal(text, &top); err != nil {
		return nil, nil, err
	}
	if raw, ok := top["env"]; ok {
		if err = json.Unmarshal(raw, &env); err != nil {
			return nil, nil, err
		}
	}
	return top, env, nil
}

// diff returns a key, outside skip, whose raw text differs between a and b.
func diff(a, b map[string]json.RawMessage, skip ...string) string {
	for _, m := range []map[string]json.RawMessage{a, b} {
		for k := range m {
			if !slices.Contains(skip, k) && !bytes.Equal(a[k], b[k]) {
				return k
			}
		}
	}
	return ""
}
