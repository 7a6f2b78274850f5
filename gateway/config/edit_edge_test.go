package config

import (
	"errors"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// Small layouts outside the sample config: each edit must give exactly want.
func TestEditLayouts(t *testing.T) {
	flowNode := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle, Content: []*yaml.Node{strNode("a"), strNode("b")}}
	tests := []struct {
		name, in string
		edit     func(d *Document) error
		want     string
	}{
		{"empty file", "", func(d *Document) error { return d.Set(Path{K("gateway")}, map[string]int{"port": 9000}) },
			"gateway:\n  port: 9000\n"},
		{"comments only", "# header\n", func(d *Document) error { return d.Append(Path{K("api_keys")}, map[string]string{"key": "k"}) },
			"# header\napi_keys:\n  - key: k\n"},
		{"document marker only", "---\n", func(d *Document) error { return d.Set(Path{K("a")}, 1) },
			"---\na: 1\n"},
		{"no final newline", "a: 1\nb: 2", func(d *Document) error { return d.Set(Path{K("c")}, 3) },
			"a: 1\nb: 2\nc: 3"},
		{"delete last line without newline", "a: 1\nb: 2", func(d *Document) error { return d.Delete(Path{K("b")}) },
			"a: 1"},
		{"delete only top-level key", "# keep\n\na: 1\n", func(d *Document) error { return d.Delete(Path{K("a")}) },
			"# keep\n\n"},
		{"null value", "models:\nkeys: ~\n", func(d *Document) error { return d.Set(Path{K("models"), K("m")}, map[string]string{"mode": "chain"}) },
			"models:\n  m:\n    mode: chain\nkeys: ~\n"},
		{"null value with comment", "models:   # none yet\nx: 1\n", func(d *Document) error { return d.Set(Path{K("models")}, "v") },
			"models: v   # none yet\nx: 1\n"},
		{"append to null", "keys: null  # later\n", func(d *Document) error { return d.Append(Path{K("keys")}, "a") },
			"keys:  # later\n  - a\n"},
		{"empty flow mapping parent", "h: {}\n", func(d *Document) error { return d.Set(Path{K("h"), K("X-A")}, "1") },
			"h:\n  X-A: \"1\"\n"},
		{"unicode keys and values", "名前: 值 # 注释\n中文:\n  - 甲\n", func(d *Document) error { return d.Set(Path{K("名前")}, "新值") },
			"名前: 新值 # 注释\n中文:\n  - 甲\n"},
		{"unicode rename", "模型:\n  通义: {mode: chain}\n", func(d *Document) error { return d.RenameKey(Path{K("模型"), K("通义")}, "千问") },
			"模型:\n  千问: {mode: chain}\n"},
		{"compact sequence", "k:\n- a\n- b\nz: 1\n", func(d *Document) error { return d.Append(Path{K("k")}, "c") },
			"k:\n- a\n- b\n- c\nz: 1\n"},
		{"delete first key on dash line", "s:\n  - name: a   # n\n    x: 1\n", func(d *Document) error { return d.Delete(Path{K("s"), I(0), K("name")}) },
			"s:\n  - x: 1\n"},
		{"delete only key on dash line", "s:\n  - name: a\n  - name: b\n", func(d *Document) error { return d.Delete(Path{K("s"), I(1), K("name")}) },
			"s:\n  - name: a\n  - {}\n"},
		{"set sequence element", "l:\n  - a  # x\n  - b\n", func(d *Document) error { return d.Set(Path{K("l"), I(0)}, "c: d") },
			"l:\n  - 'c: d' # x\n  - b\n"},
		{"replace matched element", "s:\n  - name: a  # first\n    x: 1\n  - name: b\n", func(d *Document) error {
			return d.Set(Path{K("s"), M("name", "a")}, map[string]any{"z": 2, "name": "c"})
		}, "s:\n  - name: c\n    z: 2\n  - name: b\n"},
		{"nested sequence", "s:\n  - - a\n    - b\n", func(d *Document) error { return d.Delete(Path{K("s"), I(0), I(0)}) },
			"s:\n  - - b\n"},
		{"block scalar", "a: |\n  line 1\n  # not a comment\nb: 2\n", func(d *Document) error { return d.Set(Path{K("a")}, "x") },
			"a: x\nb: 2\n"},
		{"multi-line string value", "a: 1 # c\nb: 2\n", func(d *Document) error { return d.Set(Path{K("a")}, "l1\nl2") },
			"a: |- # c\n  l1\n  l2\nb: 2\n"},
		{"multi-line plain scalar", "a: one\n  two\n\n  three\nb: 2\n", func(d *Document) error { return d.Set(Path{K("a")}, "x") },
			"a: x\nb: 2\n"},
		{"multi-line flow", "a: [1,\n  2]  # x\nb: 2\n", func(d *Document) error { return d.Set(Path{K("a")}, []int{3}) },
			"a: [3]\nb: 2\n"},
		{"block to inline keeps key comment", "a:   # list\n  - 1\n  - 2\nb: 2\n", func(d *Document) error { return d.Set(Path{K("a")}, "none") },
			"a: none   # list\nb: 2\n"},
		{"caller node keeps its style", "a:\n  - 1\n", func(d *Document) error { return d.Set(Path{K("a")}, flowNode) },
			"a: {a: b}\n"},
		{"four-space indent", "gateway:\n    port: 1\n", func(d *Document) error { return d.Set(Path{K("gateway"), K("cb")}, map[string]int{"failures": 3}) },
			"gateway:\n    port: 1\n    cb:\n        failures: 3\n"},
		{"string needing quotes", "a: x\n", func(d *Document) error { return d.Set(Path{K("a")}, "yes: #1") },
			"a: 'yes: #1'\n"},
		{"env text kept verbatim", "k: a\n", func(d *Document) error { return d.Set(Path{K("k")}, "${SECRET}") },
			"k: ${SECRET}\n"},
		{"rename quoted key", "\"a b\": 1\n", func(d *Document) error { return d.RenameKey(Path{K("a b")}, "c: d") },
			"\"c: d\": 1\n"},
		{"rename in flow needs quotes", "m: {a: 1, b: 2}\n", func(d *Document) error { return d.RenameKey(Path{K("m"), K("a")}, "x,y") },
			"m: {'x,y': 1, b: 2}\n"},
		{"delete in flow", "m: {a: 1, b: 2} # c\n", func(d *Document) error { return d.Delete(Path{K("m"), K("a")}) },
			"m: {b: 2} # c\n"},
		{"crlf insert", "a:\r\n  b: 1\r\n", func(d *Document) error { return d.Set(Path{K("a"), K("c")}, []string{"x"}) },
			"a:\r\n  b: 1\r\n  c:\r\n    - x\r\n"},
		{"anchors fall back to a valid file", "base: &b {x: 1}\nuse: *b\n", func(d *Document) error { return d.Set(Path{K("base"), K("x")}, 2) },
			"base: &b {x: 2}\nuse: *b\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := ParseDocument([]byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if err := tc.edit(d); err != nil {
				t.Fatal(err)
			}
			fallback := map[string]int{"rename in flow needs quotes": 1, "delete in flow": 1, "anchors fall back to a valid file": 1}
			if d.reencoded != fallback[tc.name] {
				t.Errorf("reencoded = %d, want %d", d.reencoded, fallback[tc.name])
			}
			if got := string(d.Bytes()); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

func TestEditErrors(t *testing.T) {
	const src = "providers:\n  - name: a\n    base_url: http://x\nmodels:\n  m: {mode: chain}\nlist: [1]\n"
	tests := []struct {
		name string
		edit func(d *Document) error
		want string // substring of the error
		nf   bool   // wraps ErrPathNotFound
	}{
		{"missing key", func(d *Document) error { return d.Set(Path{K("gateway"), K("port")}, 1) }, "set gateway.port: gateway: path not found", true},
		{"no such element", func(d *Document) error { return d.Set(Path{K("providers"), M("name", "zz"), K("x")}, 1) }, "providers[name=zz]: no element with name=zz", true},
		{"index out of range", func(d *Document) error { return d.Delete(Path{K("providers"), I(3)}) }, "providers[3]: index out of range (1 elements)", true},
		{"key into sequence", func(d *Document) error { return d.Set(Path{K("providers"), K("name")}, "x") }, "providers is a sequence, not a mapping", false},
		{"index into mapping", func(d *Document) error { return d.Delete(Path{K("models"), I(0)}) }, "models is a mapping, not a sequence", false},
		{"index into scalar", func(d *Document) error { return d.Set(Path{K("providers"), I(0), K("name"), I(0)}, 1) }, "providers[0].name is a scalar", false},
		{"set new index", func(d *Document) error { return d.Set(Path{K("list"), I(1)}, 2) }, "index out of range", true},
		{"append to mapping", func(d *Document) error { return d.Append(Path{K("models")}, 1) }, "models is a mapping, not a sequence", false},
		{"delete missing", func(d *Document) error { return d.Delete(Path{K("models"), K("nope")}) }, "delete models.nope: models.nope: path not found", true},
		{"rename to existing", func(d *Document) error { return d.RenameKey(Path{K("models"), K("m")}, "m") }, "", false},
		{"rename onto other key", func(d *Document) error { return d.RenameKey(Path{K("providers")}, "models") }, `the document already has the key "models"`, false},
		{"rename element", func(d *Document) error { return d.RenameKey(Path{K("providers"), I(0)}, "x") }, "must end with a key", false},
		{"rename multi-line", func(d *Document) error { return d.RenameKey(Path{K("models")}, "a\nb") }, "line break", false},
		{"empty path", func(d *Document) error { return d.Set(nil, 1) }, "empty path", false},
		{"delete document", func(d *Document) error { return d.Delete(Path{}) }, "whole document", false},
		{"zero step", func(d *Document) error { return d.Set(Path{Step{}, K("a")}, 1) }, "invalid step", false},
		{"bad value", func(d *Document) error { return d.Set(Path{K("x")}, func() {}) }, "set x:", false},
		{"nil node", func(d *Document) error { return d.Set(Path{K("x")}, (*yaml.Node)(nil)) }, "nil *yaml.Node", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := ParseDocument([]byte(src))
			if err != nil {
				t.Fatal(err)
			}
			err = func() (err error) {
				defer func() {
					if r := recover(); r != nil {
						err = errors.New("panic")
					}
				}()
				return tc.edit(d)
			}()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
			} else if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want it to contain %q", err, tc.want)
			}
			if errors.Is(err, ErrPathNotFound) != tc.nf {
				t.Errorf("errors.Is(%v, ErrPathNotFound) = %v", err, !tc.nf)
			}
			if string(d.Bytes()) != src {
				t.Errorf("a failed edit changed the text:\n%s", d.Bytes())
			}
		})
	}
}

func TestParseDocumentErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"a: 1\n b: 2\n", "line 2"},
		{"a: [1\n", "line"},
		{"a: 1\n---\nb: 2\n", "more than one document"},
	} {
		if _, err := ParseDocument([]byte(tc.in)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseDocument(%q) = %v, want an error with %q", tc.in, err, tc.want)
		}
	}
}

func TestPathString(t *testing.T) {
	p := Path{K("providers"), M("name", "x"), K("a.b"), I(-1)}
	if got, want := p.String(), `providers[name=x]."a.b"[-1]`; got != want {
		t.Errorf("String = %s, want %s", got, want)
	}
}
