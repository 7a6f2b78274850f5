package claudecode

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/modelswitch/modelswitch/app/agentconfig"
)

// SettingsPath is the settings file Claude Code reads:
// $CLAUDE_CONFIG_DIR/settings.json when that variable is set (a leading
// "~" is expanded with home), else home/.claude/settings.json. env is
// usually os.Getenv and home os.UserHomeDir's answer.
func SettingsPath(env func(string) string, home string) string {
	if dir := env("CLAUDE_CONFIG_DIR"); dir != "" {
		if dir == "~" || strings.HasPrefix(dir, "~/") || strings.HasPrefix(dir, `~\`) {
			dir = filepath.Join(home, dir[1:])
		}
		return filepath.Join(dir, "settings.json")
	}
	return filepath.Join(home, ".claude", "settings.json")
}

// Config places the files the switch uses.
type Config struct {
	// SettingsPath is Claude Code's settings file (see SettingsPath).
	SettingsPath string
	// StatePath is the switch-on record, e.g. <workspace>/data/claudecode.json.
	StatePath string
	// BackupDir holds the timestamped backups; default: the directory
	// "claudecode-backups" beside StatePath.
	BackupDir string
	// Keep is how many backups to keep; default 10.
	Keep int
	// BaseURL is this gateway's URL, used by Status when there is no
	// switch-on record (for example after the record was deleted).
	BaseURL string
	// Now stamps backups; default time.Now.
	Now func() time.Time
}

// Options are the values switch-on writes.
type Options struct {
	BaseURL string // the gateway, e.g. http://127.0.0.1:8080 (no /v1)
	Token   string // a ModelSwitch API key created for Claude Code
	Model   string // written as ANTHROPIC_MODEL only when not empty
}

func (o Options) validate() error {
	u, err := url.Parse(o.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("claudecode: base URL %q is not an http(s) URL", o.BaseURL)
	}
	if o.Token == "" || strings.ContainsAny(o.Token, " \t\r\n") {
		return errors.New("claudecode: the token must be a non-empty key without white space")
	}
	return nil
}

// Result says what a switch-on or switch-off did.
type Result struct {
	Path    string   // the settings file
	Backup  string   // the backup of the file as it was before, "" if none was needed
	Changed []string // env keys written, removed or restored
	Kept    []Kept   // env keys left as the user has them (switch-off only)
}

// Kept is a key switch-off did not restore, and why.
type Kept struct {
	Key, Reason string
}

// Status is what the live settings file says.
type Status struct {
	Path     string
	Exists   bool
	Enabled  bool   // env.ANTHROPIC_BASE_URL is this gateway
	Foreign  bool   // env.ANTHROPIC_BASE_URL is set to some other URL
	BaseURL  string // env.ANTHROPIC_BASE_URL, "" when absent
	Model    string // env.ANTHROPIC_MODEL, "" when absent
	ModelSet bool   // env.ANTHROPIC_MODEL holds the model switch-on wrote
	Recorded bool   // a switch-on record exists
}

// ErrNotEnabled is returned by Disable when there is no switch-on record.
var ErrNotEnabled = errors.New("claudecode: there is no switch-on record, so nothing is restored; settings.json left unchanged")

// Switch turns Claude Code's use of the gateway on and off. Its methods are
// safe for concurrent use.
type Switch struct {
	cfg Config
	mu  sync.Mutex
}

// New returns a Switch for cfg.
func New(cfg Config) (*Switch, error) {
	if cfg.SettingsPath == "" || cfg.StatePath == "" {
		return nil, errors.New("claudecode: SettingsPath and StatePath are required")
	}
	if cfg.BackupDir == "" {
		cfg.BackupDir = filepath.Join(filepath.Dir(cfg.StatePath), "claudecode-backups")
	}
	if cfg.Keep <= 0 {
		cfg.Keep = 10
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Switch{cfg: cfg}, nil
}

// Enable points Claude Code at the gateway: it sets env.ANTHROPIC_BASE_URL
// and env.ANTHROPIC_AUTH_TOKEN, removes env.ANTHROPIC_API_KEY (Claude Code
// must see only one token kind) and sets env.ANTHROPIC_MODEL when o.Model
// is not empty. Calling it again while on first unwinds the earlier
// switch-on in memory, so the record keeps the user's own values.
func (s *Switch) Enable(o Options) (Result, error) {
	if err := o.validate(); err != nil {
		return Result{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	path := s.cfg.SettingsPath
	old, err := loadState(s.cfg.StatePath)
	if err != nil {
		return Result{}, err
	}
	if old != nil && old.Settings != path {
		return Result{}, fmt.Errorf("claudecode: the switch is on for %s; switch it off before switching on %s", old.Settings, path)
	}
	f, err := readFile(path, true)
	if err != nil {
		return Result{}, err
	}
	cur, err := parseDoc(path, f.Text)
	if err != nil {
		return Result{}, err
	}
	base := snapshot{Exists: f.Exists, Text: f.Text}
	if old != nil {
		if base, _, err = unwind(old, f, path); err != nil {
			return Result{}, err
		}
	}
	d, err := parseDoc(path, base.Text)
	if err != nil {
		return Result{}, err
	}
	st := &state{Version: 1, Settings: path, EnabledAt: s.cfg.Now().UTC(), Original: base,
		Previous: map[string]value{}, Ours: map[string]value{}, EnvCreated: d.env == nil}
	res := Result{Path: path}
	for _, k := range touchable {
		var v value
		switch k {
		case KeyBaseURL:
			v = stringValue(o.BaseURL)
		case KeyAuthToken:
			v = stringValue(o.Token)
		case KeyModel:
			if o.Model == "" {
				continue
			}
			v = stringValue(o.Model)
		}
		st.Previous[k], st.Ours[k] = d.get(k), v
		if !d.get(k).same(v) {
			res.Changed = append(res.Changed, k)
		}
		if err := d.set(k, v); err != nil {
			return Result{}, err
		}
	}
	if err := verify(path, f.Text, d.text); err != nil {
		return Result{}, err
	}
	st.Written = digest(true, d.text)
	if f.Exists && bytes.Equal(d.text, f.Text) {
		return res, saveState(s.cfg.StatePath, st)
	}
	if res.Backup, err = s.backupUnlessOurs(f, cur, old, o.BaseURL); err != nil {
		return Result{}, err
	}
	if err := saveState(s.cfg.StatePath, st); err != nil {
		return Result{}, err
	}
	if err := wrap(agentconfig.WriteAtomic(path, d.text, f.Mode, f)); err != nil {
		s.rollbackState(old)
		return Result{}, err
	}
	return res, nil
}

// Disable restores, for each key switch-on touched, the value it had before
// — but only where the file still holds the value switch-on wrote; keys the
// user changed since are kept and listed in Result.Kept. When the file is
// exactly as switch-on left it, the original file comes back byte for byte
// (a file that did not exist is removed again).
func (s *Switch) Disable() (Result, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := loadState(s.cfg.StatePath)
	if err != nil {
		return Result{}, err
	}
	if st == nil {
		return Result{}, ErrNotEnabled
	}
	path := st.Settings
	f, err := readFile(path, true)
	if err != nil {
		return Result{}, err
	}
	cur, err := parseDoc(path, f.Text)
	if err != nil {
		return Result{}, err
	}
	snap, res, err := unwind(st, f, path)
	if err != nil {
		return Result{}, err
	}
	if snap.Exists != f.Exists || !bytes.Equal(snap.Text, f.Text) {
		if snap.Exists {
			if err := verify(path, f.Text, snap.Text); err != nil {
				return Result{}, err
			}
		}
		if res.Backup, err = s.backupUnlessOurs(f, cur, st, ""); err != nil {
			return Result{}, err
		}
		if snap.Exists {
			err = wrap(agentconfig.WriteAtomic(path, snap.Text, f.Mode, f))
		} else {
			err = wrap(agentconfig.Remove(path, f))
		}
		if err != nil {
			return Result{}, err
		}
	}
	if err := removeState(s.cfg.StatePath); err != nil {
		return res, fmt.Errorf("claudecode: settings restored, but the switch record could not be removed: %w", err)
	}
	return res, nil
}

// backupUnlessOurs backs up f unless it is missing, blank, or already points
// at the gateway (a copy of our own values would only push the user's real
// versions out of the rotation).
func (s *Switch) backupUnlessOurs(f file, cur *doc, st *state, url string) (string, error) {
	if !f.Exists || len(bytes.TrimSpace(f.Text)) == 0 {
		return "", nil
	}
	now := cur.get(KeyBaseURL).str()
	if now != "" && (sameURL(now, url) || st != nil && sameURL(now, st.Ours[KeyBaseURL].str())) {
		return "", nil
	}
	name, err := s.backups().Save(f.Text, s.cfg.Now())
	return name, wrap(err)
}

// backupPrefix starts every backup's name; the rest is the time of the
// backup, YYYYMMDD-HHMMSS, plus "-NNN" when that second is taken.
const backupPrefix = "settings.json.bak-"

func (s *Switch) backups() agentconfig.Backups {
	return agentconfig.Backups{Dir: s.cfg.BackupDir, Prefix: backupPrefix, Keep: s.cfg.Keep}
}

// rollbackState puts the record back as it was after a failed write.
func (s *Switch) rollbackState(old *state) {
	if old != nil {
		_ = saveState(s.cfg.StatePath, old)
		return
	}
	_ = removeState(s.cfg.StatePath)
}

// Status reads the live settings file (never a cache), so a tray checkbox
// built on it shows what Claude Code will actually use.
func (s *Switch) Status() (Status, error) {
	path := s.cfg.SettingsPath
	out := Status{Path: path}
	st, err := loadState(s.cfg.StatePath)
	if err != nil {
		return out, err
	}
	f, err := readFile(path, false)
	if err != nil {
		return out, err
	}
	d, err := parseDoc(path, f.Text)
	if err != nil {
		return out, err
	}
	ours := s.cfg.BaseURL
	if st != nil && st.Settings == path {
		ours = st.Ours[KeyBaseURL].str()
	}
	cur, model := d.get(KeyBaseURL), d.get(KeyModel)
	out.Exists, out.Recorded = f.Exists, st != nil
	out.BaseURL, out.Model = cur.str(), model.str()
	out.Enabled = cur.Present && ours != "" && sameURL(cur.str(), ours)
	out.Foreign = cur.Present && !out.Enabled
	out.ModelSet = out.Enabled && st != nil && st.Ours[KeyModel].Present && model.same(st.Ours[KeyModel])
	return out, nil
}

// Enabled reports whether the live settings file points Claude Code at the
// gateway; false when it cannot be read or parsed.
func (s *Switch) Enabled() bool {
	st, err := s.Status()
	return err == nil && st.Enabled
}

// Warning returns an error when Claude Code points at the gateway but the
// gateway does not answer (see CheckGateway); nil otherwise.
func (s *Switch) Warning(timeout time.Duration) error {
	st, err := s.Status()
	if err != nil || !st.Enabled {
		return err
	}
	return CheckGateway(st.BaseURL, timeout)
}

func sameURL(a, b string) bool {
	return strings.TrimRight(a, "/") == strings.TrimRight(b, "/")
}
