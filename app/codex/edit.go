package codex

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// ProviderID names the provider table the switch writes:
// [model_providers.modelswitch].
const ProviderID = "modelswitch"

// key is one key the switch may touch: a top-level key, or a key of the
// [model_providers.modelswitch] table.
type key struct {
	ID      string // in the record and in Result.Changed
	Name    string // the key inside its table
	InTable bool
}

// The keys the switch may touch, in the order it writes them; nothing else
// is ever changed.
var (
	keyModel    = key{"model", "model", false}
	keyProvider = key{"model_provider", "model_provider", false}
	keyName     = key{"model_providers.modelswitch.name", "name", true}
	keyBaseURL  = key{"model_providers.modelswitch.base_url", "base_url", true}
	keyWireAPI  = key{"model_providers.modelswitch.wire_api", "wire_api", true}
	keyToken    = key{"model_providers.modelswitch.experimental_bearer_token", "experimental_bearer_token", true}
	// env_key is removed while the switch is on: Codex reads it before
	// experimental_bearer_token and fails when the variable is not set.
	keyEnvKey = key{"model_providers.modelswitch.env_key", "env_key", true}
	touchable = []key{keyModel, keyProvider, keyName, keyBaseURL, keyWireAPI, keyToken, keyEnvKey}
)

// tablePath is the provider table's key.
var tablePath = []string{"model_providers", ProviderID}

// path is k's key from the root of the document.
func (k key) path() []string {
	if k.InTable {
		return append(slices.Clone(tablePath), k.Name)
	}
	return []string{k.Name}
}

// value is one key as found in the file: absent, or present with the exact
// TOML text of its value and of its whole statement.
type value struct {
	Present bool   `json:"present"`
	Raw     string `json:"raw,omitempty"`  // the value as written
	Line    string `json:"line,omitempty"` // the statement as written, without its line ending
	// After names the key/value line before it in its table ("" for none),
	// so a key the switch removed goes back to its place.
	After string `json:"after,omitempty"`
}

// stringValue is the value holding the TOML basic string s.
func stringValue(s string) value { return value{Present: true, Raw: quote(s)} }

// quote writes s as a TOML basic string.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// decoded is the value's meaning; ok is false when absent or unparsable.
func (v value) decoded() (any, bool) {
	if !v.Present {
		return nil, false
	}
	var m map[string]any
	if toml.Unmarshal([]byte("v = "+v.Raw), &m) != nil {
		return nil, false
	}
	return m["v"], true
}

// same reports whether v and w are both absent, or both present and equal
// as TOML values (so 'x' and "x" count as the same).
func (v value) same(w value) bool {
	if !v.Present || !w.Present {
		return v.Present == w.Present
	}
	a, aok := v.decoded()
	b, bok := w.decoded()
	if !aok || !bok {
		return v.Raw == w.Raw
	}
	return equal(a, b)
}

// str is the value as a Go string: "" when absent or not a string.
func (v value) str() string {
	s, _ := v.decoded()
	str, _ := s.(string)
	return str
}

// doc is the text of config.toml with its statements and its meaning.
type doc struct {
	path  string
	text  []byte
	stmts []stmt
	sem   map[string]any
	eol   string // the file's line ending, by majority ("\n" for a new file)
}

// parseDoc parses text with the TOML parser (refusing what it refuses with a
// *ParseError) and splits it into statements.
func parseDoc(path string, text []byte) (*doc, error) {
	d := &doc{path: path, text: text, eol: "\n"}
	if crlf := bytes.Count(text, []byte("\r\n")); crlf > 0 && 2*crlf >= bytes.Count(text, []byte("\n")) {
		d.eol = "\r\n" // the ending most lines have
	}
	if err := toml.Unmarshal(text, &d.sem); err != nil {
		return nil, parseError(path, err)
	}
	if d.sem == nil {
		d.sem = map[string]any{}
	}
	var err error
	if d.stmts, err = scan(text); err != nil {
		return nil, fmt.Errorf("codex: %s: %w; nothing written", path, err)
	}
	return d, nil
}

// reparse re-reads the document after an edit; an edit that does not parse
// is a bug here, and nothing is written.
func (d *doc) reparse() error {
	nd, err := parseDoc(d.path, d.text)
	if err != nil {
		return fmt.Errorf("codex: refusing to write %s: the edited text does not parse (%v); nothing written", d.path, err)
	}
	d.stmts, d.sem = nd.stmts, nd.sem
	return nil
}

// table is the index of the [model_providers.modelswitch] header, or -1.
func (d *doc) table() int {
	for i, s := range d.stmts {
		if s.header && !s.array && slices.Equal(s.path, tablePath) {
			return i
		}
	}
	return -1
}

// find is the index of k's key/value statement, or -1.
func (d *doc) find(k key) int {
	t := -1
	if k.InTable {
		if t = d.table(); t < 0 {
			return -1
		}
	}
	for i, s := range d.stmts {
		if !s.header && s.table == t && len(s.path) == 1 && s.path[0] == k.Name {
			return i
		}
	}
	return -1
}

// get returns k as it is in the file.
func (d *doc) get(k key) value {
	i := d.find(k)
	if i < 0 {
		return value{}
	}
	s := d.stmts[i]
	v := value{Present: true, Raw: string(d.text[s.valStart:s.valEnd]), Line: string(trimEOL(d.text[s.start:s.end]))}
	for _, p := range d.stmts[:i] {
		if !p.header && p.table == s.table {
			v.After = strings.Join(p.path, ".")
		}
	}
	return v
}

