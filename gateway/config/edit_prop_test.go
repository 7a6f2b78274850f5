package config

import (
	"fmt"
	"math/rand"
	"reflect"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"
)

// Random edits of the sample configs, checked against an independent model: the data is
// decoded into plain Go values, each edit is applied to those too, and the edited text must
// decode to the same data. The lines outside the changed node (found from yaml.v3's line
// numbers of the unedited text) must survive unchanged.
func TestEditRandomSequences(t *testing.T) {
	bases := []string{readEditData(t, "config.yaml"), string(DefaultYAML("sk-ms-admin")), readEditData(t, "../seed-config.yaml")}
	rounds := 150 // 1200 edits
	if testing.Short() || raceEnabled {
		rounds = 24
	}
	for seed := int64(0); seed < int64(rounds); seed++ {
		rng := rand.New(rand.NewSource(seed))
		text := bases[seed%int64(len(bases))]
		if seed%4 == 3 {
			text = toCRLF(text)
		}
		d, err := ParseDocument([]byte(text))
		if err != nil {
			t.Fatal(err)
		}
		var model any
		if err := yaml.Unmarshal([]byte(text), &model); err != nil {
			t.Fatal(err)
		}
		for step := 0; step < 8; step++ {
			op := randomOp(rng, model, step)
			if op == nil {
				continue
			}
			before := string(d.Bytes())
			var old yaml.Node
			if err := yaml.Unmarshal([]byte(before), &old); err != nil {
				t.Fatal(err)
			}
			from, to, inFlow := allowedLines(&old, op)
			if err := op.apply(d); err != nil {
				t.Fatalf("seed %d step %d %s: %v\n%s", seed, step, op, err, before)
			}
			model = op.model(model)
			after := string(d.Bytes())
			var got any
			if err := yaml.Unmarshal([]byte(after), &got); err != nil {
				t.Fatalf("seed %d step %d %s: result does not parse: %v\n%s", seed, step, op, err, after)
			}
			if _, err := ParseDocument([]byte(after)); err != nil {
				t.Fatalf("seed %d step %d %s: ParseDocument: %v", seed, step, op, err)
			}
			if !reflect.DeepEqual(model, got) {
				t.Fatalf("seed %d step %d %s: data (-want +got):\n%s\n%s", seed, step, op, cmp.Diff(model, got), after)
			}
			if d.reencoded < 0 || !inFlow && d.reencoded != 0 {
				t.Errorf("seed %d step %d %s: reencoded = %d\n%s", seed, step, op, d.reencoded, after)
			}
			assertOnlyChanged(t, before, after, from, to)
			if t.Failed() {
				t.Fatalf("seed %d step %d %s", seed, step, op)
			}
		}
	}
}

type propOp struct {
	kind  string // set, delete, append, rename
	path  Path
	value any // the value, or the new key for rename
}

func (o *propOp) String() string { return fmt.Sprintf("%s %s %#v", o.kind, o.path, o.value) }

func (o *propOp) apply(d *Document) error {
	switch o.kind {
	case "set":
		return d.Set(o.path, o.value)
	case "delete":
		return d.Delete(o.path)
	case "append":
		return d.Append(o.path, o.value)
	}
	return d.RenameKey(o.path, o.value.(string))
}

// model applies the op to plain Go values (map[string]any, []any).
func (o *propOp) model(root any) any {
	parent := root
	for _, s := range o.path[:len(o.path)-1] {
		parent = modelChild(parent, s)
	}
	last := o.path[len(o.path)-1]
	m, isMap := parent.(map[string]any)
	seq, _ := parent.([]any)
	i := modelIndex(seq, last)
	switch o.kind {
	case "set":
		if isMap {
			m[last.Key] = generic(o.value)
		} else {
			seq[i] = generic(o.value)
		}
	case "delete":
		if isMap {
			delete(m, last.Key)
		} else {
			setModel(root, o.path[:len(o.path)-1], append(seq[:i:i], seq[i+1:]...))
		}
	case "append":
		cur, _ := modelChild(parent, last).([]any)
		setModel(root, o.path, append(cur, generic(o.value)))
	case "rename":
		m[o.value.(string)] = m[last.Key]
		delete(m, last.Key)
	}
	return root
}

func modelChild(v any, s Step) any {
	if s.kind == stepKey {
		return v.(map[string]any)[s.Key]
	}
	return v.([]any)[modelIndex(v.([]any), s)]
}

func modelIndex(seq []any, s Step) int {
	switch s.kind {
	case stepIndex:
		if s.Index < 0 {
			return len(seq) + s.Index
		}
		return s.Index
	case stepMatch:
		for i, e := range seq {
			if m, ok := e.(map[string]any); ok && fmt.Sprint(m[s.Field]) == s.Value {
				return i
			}
		}
	}
	return -1
}

func setModel(root any, p Path, v any) {
	parent := root
	for _, s := range p[:len(p)-1] {
		parent = modelChild(parent, s)
	}
	if last := p[len(p)-1]; last.kind == stepKey {
		parent.(map[string]any)[last.Key] = v
	} else {
		parent.([]any)[modelIndex(parent.([]any), last)] = v
	}
}

func generic(v any) any {
	b, err := yaml.Marshal(v)
	if err != nil {
		panic(err)
	}
	var out any
	if err := yaml.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return out
}

