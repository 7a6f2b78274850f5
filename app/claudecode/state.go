package claudecode

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
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
type snapshot struct {
	Exists bool   `json:"exists"`
	Text   []byte `json:"text,omitempty"`
}

func digest(exists bool, text []byte) string {
	if !exists {
		return "absent"
	}
	sum := sha256.Sum256(text)
	return hex.EncodeToString(sum[:])
}

// loadState returns the record at path, or nil when there is none.
func loadState(path string) (*state, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("claudecode: reading the switch record: %w", err)
	}
	var st state
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("claudecode: the switch record %s is unreadable (%v); move it away to start afresh", path, err)
	}
	return &st, nil
}

// saveState writes st to path atomically with mode 0600.
func saveState(path string, st *state) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("claudecode: %w", err)
	}
	was, err := readFile(path, false)
	if err != nil {
		return err
	}
	return writeAtomic(path, append(b, '\n'), 0o600, was)
}

// removeState deletes the record at path.
func removeState(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// unwind computes the file as it would be after switch-off: each key goes
// back to its previous value only where the file still holds ours. Keys the
// user changed since are kept and reported. When the file is exactly what
// the switch wrote, the original text comes back byte for byte.
func unwind(st *state, f file, path string) (snapshot, Result, error) {
	res := Result{Path: path}
	keys := recordedKeys(st)
	if digest(f.exists, f.text) == st.Written {
		for _, k := range keys {
			if !st.Ours[k].same(st.Previous[k]) {
				res.Changed = append(res.Changed, k)
			}
		}
		return st.Original, res, nil
	}
	if !f.exists {
		for _, k := range keys {
			res.Kept = append(res.Kept, Kept{Key: k, Reason: "settings.json was deleted since switch-on"})
		}
		return snapshot{}, res, nil
	}
	d, err := parseDoc(path, f.text)
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
