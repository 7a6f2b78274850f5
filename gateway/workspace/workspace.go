package workspace

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/modelswitch/modelswitch/gateway/config"
)

// Modes of what Open and WriteFileAtomic create.
const (
	DirMode  fs.FileMode = 0o700
	FileMode fs.FileMode = 0o600
)

// Workspace is an opened workspace directory; all paths are absolute.
type Workspace struct {
	Dir        string
	ConfigPath string // <Dir>/config.yaml
	LogDir     string // <Dir>/logs: the default; gateway.log_dir may point elsewhere
	DataDir    string // <Dir>/data
	RunDir     string // <Dir>/run: lock file and control socket
	// Warnings are what Open could not make private (a directory owned by someone else, a
	// symlinked subdirectory open to others); the caller logs them. ConfigExposure is the
	// other check to show.
	Warnings []string
}

// FirstRun reports that Open wrote a new config.yaml. AdminKey is the only copy of the new
// admin key outside that file: show it to the user once, never log it.
type FirstRun struct {
	AdminKey   string
	ConfigPath string
}

// New returns the Workspace for dir without touching the disk.
func New(dir string) *Workspace {
	return &Workspace{
		Dir:        dir,
		ConfigPath: filepath.Join(dir, "config.yaml"),
		LogDir:     filepath.Join(dir, "logs"),
		DataDir:    filepath.Join(dir, "data"),
		RunDir:     filepath.Join(dir, "run"),
	}
}

// Open creates the workspace layout under dir (which should come from Resolve) and, when
// config.yaml is missing, writes the default one with a new admin key; FirstRun is nil when
// a config already existed. The workspace directory and its logs/, data/ and run/ end up
// 0700: created so, or an existing one has its group and other bits removed (the control
// socket in run/ grants admin access to whoever can reach it). What cannot be tightened is
// in Workspace.Warnings, not an error; tighten says which directories are spared.
func Open(dir string) (*Workspace, *FirstRun, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("opening workspace %q: %w", dir, err)
	}
	w := New(abs)
	for _, d := range []string{w.Dir, w.LogDir, w.DataDir, w.RunDir} {
		if err := mkdirPrivate(d); err != nil {
			return nil, nil, fmt.Errorf("opening workspace: %w", err)
		}
	}
	w.Warnings = w.tighten()
	first, err := w.ensureConfig()
	if err != nil {
		return nil, nil, fmt.Errorf("opening workspace: %w", err)
	}
	return w, first, nil
}

// mkdirPrivate creates dir (and missing parents) with mode 0700, chmod'ing what it creates to
// undo an unusual umask. An existing directory is only checked here; tighten fixes its mode.
func mkdirPrivate(dir string) error {
	err := os.Mkdir(dir, DirMode)
	switch {
	case err == nil:
		return os.Chmod(dir, DirMode)
	case errors.Is(err, fs.ErrExist):
		if fi, serr := os.Stat(dir); serr != nil || !fi.IsDir() {
			return fmt.Errorf("%s exists and is not a directory", dir)
		}
		return nil
	case errors.Is(err, fs.ErrNotExist):
		if err := mkdirPrivate(filepath.Dir(dir)); err != nil {
			return err
		}
		return mkdirPrivate(dir)
	}
	return fmt.Errorf("creating %s: %w", dir, err)
}

// ensureConfig writes the first-run config unless config.yaml exists (as anything: a symlink
// or a broken file is the user's, and Load will report it).
func (w *Workspace) ensureConfig() (*FirstRun, error) {
	if _, err := os.Lstat(w.ConfigPath); err == nil {
		return nil, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("checking %s: %w", w.ConfigPath, err)
	}
	key := config.NewSecret()
	created, err := createExclusive(w.ConfigPath, config.DefaultYAML(key))
	if err != nil {
		return nil, fmt.Errorf("writing the default config: %w", err)
	}
	if !created { // another process wrote one between our check and our write
		return nil, nil
	}
	return &FirstRun{AdminKey: key, ConfigPath: w.ConfigPath}, nil
}
