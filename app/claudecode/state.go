package claudecode

import (
	"bytes"
	"time"

	"github.com/modelswitch/modelswitch/app/agentconfig"
)

// state is the switch-on record kept at Config.StatePath (0600). It is
// written before settings.json is changed, so a crash never leaves our
// values in the file without a record of what they replaced.
type state struct {
	Version int `json:"version"`
	// Settings is the file the switch was turned on for.
	Settings  string    `json:"settings"`
	EnabledAt time.Time `json:"enabled_at"`
	// Previous holds, for each key the switch touched, what the file had
	// before; Ours holds what the switch wrote (absent for a key it removed).
	Previous map[string]value `json:"previous"`
	Ours     map[string]value `json:"ours"`
	// EnvCreated is set when the file had no "env" object before.
	EnvCreated bool `json:"env_created,omitempty"`
	// Original is the whole file before switch-on and Written the SHA-256
	// of what the switch wrote: if the file still hashes to Written at
	// switch-off, nobody touched it and Original comes back byte for byte.
	Original snapshot `json:"original"`
	Written  string   `json:"written_sha256"`
}

// snapshot is a file's existence and content.
type snapshot = agentconfig.Snapshot

// file is settings.json as read from disk.
type file = agentconfig.File

// manual is what the symlink refusal tells the user to do instead.
var manual = "set env." + KeyBaseURL + " and env." + KeyAuthToken + " by hand"

// readFile reads settings.json; forWrite refuses links and read-only files.
func readFile(path string, forWrite bool) (file, error) {
	var f file
	var err error
	if forWrite {
		f, err = agentconfig.ReadForWrite(path, manual)
	} else {
		f, err = agentconfig.Read(path)
	}
	return f, wrap(err)
}

// wrap prefixes the package's name to err (nil stays nil).
func wrap(err error) error {
	if err == nil {
		return nil
	}
	return &prefixed{err}
}

type prefixed struct{ err error }

func (p *prefixed) Error() string { return "claudecode: " + p.err.Error() }
func (p *prefixed) Unwrap() error { return p.err }

// loadState returns the record at path, or nil when there is none.
func loadState(path string) (*state, error) {
	var st state
	found, err := agentconfig.LoadJSON(path, &st)
	if err != nil || !found {
		return nil, wrap(err)
	}
	return &st, nil
}

// saveState writes st to path atomically with mode 0600.
func saveState(path string, st *state) error {
	return wrap(agentconfig.SaveJSON(path, st))
}

// removeState deletes the record at path.
func removeState(path string) error { return agentconfig.RemoveRecord(path) }

func digest(exists bool, text []byte) string { return agentconfig.Digest(exists, text) }

// unwind computes the file as it would be after switch-off: each key goes
// back to its previous value only where the file still holds ours. Keys the
// user changed since are kept and reported. When the file is exactly what
// the switch wrote, the original text comes back byte for byte.
func unwind(st *state, f file, path string) (snapshot, Result, error) {
	res := Result{Path: path}
	keys := recordedKeys(st)
	if digest(f.Exists, f.Text) == st.Written {
		for _, k := range keys {
			if !st.Ours[k].same(st.Previous[k]) {
				res.Changed = append(res.Changed, k)
			}
		}
		return st.Original, res, nil
	}
	if !f.Exists {
		for _, k := range keys {
			res.Kept = append(res.Kept, Kept{Key: k, Reason: "settings.json was deleted since switch-on"})
		}
		return snapshot{}, res, nil
	}
	d, err := parseDoc(path, f.Text)
	if err != nil {
		return snapshot{}, res, err
	}
	for _, k := range keys {
		if !d.get(k).same(st.Ours[k]) {
			res.Kept = append(res.Kept, Kept{Key: k, Reason: "changed since switch-on; left as it is now"})
			continue
		}
		if st.Ours[k].same(st.Previous[k]) {
			continue
		}
		if err := d.set(k, st.Previous[k]); err != nil {
			return snapshot{}, res, err
		}
		res.Changed = append(res.Changed, k)
	}
	if st.EnvCreated {
		if err := d.dropEmptyEnv(); err != nil {
			return snapshot{}, res, err
		}
	}
	if d.isBlankObject() && len(bytes.TrimSpace(st.Original.Text)) == 0 {
		// The switch created the file (or filled a blank one) and nothing
		// else was added since: give back what was there.
		return st.Original, res, nil
	}
	return snapshot{Exists: true, Text: d.text}, res, nil
}

// recordedKeys lists the keys of st in the order the switch writes them.
func recordedKeys(st *state) []string {
	var keys []string
	for _, k := range touchable {
		if _, ok := st.Previous[k]; ok {
			keys = append(keys, k)
		}
	}
	return keys
}

// ErrSymlink, ErrReadOnly and ErrChanged classify refusals to write
// settings.json (app/agentconfig's, shared with the Codex switch); the
// returned errors wrap them and explain the situation.
var (
	ErrSymlink  = agentconfig.ErrSymlink
	ErrReadOnly = agentconfig.ErrReadOnly
	ErrChanged  = agentconfig.ErrChanged
)
