package agentconfig

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Backups is a directory of timestamped copies of one file.
type Backups struct {
	Dir    string // e.g. <workspace>/data/codex-backups
	Prefix string // starts every name, e.g. "config.toml.bak-"
	Keep   int    // how many to keep (at least 1)
}

// stampLen is len("20060102-150405").
const stampLen = 15

// List returns the backups, oldest first (names sort by time).
func (b Backups) List() ([]string, error) {
	entries, err := os.ReadDir(b.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("listing backups: %w", err)
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() && strings.HasPrefix(e.Name(), b.Prefix) {
			names = append(names, filepath.Join(b.Dir, e.Name()))
		}
	}
	slices.Sort(names)
	return names, nil
}

// nextName names a backup taken at now so that it sorts after every
// existing one (names lists them, oldest first): within one second, or if
// the clock went back, it takes the newest name's stamp plus "-NNN".
func (b Backups) nextName(names []string, now time.Time) string {
	name := b.Prefix + now.Format("20060102-150405")
	if len(names) == 0 {
		return name
	}
	last := filepath.Base(names[len(names)-1])
	if name > last {
		return name
	}
	stamp := len(b.Prefix) + stampLen
	if len(last) < stamp {
		return name
	}
	n := 0
	if suffix := last[stamp:]; suffix != "" {
		_, _ = fmt.Sscanf(suffix, "-%d", &n)
	}
	return fmt.Sprintf("%s-%03d", last[:stamp], n+1)
}

// Save copies text into a new backup (0600) and then deletes all but the
// newest Keep. When the newest backup already holds exactly text, no copy
// is made and its path is returned.
func (b Backups) Save(text []byte, now time.Time) (string, error) {
	names, err := b.List()
	if err != nil {
		return "", err
	}
	if n := len(names); n > 0 {
		if last, err := os.ReadFile(names[n-1]); err == nil && bytes.Equal(last, text) {
			return names[n-1], nil
		}
	}
	if err := os.MkdirAll(b.Dir, 0o700); err != nil {
		return "", fmt.Errorf("creating the backup directory: %w", err)
	}
	name := filepath.Join(b.Dir, b.nextName(names, now))
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", fmt.Errorf("creating a backup (nothing changed): %w", err)
	}
	_, err = f.Write(text)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(name)
		return "", fmt.Errorf("writing the backup %s (nothing changed): %w", name, err)
	}
	keep := max(b.Keep, 1)
	if names, err = b.List(); err == nil && len(names) > keep {
		for _, old := range names[:len(names)-keep] {
			_ = os.Remove(old)
		}
	}
	return name, nil
}
