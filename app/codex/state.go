package codex

import (
	"bytes"
	"time"

	"github.com/modelswitch/modelswitch/app/agentconfig"
)

// state is the switch-on record kept at Config.StatePath (0600). It is
// written before config.toml is changed, so a crash never leaves our values
// in the file without a record of what they replaced.
type state struct {
	Version int `json:"version"`
	// Config is the file the switch was turned on for.
	Config    string    `json:"config"`
	EnabledAt time.Time `json:"enabled_at"`
	// Previous holds, per key ID the switch touched, what the file had
	// before; Ours holds what the switch wrote (absent for a key it removed).
	Previous map[string]value `json:"previous"`
	Ours     map[string]value `json:"ours"`
	// TableCreated: the switch added the [model_providers.modelswitch]
	// header, after a blank line of its own when TableSeparator is set.
	TableCreated   bool `json:"table_created,omitempty"`
	TableSeparator bool `json:"table_separator,omitempty"`
	// RootSeparator: the file had no top-level key, and the switch put a
	// blank line between the keys it added at the top and the rest.
	RootSeparator bool `json:"root_separator,omitempty"`
	// Original is the whole file before switch-on and Written the SHA-256
	// of what the switch wrote: if the file still hashes to Written at
	// switch-off, nobody touched it and Original comes back byte for byte.
	Original agentconfig.Snapshot `json:"original"`
	Written  string               `json:"written_sha256"`
}

// loadState returns the record at path, or nil when there is none.
func loadState(path string) (*state, error) {
	var st state
	found, err := agentconfig.LoadJSON(path, &st)
	if err != nil || !found {
		return nil, wrap(err)
	}
	return &st, nil
}

func saveState(path string, st *state) error { return wrap(agentconfig.SaveJSON(path, st)) }

// unwind computes the file as it would be after switch-off: each key goes
// back to its previous value only where the file still holds ours. Keys the
// user changed since are kept and reported. When the file is exactly what
// the switch wrote, the original text comes back byte for byte.
func unwind(st *state, f agentconfig.File, path string) (agentconfig.Snapshot, Result, error) {
	res := Result{Path: path}
	keys := recordedKeys(st)
	if agentconfig.Digest(f.Exists, f.Text) == st.Written {
		for _, k := range keys {
			if !st.Ours[k.ID].same(st.Previous[k.ID]) {
				res.Changed = append(res.Changed, k.ID)
			}
		}
		return st.Original, res, nil
	}
	if !f.Exists {
		for _, k := range keys {
			if st.Ours[k.ID].same(st.Previous[k.ID]) {
				continue
			}
			res.Kept = append(res.Kept, Kept{Key: k.ID, Reason: "config.toml was deleted since switch-on"})
		}
		return agentconfig.Snapshot{}, res, nil
	}
	d, err := parseDoc(path, f.Text)
	if err != nil {
		return agentconfig.Snapshot{}, res, err
	}
	if err := d.checkLayout(); err != nil {
		return agentconfig.Snapshot{}, res, err
	}
	for _, k := range keys {
		prev, ours := st.Previous[k.ID], st.Ours[k.ID]
		if !d.get(k).same(ours) {
			res.Kept = append(res.Kept, Kept{Key: k.ID, Reason: "changed since switch-on; left as it is now"})
			continue
		}
		if ours.same(prev) {
			continue
		}
		if prev.Present && !ours.Present && k.InTable && d.table() < 0 {
			res.Kept = append(res.Kept, Kept{Key: k.ID, Reason: "its table was removed since switch-on; not put back"})
			continue
		}
		if err := d.set(k, prev); err != nil {
			return agentconfig.Snapshot{}, res, err
		}
		res.Changed = append(res.Changed, k.ID)
	}
	if st.TableCreated {
		if err := d.dropTable(st.TableSeparator); err != nil {
			return agentconfig.Snapshot{}, res, err
		}
	}
	if st.RootSeparator && !d.hasRootKeys() && bytes.HasPrefix(d.text, []byte(d.eol)) {
		d.text = d.text[len(d.eol):]
		if err := d.reparse(); err != nil {
			return agentconfig.Snapshot{}, res, err
		}
	}
	if len(bytes.TrimSpace(d.text)) == 0 && len(bytes.TrimSpace(st.Original.Text)) == 0 {
		// The switch created the file (or filled a blank one) and nothing
		// else was added since: give back what was there.
		return st.Original, res, nil
	}
	return agentconfig.Snapshot{Exists: true, Text: d.text}, res, nil
}

// recordedKeys lists the keys of st in the order the switch writes them.
func recordedKeys(st *state) []key {
	var keys []key
	for _, k := range touchable {
		if _, ok := st.Previous[k.ID]; ok {
			keys = append(keys, k)
		}
	}
	return keys
}

// hasRootKeys reports whether the document has a top-level key/value line.
func (d *doc) hasRootKeys() bool {
	for _, s := range d.stmts {
		if !s.header && s.table < 0 {
			return true
		}
	}
	return false
}

// wrap prefixes the package's name to err (nil stays nil).
func wrap(err error) error {
	if err == nil {
		return nil
	}
	return &prefixed{err}
}

type prefixed struct{ err error }

func (p *prefixed) Error() string { return "codex: " + p.err.Error() }
func (p *prefixed) Unwrap() error { return p.err }
