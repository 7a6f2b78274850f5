package codex

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// ParseError says why config.toml is not TOML. Line and Column (from 1)
// locate the problem when the parser knows where it is, and are 0 otherwise.
type ParseError struct {
	Path         string
	Line, Column int
	Reason       string
}

func (e *ParseError) Error() string {
	where := ""
	if e.Line > 0 {
		where = fmt.Sprintf(" at line %d, column %d", e.Line, e.Column)
	}
	return fmt.Sprintf("codex: %s is not valid TOML%s: %s; ModelSwitch leaves it untouched, fix it by hand and try again",
		e.Path, where, e.Reason)
}

func parseError(path string, err error) error {
	pe := &ParseError{Path: path, Reason: strings.TrimPrefix(err.Error(), "toml: ")}
	var de *toml.DecodeError
	if errors.As(err, &de) {
		pe.Line, pe.Column = de.Position()
	}
	return pe
}

// ErrLayout and ErrConflict classify valid config.toml files the switch
// refuses to edit; the returned errors wrap them and say what to change.
var (
	// ErrLayout: a key the switch owns is written in a form it does not
	// edit (the provider as an inline table or with dotted keys, model as a
	// table, model_providers not a table).
	ErrLayout = errors.New("codex: config.toml sets a key the switch owns in a form it does not edit")
	// ErrConflict: something in the file would win over the switch's keys or
	// clash with them in Codex (an active profile choosing the provider or the
	// model; a command-backed or AWS auth in the provider table).
	ErrConflict = errors.New("codex: config.toml has settings that would override the switch")
)

// lookup follows path through nested tables.
func lookup(m map[string]any, path ...string) (any, bool) {
	var v any = m
	for _, p := range path {
		t, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = t[p]; !ok {
			return nil, false
		}
	}
	return v, true
}

func hasPrefix(path, prefix []string) bool {
	return len(path) >= len(prefix) && slices.Equal(path[:len(prefix)], prefix)
}

// checkLayout refuses (ErrLayout) what the text editor cannot change
// surgically: every key the switch owns that the parser sees must be a
// plain line the scanner found, the provider table may only be written as
// a [model_providers.modelswitch] table (its sub-tables are fine), and
// model_providers must be a table that a header can extend.
func (d *doc) checkLayout() error {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s in %s; write it as plain lines (see the README's Codex section) or edit it by hand",
			ErrLayout, fmt.Sprintf(format, args...), d.path)
	}
	if v, ok := d.sem["model_providers"]; ok {
		if _, isTable := v.(map[string]any); !isTable {
			return fail("model_providers is not a table")
		}
	}
	if v, ok := lookup(d.sem, tablePath...); ok {
		if _, isTable := v.(map[string]any); !isTable {
			return fail("model_providers.%s is not a table", ProviderID)
		}
	}
	for _, s := range d.stmts {
		if s.header {
			continue
		}
		abs := s.abs(d.stmts)
		inTable := s.table >= 0 && hasPrefix(d.stmts[s.table].path, tablePath)
		if slices.Equal(abs, tablePath[:1]) || hasPrefix(abs, tablePath) && !inTable {
			return fail("model_providers.%s is written as an inline table or with dotted keys", ProviderID)
		}
	}
	for _, k := range touchable {
		if _, ok := lookup(d.sem, k.path()...); ok && d.find(k) < 0 {
			return fail("%s is not a plain key = value line", k.ID)
		}
	}
	return nil
}

// checkConflicts refuses (ErrConflict) a file where the switch's keys would
// not take effect: an active profile (profile = "p") whose [profiles.p]
// sets model_provider or model wins over the top-level keys, and a
// provider table with auth or aws cannot be combined with a bearer token.
func (d *doc) checkConflicts() error {
	if p, ok := d.sem["profile"].(string); ok {
		for _, name := range []string{"model_provider", "model"} {
			if _, set := lookup(d.sem, "profiles", p, name); set {
				return fmt.Errorf("%w: the active profile %q sets %s, which wins over the top-level key the switch writes; "+
					"remove it from [profiles.%s] (or the profile line) in %s and try again", ErrConflict, p, name, p, d.path)
			}
		}
	}
	for _, name := range []string{"auth", "aws"} {
		if _, set := lookup(d.sem, append(slices.Clone(tablePath), name)...); set {
			return fmt.Errorf("%w: [model_providers.%s] has %s, which Codex does not combine with the bearer token the switch writes; "+
				"remove it or rename the table in %s", ErrConflict, ProviderID, name, d.path)
		}
	}
	return nil
}

// verify checks, before anything is written, that after parses and means
// the same as before except for the keys the switch owns.
func verify(path string, before, after []byte) error {
	var a, b map[string]any
	if err := toml.Unmarshal(before, &a); err != nil {
		return parseError(path, err)
	}
	if err := toml.Unmarshal(after, &b); err != nil {
		return fmt.Errorf("codex: refusing to write %s: the edited text does not parse (%v); nothing written", path, err)
	}
	a, b = withoutOwned(a), withoutOwned(b)
	if !equal(a, b) {
		return fmt.Errorf("codex: refusing to write %s: the edit would change keys the switch does not own; nothing written", path)
	}
	return nil
}

// withoutOwned is a copy of m without the keys the switch owns, and without
// the provider table and model_providers when nothing else is left in them.
func withoutOwned(m map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	delete(out, keyModel.Name)
	delete(out, keyProvider.Name)
	mp, ok := out["model_providers"].(map[string]any)
	if !ok {
		return out
	}
	mp2 := map[string]any{}
	for k, v := range mp {
		mp2[k] = v
	}
	out["model_providers"] = mp2
	if ms, ok := mp2[ProviderID].(map[string]any); ok {
		ms2 := map[string]any{}
		for k, v := range ms {
			ms2[k] = v
		}
		for _, k := range touchable {
			if k.InTable {
				delete(ms2, k.Name)
			}
		}
		mp2[ProviderID] = ms2
		if len(ms2) == 0 {
			delete(mp2, ProviderID)
		}
	}
	if len(mp2) == 0 {
		delete(out, "model_providers")
	}
	return out
}

// equal is reflect.DeepEqual for parsed TOML, except that NaN equals NaN.
func equal(a, b any) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !equal(v, w) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case float64:
		y, ok := b.(float64)
		return ok && (x == y && math.Signbit(x) == math.Signbit(y) || math.IsNaN(x) && math.IsNaN(y))
	}
	return reflect.DeepEqual(a, b)
}
