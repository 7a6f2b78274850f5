package codex

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

// ConfigPath is the file Codex reads: $CODEX_HOME/config.toml when that
// variable is set (a leading "~" is expanded with home), else
// home/.codex/config.toml. env is usually os.Getenv and home
// os.UserHomeDir's answer.
func ConfigPath(env func(string) string, home string) string {
	if dir := env("CODEX_HOME"); dir != "" {
		if dir == "~" || strings.HasPrefix(dir, "~/") || strings.HasPrefix(dir, `~\`) {
			dir = filepath.Join(home, dir[1:])
		}
		return filepath.Join(dir, "config.toml")
	}
	return filepath.Join(home, ".codex", "config.toml")
}

// Config places the files the switch uses.
type Config struct {
	// ConfigPath is Codex's config.toml (see ConfigPath).
	ConfigPath string
	// StatePath is the switch-on record, e.g. <workspace>/data/codex.json.
	StatePath string
	// BackupDir holds the timestamped backups; default: the directory
	// "codex-backups" beside StatePath.
	BackupDir string
	// Keep is how many backups to keep; default 10.
	Keep int
	// BaseURL is this gateway's URL (no /v1), used by Status when there is
	// no switch-on record.
	BaseURL string
	// Now stamps backups; default time.Now.
	Now func() time.Time
}

// Options are the values switch-on writes.
type Options struct {
	BaseURL string // the gateway, e.g. http://127.0.0.1:8000 (the provider gets BaseURL+"/v1")
	Token   string // a ModelSwitch API key created for Codex
	Model   string // the virtual model Codex asks for (required: Codex's default is no gateway model)
}

func (o Options) validate() error {
	u, err := url.Parse(o.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("codex: base URL %q is not an http(s) URL", o.BaseURL)
	}
	if o.Token == "" || strings.ContainsAny(o.Token, " \t\r\n") {
		return errors.New("codex: the token must be a non-empty key without white space")
	}
	if strings.TrimSpace(o.Model) == "" {
		return errors.New("codex: a model is required (Codex would ask the gateway for its own default model)")
	}
	return nil
}

// providerURL is the base_url Codex gets: it appends /responses itself.
func providerURL(gateway string) string { return strings.TrimRight(gateway, "/") + "/v1" }

// Result says what a switch-on or switch-off did.
type Result struct {
	Path    string   // config.toml
	Backup  string   // the backup of the file as it was before, "" if none was needed
	Changed []string // key IDs written, removed or restored ("model", "model_providers.modelswitch.base_url", …)
	Kept    []Kept   // keys left as the user has them (switch-off only)
}

// Kept is a key switch-off did not restore, and why.
type Kept struct {
	Key, Reason string
}

// Status is what the live config.toml says.
type Status struct {
	Path     string
	Exists   bool
	Enabled  bool   // Codex's provider is [model_providers.modelswitch] with this gateway's URL
	Foreign  bool   // a provider is chosen, and it is not this gateway
	Provider string // the model_provider in effect (an active profile's wins), "" when unset (Codex: "openai")
	BaseURL  string // that provider's base_url, "" when absent
	Model    string // the model in effect, "" when unset
	ModelSet bool   // it is the model switch-on wrote
	Recorded bool   // a switch-on record exists
}

// ErrNotEnabled is returned by Disable when there is no switch-on record.
var ErrNotEnabled = errors.New("codex: there is no switch-on record, so nothing is restored; config.toml left unchanged")

// ErrSymlink, ErrReadOnly and ErrChanged classify refusals to write
// config.toml (app/agentconfig's, shared with the Claude Code switch).
var (
	ErrSymlink  = agentconfig.ErrSymlink
	ErrReadOnly = agentconfig.ErrReadOnly
	ErrChanged  = agentconfig.ErrChanged
)

// manual is what the symlink refusal tells the user to do instead.
const manual = "set model_provider and [model_providers." + ProviderID + "] by hand (see the README's Codex section)"

// backupPrefix starts every backup's name; the rest is the time of the
// backup, YYYYMMDD-HHMMSS, plus "-NNN" when that second is taken.
const backupPrefix = "config.toml.bak-"

// Switch turns Codex's use of the gateway on and off. Its methods are safe
// for concurrent use.
type Switch struct {
	cfg Config
	mu  sync.Mutex
}

// New returns a Switch for cfg.
func New(cfg Config) (*Switch, error) {
	if cfg.ConfigPath == "" || cfg.StatePath == "" {
		return nil, errors.New("codex: ConfigPath and StatePath are required")
	}
	if cfg.BackupDir == "" {
		cfg.BackupDir = filepath.Join(filepath.Dir(cfg.StatePath), "codex-backups")
	}
	if cfg.Keep <= 0 {
		cfg.Keep = 10
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Switch{cfg: cfg}, nil
}

func (s *Switch) backups() agentconfig.Backups {
	return agentconfig.Backups{Dir: s.cfg.BackupDir, Prefix: backupPrefix, Keep: s.cfg.Keep}
}

// ours is what switch-on writes for each key.
func (o Options) ours() map[string]value {
	return map[string]value{
		keyModel.ID:    stringValue(o.Model),
		keyProvider.ID: stringValue(ProviderID),
		keyName.ID:     stringValue("ModelSwitch"),
		keyBaseURL.ID:  stringValue(providerURL(o.BaseURL)),
		keyWireAPI.ID:  stringValue("responses"),
		keyToken.ID:    stringValue(o.Token),
		keyEnvKey.ID:   {},
	}
}

// Enable points Codex at the gateway: top-level model and model_provider,
// and the [model_providers.modelswitch] table with name, base_url, wire_api
// and experimental_bearer_token (removing its env_key, which Codex would
// read first). Calling it again while on first unwinds the earlier
// switch-on in memory, so the record keeps the user's own values.
func (s *Switch) Enable(o Options) (Result, error) {
	if err := o.validate(); err != nil {
		return Result{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	path := s.cfg.ConfigPath
	old, err := loadState(s.cfg.StatePath)
	if err != nil {
		return Result{}, err
	}
	if old != nil && old.Config != path {
		return Result{}, fmt.Errorf("codex: the switch is on for %s; switch it off before switching on %s", old.Config, path)
	}
	f, err := agentconfig.ReadForWrite(path, manual)
	if err != nil {
		return Result{}, wrap(err)
	}
	cur, err := parseDoc(path, f.Text)
	if err != nil {
		return Result{}, err
	}
	base := agentconfig.Snapshot{Exists: f.Exists, Text: f.Text}
	if old != nil {
		if base, _, err = unwind(old, f, path); err != nil {
			return Result{}, err
		}
	}
	d, st, res, err := switchOn(path, base, o, s.cfg.Now())
	if err != nil {
		return Result{}, err
	}
	if err := verify(path, f.Text, d.text); err != nil {
		return Result{}, err
	}
	st.Written = agentconfig.Digest(true, d.text)
	if f.Exists && bytes.Equal(d.text, f.Text) {
		return res, saveState(s.cfg.StatePath, st)
	}
	if res.Backup, err = s.backupUnlessOurs(f, cur, old, providerURL(o.BaseURL)); err != nil {
		return Result{}, err
	}
	if err := saveState(s.cfg.StatePath, st); err != nil {
		return Result{}, err
	}
	if err := agentconfig.WriteAtomic(path, d.text, f.Mode, f); err != nil {
		s.rollbackState(old)
		return Result{}, wrap(err)
	}
	return res, nil
}

// switchOn computes the switched-on document from base, the file without
// any earlier switch-on, and the record that undoes it.
func switchOn(path string, base agentconfig.Snapshot, o Options, now time.Time) (*doc, *state, Result, error) {
	res := Result{Path: path}
	d, err := parseDoc(path, base.Text)
	if err != nil {
		return nil, nil, res, err
	}
	if err := d.checkLayout(); err != nil {
		return nil, nil, res, err
	}
	if err := d.checkConflicts(); err != nil {
		return nil, nil, res, err
	}
	st := &state{Version: 1, Config: path, EnabledAt: now.UTC(), Original: base,
		Previous: map[string]value{}, Ours: o.ours()}
	if err := st.apply(d, &res); err != nil {
		return nil, nil, res, err
	}
	return d, st, res, nil
}

// apply writes st.Ours into d, recording what each key held before.
func (st *state) apply(d *doc, res *Result) error {
	if !d.hasRootKeys() && len(bytes.TrimSpace(d.text)) > 0 {
		d.insertLine(0, "") // a blank line between our keys and the rest
		st.RootSeparator = true
		if err := d.reparse(); err != nil {
			return err
		}
	}
	for _, k := range touchable {
		v := st.Ours[k.ID]
		if k.InTable && v.Present && d.table() < 0 {
			sep, err := d.addTable()
			if err != nil {
				return err
			}
			st.TableCreated, st.TableSeparator = true, sep
		}
		prev := d.get(k)
		st.Previous[k.ID] = prev
		if prev.same(v) {
			continue // already so: the user's own spelling stays
		}
		res.Changed = append(res.Changed, k.ID)
		if err := d.set(k, v); err != nil {
			return err
		}
	}
	return nil
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
	path := st.Config
	f, err := agentconfig.ReadForWrite(path, manual)
	if err != nil {
		return Result{}, wrap(err)
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
			err = agentconfig.WriteAtomic(path, snap.Text, f.Mode, f)
		} else {
			err = agentconfig.Remove(path, f)
		}
		if err != nil {
			return Result{}, wrap(err)
		}
	}
	if err := agentconfig.RemoveRecord(s.cfg.StatePath); err != nil {
		return res, fmt.Errorf("codex: config.toml restored, but the switch record could not be removed: %w", err)
	}
	return res, nil
}

// backupUnlessOurs backs up f unless it is missing, blank, or already points
// at the gateway (a copy of our own values would only push the user's real
// versions out of the rotation).
func (s *Switch) backupUnlessOurs(f agentconfig.File, cur *doc, st *state, url string) (string, error) {
	if !f.Exists || len(bytes.TrimSpace(f.Text)) == 0 {
		return "", nil
	}
	if now := effective(cur.sem); now.provider == ProviderID && now.baseURL != "" &&
		(sameURL(now.baseURL, url) || st != nil && sameURL(now.baseURL, st.Ours[keyBaseURL.ID].str())) {
		return "", nil
	}
	name, err := s.backups().Save(f.Text, s.cfg.Now())
	return name, wrap(err)
}

// rollbackState puts the record back as it was after a failed write.
func (s *Switch) rollbackState(old *state) {
	if old != nil {
		_ = saveState(s.cfg.StatePath, old)
		return
	}
	_ = agentconfig.RemoveRecord(s.cfg.StatePath)
}