// set makes k hold v, or removes it when v is absent, changing only its
// value's span, or inserting or deleting its line. The provider table must
// exist for a table key to be inserted (see addTable).
func (d *doc) set(k key, v value) error {
	i := d.find(k)
	switch {
	case !v.Present && i < 0:
		return nil
	case !v.Present:
		d.deleteLines(d.stmts[i].start, d.stmts[i].end)
	case i >= 0:
		s := d.stmts[i]
		d.text = slices.Concat(d.text[:s.valStart], []byte(v.Raw), d.text[s.valEnd:])
	default:
		pos, indent, err := d.insertionPoint(k)
		if err != nil {
			return err
		}
		line := v.Line
		if line == "" {
			line = indent + k.Name + " = " + v.Raw
		} else {
			pos = d.placeOf(k, v.After, pos)
		}
		d.insertLine(pos, line)
	}
	return d.reparse()
}

// insertionPoint is where a new key of k's table goes: after the table's
// last key/value statement (copying its indentation), else after the
// header; a new top-level key with none before it goes to the top.
func (d *doc) insertionPoint(k key) (pos int, indent string, err error) {
	t := -1
	if k.InTable {
		if t = d.table(); t < 0 {
			return 0, "", fmt.Errorf("codex: internal error: no [model_providers.%s] table to add %s to", ProviderID, k.Name)
		}
		pos = d.stmts[t].end
	}
	for _, s := range d.stmts {
		if !s.header && s.table == t {
			pos = s.end
			line := d.text[s.start:s.valStart]
			indent = string(line[:len(line)-len(bytes.TrimLeft(line, " \t"))])
		}
	}
	return pos, indent, nil
}

// placeOf is where a key that was removed goes back: after the line named
// after (at the top of its table when after is ""), else at fallback.
func (d *doc) placeOf(k key, after string, fallback int) int {
	t := -1
	if k.InTable {
		t = d.table()
	}
	if after == "" && t >= 0 {
		return d.stmts[t].end
	}
	for _, s := range d.stmts {
		if !s.header && s.table == t && after != "" && strings.Join(s.path, ".") == after {
			return s.end
		}
	}
	return fallback
}

// insertLine inserts line at pos (the start of a line, or the end of the
// text). At the end of a text without a final line ending the line goes
// after a new line ending and gets none itself, so the file keeps its style
// and deleteLines is the exact inverse.
func (d *doc) insertLine(pos int, line string) {
	if pos == len(d.text) && len(d.text) > 0 && !bytes.HasSuffix(d.text, []byte("\n")) {
		d.text = slices.Concat(d.text, []byte(d.eol+line))
		return
	}
	d.text = slices.Concat(d.text[:pos], []byte(line+d.eol), d.text[pos:])
}

// deleteLines removes the lines [start, end); when they end the text
// without a line ending, the line ending before them goes too.
func (d *doc) deleteLines(start, end int) {
	if end == len(d.text) && !bytes.HasSuffix(d.text, []byte("\n")) && start > 0 {
		start -= eolBefore(d.text, start)
	}
	d.text = slices.Concat(d.text[:start], d.text[end:])
}

// eolBefore is the length of the line ending just before off (0, 1 or 2).
func eolBefore(text []byte, off int) int {
	switch {
	case off >= 2 && text[off-2] == '\r' && text[off-1] == '\n':
		return 2
	case off >= 1 && text[off-1] == '\n':
		return 1
	}
	return 0
}

func trimEOL(b []byte) []byte {
	return bytes.TrimSuffix(bytes.TrimSuffix(b, []byte("\n")), []byte("\r"))
}

// endsBlank reports whether the text ends with an empty line.
func endsBlank(text []byte) bool {
	if !bytes.HasSuffix(text, []byte("\n")) {
		return false
	}
	body := trimEOL(text)
	last := body[bytes.LastIndexByte(body, '\n')+1:]
	return len(bytes.TrimSpace(last)) == 0
}

// addTable appends an empty [model_providers.modelswitch] table at the end,
// after a blank line unless the text is blank or already ends with one;
// sep says whether that blank line was added.
func (d *doc) addTable() (sep bool, err error) {
	header := "[model_providers." + ProviderID + "]"
	sep = len(bytes.TrimSpace(d.text)) > 0 && !endsBlank(d.text)
	gap := ""
	if sep {
		gap = d.eol
	}
	switch {
	case len(d.text) == 0:
		d.text = []byte(header + d.eol)
	case bytes.HasSuffix(d.text, []byte("\n")):
		d.text = slices.Concat(d.text, []byte(gap+header+d.eol))
	default: // no final line ending: keep it that way
		d.text = slices.Concat(d.text, []byte(d.eol+gap+header))
	}
	return sep, d.reparse()
}

// dropTable removes the [model_providers.modelswitch] header that addTable
// added, once nothing is left in its table (no key, no comment), and the
// blank line before it when sep says addTable added it.
func (d *doc) dropTable(sep bool) error {
	t := d.table()
	if t < 0 {
		return nil
	}
	end := len(d.text)
	for _, s := range d.stmts[t+1:] {
		if s.header {
			end = s.start
			break
		}
		return nil // a key the user added
	}
	if len(bytes.TrimSpace(d.text[d.stmts[t].end:end])) > 0 {
		return nil // a comment the user added
	}
	start := d.stmts[t].start
	if e := start - eolBefore(d.text, start); sep && start > 0 {
		if ls := bytes.LastIndexByte(d.text[:e], '\n') + 1; len(bytes.TrimSpace(d.text[ls:e])) == 0 {
			start = ls // the blank line addTable put before the header
		}
	}
	d.deleteLines(start, end)
	return d.reparse()
}
