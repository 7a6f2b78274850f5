package codex

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/pelletier/go-toml/v2"
)

// genConfig writes a random config.toml from the pieces people use: comments
// and blank lines anywhere, the switch's keys present or absent (in several
// spellings), other tables and arrays of tables, inline tables, multi-line
// strings holding text that looks like the switch's lines, an existing
// [model_providers.modelswitch] table with extra keys and a sub-table, CRLF
// line endings, with or without a final line ending. Exactly one line reads
// "marker = 1", so a test can make an unrelated edit.
func genConfig(r *rand.Rand) string {
	pick := func(opts ...string) string { return opts[r.IntN(len(opts))] }
	maybe := func(p float64) bool { return r.Float64() < p }
	var lines []string
	add := func(ls ...string) { lines = append(lines, ls...) }
	filler := func() {
		if maybe(0.3) {
			add(pick("# a comment", "", "   # indented [not = a header]", "\t"))
		}
	}
	if maybe(0.3) {
		add("# Codex configuration", "")
	}
	var root []string
	if maybe(0.6) {
		root = append(root, pick(`model = "gpt-5-codex"`, `model='o3'   # mine`, `"model" = "m1"`, `model = "m1"`))
	}
	if maybe(0.5) {
		root = append(root, pick(`model_provider = "openai"`, `model_provider="azure"`, `  model_provider = 'modelswitch'`))
	}
	root = append(root, pick(`approval_policy = "never"`, `sandbox_mode = "workspace-write"`, `model_reasoning_effort = "high" # fast`))
	if maybe(0.4) {
		root = append(root, "instructions = \"\"\"\n[model_providers.modelswitch]\nmodel = \"not this\"\n\"\"\"")
	}
	if maybe(0.3) {
		root = append(root, `shell_environment_policy = { inherit = "core", exclude = ["AWS_*", "x]"] }`)
	}
	if maybe(0.3) {
		root = append(root, "notify = [\n  \"say\", # spoken\n  \"done\",\n]")
	}
	r.Shuffle(len(root), func(i, j int) { root[i], root[j] = root[j], root[i] })
	if maybe(0.15) {
		root = nil // no top-level keys at all
	}
	for _, l := range root {
		add(l)
		filler()
	}
	tables := [][]string{
		{"[features]", "plugins = false"},
		{"[analytics]", "enabled = false"},
		{`[projects."/home/u/src"]`, `trust_level = "trusted"`},
		{"[mcp_servers.docs]", `command = "npx"`, `args = ["-y", "docs"]`, `env = { TOKEN = "t" }`},
		{"[[skills]]", `name = 'x'`},
		{"[model_providers.azure]", `name = "Azure"`, `base_url = "https://azure/v1"`, `env_key = "AZ"`},
		{"[profiles.fast]", `model = "gpt-5-mini"`},
	}
	if maybe(0.5) {
		ms := []string{"[model_providers.modelswitch]"}
		for _, l := range []string{`name = "MS"`, `base_url = "http://127.0.0.1:8000/v1"`, `env_key = "MODELSWITCH_API_KEY"`,
			`wire_api = "responses"`, `request_max_retries = 2`, `experimental_bearer_token = "old"`} {
			if maybe(0.5) {
				ms = append(ms, pick("", "  ", "\t")+l)
			}
		}
		tables = append(tables, ms)
		if maybe(0.3) {
			tables = append(tables, []string{"[model_providers.modelswitch.http_headers]", `X-Team = "core"`})
		}
	}
	r.Shuffle(len(tables), func(i, j int) { tables[i], tables[j] = tables[j], tables[i] })
	tables = tables[:r.IntN(len(tables)+1)]
	marked := false
	if maybe(0.5) || len(tables) == 0 {
		add("marker = 1")
		marked = true
	}
	for i, tb := range tables {
		if maybe(0.7) {
			add("")
		}
		add(tb...)
		if !marked && (i == len(tables)-1 || maybe(0.3)) && !strings.HasPrefix(tb[0], "[[") {
			add("marker = 1")
			marked = true
		}
		filler()
	}
	if !marked {
		add("[marked]", "marker = 1")
	}
	eol := pick("\n", "\r\n")
	text := strings.Join(lines, eol)
	if maybe(0.7) {
		text += eol
	}
	return text
}

// TestRoundTripGenerated: for many generated files, switch-on edits only
// the switch's keys (checked against the TOML parser), switch-off gives
// back the original bytes, and after an unrelated edit made while on,
// switch-off gives back the original plus that edit.
func TestRoundTripGenerated(t *testing.T) {
	n := 400
	if testing.Short() {
		n = 60
	}
	r := rand.New(rand.NewPCG(15, 2026))
	for i := range n {
		in := genConfig(r)
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			var before map[string]any
			if err := toml.Unmarshal([]byte(in), &before); err != nil {
				t.Fatalf("generated an invalid file (%v):\n%s", err, in)
			}
			f := newFixture(t)
			f.write(in)
			f.enable(testOpts)
			on := f.read()
			var after map[string]any
			if err := toml.Unmarshal([]byte(on), &after); err != nil {
				t.Fatalf("switched-on file does not parse: %v\n%s", err, on)
			}
			if !equal(withoutOwned(before), withoutOwned(after)) {
				t.Fatalf("other keys changed:\n%s\n---\n%s", in, on)
			}
			st, _ := f.sw.Status()
			if !st.Enabled || !st.ModelSet {
				t.Fatalf("not enabled: %+v\n%s", st, on)
			}
			if v, _ := lookup(after, "model_providers", ProviderID, "experimental_bearer_token"); v != testToken {
				t.Fatalf("token %v", v)
			}
			if _, set := lookup(after, "model_providers", ProviderID, "env_key"); set {
				t.Fatal("env_key left while on")
			}
			f.disable()
			if got := f.read(); got != in {
				t.Fatalf("switch-off did not restore the bytes:\n%q\nwant\n%q", got, in)
			}

			// The same with an unrelated edit in between: the generic path.
			f.enable(testOpts)
			f.write(strings.Replace(f.read(), "marker = 1", "marker = 2", 1))
			if res := f.disable(); len(res.Kept) != 0 {
				t.Fatalf("Kept %v", res.Kept)
			}
			if got, want := f.read(), strings.Replace(in, "marker = 1", "marker = 2", 1); got != want {
				t.Fatalf("after an unrelated edit:\n%q\nwant\n%q", got, want)
			}
		})
	}
}