var propValues = []any{false, true, 7, 0.5, "https://x.example/v1", "${ENV_X}", "a: b #c", "", nil, "two\nlines",
	"'q'", "中文 值", "[x]", []string{"a", "b"}, []any{}, map[string]any{"connect": 5, "idle": 9}, map[string]any{}}

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.Intn(len(xs))] }

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// randomOp picks an edit of something that exists in model; nil when it finds none.
func randomOp(rng *rand.Rand, model any, step int) *propOp {
	root := model.(map[string]any)
	provs, _ := root["providers"].([]any)
	models, _ := root["models"].(map[string]any)
	keys, _ := root["api_keys"].([]any)
	elem := func(seq []any, field string) (Step, map[string]any) {
		i := rng.Intn(len(seq))
		m, _ := seq[i].(map[string]any)
		if name, ok := m[field].(string); ok && rng.Intn(2) == 0 {
			return M(field, name), m
		}
		return I(i - rng.Intn(2)*len(seq)), m
	}
	switch rng.Intn(12) {
	case 0, 1:
		if len(provs) > 0 {
			s, _ := elem(provs, "name")
			f := pick(rng, []string{"enabled", "base_url", "api_key", "max_concurrent", "custom_headers", "timeouts", "reasoning", "extra"})
			return &propOp{"set", Path{K("providers"), s, K(f)}, pick(rng, propValues)}
		}
	case 2:
		return &propOp{"append", Path{K("providers")}, map[string]any{"name": fmt.Sprintf("p%d", step), "base_url": "http://h/v1", "api_key": "${K}"}}
	case 3:
		if len(provs) > 0 {
			s, _ := elem(provs, "name")
			return &propOp{"delete", Path{K("providers"), s}, nil}
		}
	case 4:
		if len(models) > 0 {
			return &propOp{"rename", Path{K("models"), K(pick(rng, sortedKeys(models)))}, fmt.Sprintf("m-%d", step)}
		}
	case 5:
		if len(models) > 0 {
			var list []map[string]any
			for i := rng.Intn(3); i > 0; i-- {
				list = append(list, map[string]any{"adapter": "dashscope", "model_name": fmt.Sprint("x", i), "priority": i})
			}
			return &propOp{"set", Path{K("models"), K(pick(rng, sortedKeys(models))), K("adapters")}, list}
		}
	case 6:
		if len(models) > 0 {
			name := pick(rng, sortedKeys(models))
			m, _ := models[name].(map[string]any)
			if ad, _ := m["adapters"].([]any); len(ad) > 0 && rng.Intn(2) == 0 {
				return &propOp{"set", Path{K("models"), K(name), K("adapters"), I(rng.Intn(len(ad))), K("priority")}, rng.Intn(9)}
			}
			return &propOp{"append", Path{K("models"), K(name), K("adapters")}, map[string]any{"adapter": "anthropic", "model_name": "c"}}
		}
	case 7:
		if len(keys) > 0 {
			s, m := elem(keys, "name")
			if _, ok := m["expires_at"]; ok && rng.Intn(2) == 0 {
				return &propOp{"delete", Path{K("api_keys"), s, K("expires_at")}, nil}
			}
			return &propOp{"set", Path{K("api_keys"), s, K("expires_at")}, "2030-01-02"}
		}
	case 8:
		return &propOp{"append", Path{K("api_keys")}, map[string]any{"key": fmt.Sprintf("k-%d", step), "roles": []string{"user"}}}
	case 9:
		if len(keys) > 0 {
			s, _ := elem(keys, "name")
			return &propOp{"append", Path{K("api_keys"), s, K("roles")}, "user"}
		}
	case 10:
		if gw, ok := root["gateway"].(map[string]any); ok && len(gw) > 0 && rng.Intn(2) == 0 {
			return &propOp{"delete", Path{K("gateway"), K(pick(rng, sortedKeys(gw)))}, nil}
		}
		return &propOp{"set", Path{K("gateway"), K(pick(rng, []string{"host", "port", "circuit_breaker", "log_dir"}))}, pick(rng, propValues)}
	case 11:
		if len(models) > 0 {
			return &propOp{"delete", Path{K("models"), K(pick(rng, sortedKeys(models)))}, nil}
		}
	}
	return nil
}

// allowedLines returns the 0-based lines of the unedited text that op may change — the lines
// of the entry holding the changed node, up to the next node — and whether a flow collection
// is involved (so that re-encoding it is expected).
func allowedLines(doc *yaml.Node, op *propOp) (from, to int, inFlow bool) {
	top := doc.Content[0]
	frames, err := resolve(top, op.path)
	target := len(frames) - 1 // set of an existing node, delete, rename, append
	if err != nil {           // a new key: its mapping changes
		frames = frames[:len(op.path)]
	}
	if op.kind == "set" && err == nil || op.kind == "delete" {
		if p := frames[target].parent; op.kind == "delete" && len(p.Content) == pairSize(p) && target > 1 {
			target--
		}
	}
	for j := 1; j < len(frames); j++ {
		if frames[j].parent.Style&yaml.FlowStyle != 0 {
			target, inFlow = min(target, j-1), true
			break
		}
	}
	if frames[target].node.Style&yaml.FlowStyle != 0 {
		inFlow = true
	}
	if target == 0 { // a new top-level key goes after the last one
		return top.Content[len(top.Content)-2].Line - 1, 1 << 30, inFlow
	}
	f := frames[target]
	first := f.node
	if f.parent.Kind == yaml.MappingNode {
		first = f.parent.Content[2*f.index]
	}
	var order []*yaml.Node
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		order = append(order, n)
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(top)
	from, to = 0, 1<<30
	for _, n := range order {
		if n == first {
			break
		}
		if n.Line < first.Line {
			from = max(from, n.Line) // 0-based: the line after that node's
		}
	}
	last := f.node
	for len(last.Content) > 0 {
		last = last.Content[len(last.Content)-1]
	}
	for i, n := range order {
		if n == last && i+1 < len(order) {
			to = order[i+1].Line - 2
		}
	}
	return from, to, inFlow
}
