package codex

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pelletier/go-toml/v2"
)

// tricky holds what a line-based editor gets wrong: a multi-line string
// whose content looks like a header and like the switch's keys, an array
// over several lines with comments and brackets in strings, an inline
// table, a date-time with a space, quoted and dotted keys with escapes,
// and a comment with brackets.
const tricky = `# top [not a header]
"model\u005fx" = 1   # a quoted key with an escape
instructions = """
[model_providers.modelswitch]
model = "inside a string" \"""
"""
lit = '''
model_provider = 'x' '''''
arr = [
  "a]", # ] in a comment
  ['b', "c,d"],
]
when = 1979-05-27 07:32:00Z
inline = { a = 1, "b.c" = [1, 2], d = { e = "}" } }
site."google.com" . port = 443

[ "projects" . '/home/u' ]   # spaced header
trust_level = "trusted"
[[mcp]]
name = 'x'
`

func TestScan(t *testing.T) {
	var m map[string]any
	if err := toml.Unmarshal([]byte(tricky), &m); err != nil {
		t.Fatalf("the fixture is not TOML: %v", err)
	}
	stmts, err := scan([]byte(tricky))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range stmts {
		kind := "pair"
		if s.header {
			kind = "header"
			if s.array {
				kind = "array"
			}
		}
		got = append(got, fmt.Sprintf("%s %q table=%d value=%q", kind, s.path, s.table, tricky[s.valStart:s.valEnd]))
		if s.start > 0 && tricky[s.start-1] != '\n' || s.end < len(tricky) && tricky[s.end-1] != '\n' {
			t.Errorf("%v does not span whole lines", s.path)
		}
	}
	want := []string{
		`pair ["model_x"] table=-1 value="1"`,
		`pair ["instructions"] table=-1 value="\"\"\"\n[model_providers.modelswitch]\nmodel = \"inside a string\" \\\"\"\"\n\"\"\""`,
		`pair ["lit"] table=-1 value="'''\nmodel_provider = 'x' '''''"`,
		`pair ["arr"] table=-1 value="[\n  \"a]\", # ] in a comment\n  ['b', \"c,d\"],\n]"`,
		`pair ["when"] table=-1 value="1979-05-27 07:32:00Z"`,
		`pair ["inline"] table=-1 value="{ a = 1, \"b.c\" = [1, 2], d = { e = \"}\" } }"`,
		`pair ["site" "google.com" "port"] table=-1 value="443"`,
		`header ["projects" "/home/u"] table=-1 value=""`,
		`pair ["trust_level"] table=7 value="\"trusted\""`,
		`array ["mcp"] table=-1 value=""`,
		`pair ["name"] table=9 value="'x'"`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestScanLineEndings: CRLF files and a last line without a line ending.
func TestScanLineEndings(t *testing.T) {
	text := "a = 1\r\n[t]\r\nb = \"x\" # c\r\nc = 2"
	stmts, err := scan([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if len(stmts) != 4 || stmts[0].end != 7 || stmts[2].end != 25 || stmts[3].end != len(text) {
		t.Fatalf("spans %+v", stmts)
	}
}

// TestInsertDeleteInverse: deleting a line just inserted gives back the
// original text byte for byte, at the top, in the middle and at the end,
// with and without a final line ending.
func TestInsertDeleteInverse(t *testing.T) {
	for _, in := range []string{"", "a = 1", "a = 1\n", "a = 1\r\nb = 2\r\n", "a = 1\n\n[t]\nb = 2", "# only a comment"} {
		for _, at := range []string{"top", "end"} {
			d, err := parseDoc("config.toml", []byte(in))
			if err != nil {
				t.Fatal(err)
			}
			pos := 0
			if at == "end" {
				pos = len(in)
			}
			d.insertLine(pos, "zz = 9")
			if err := d.reparse(); err != nil {
				t.Fatalf("%q %s: %v (%q)", in, at, err, d.text)
			}
			i := d.find(key{Name: "zz"})
			if at == "end" && strings.Contains(in, "[t]") {
				i = len(d.stmts) - 1
			}
			d.deleteLines(d.stmts[i].start, d.stmts[i].end)
			if string(d.text) != in {
				t.Errorf("%q %s: insert+delete gave %q", in, at, d.text)
			}
		}
	}
}

func TestQuote(t *testing.T) {
	for _, s := range []string{"plain", `a"b\c`, "tab\tnew\nline\x7f", "ünïcödé ✓"} {
		var m map[string]any
		if err := toml.Unmarshal([]byte("v = "+quote(s)), &m); err != nil || m["v"] != s {
			t.Errorf("%q: %v %v", s, m, err)
		}
	}
}
