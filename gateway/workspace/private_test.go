//go:build unix

package workspace

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestConfigExposure(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	if got := ConfigExposure(path); got != "" {
		t.Errorf("missing file: %q, want silence", got)
	}
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		mode fs.FileMode
		want string // "" = silent
	}{
		{0o600, ""},
		{0o400, ""},
		{0o700, ""},
		{0o644, "config.yaml is readable by other users (mode 0644); run chmod 600 " + path},
		{0o640, "readable by other users (mode 0640)"},
		{0o620, "writable by other users (mode 0620)"},
		{0o666, "readable and writable by other users (mode 0666)"},
	}
	for _, tt := range tests {
		if err := os.Chmod(path, tt.mode); err != nil {
			t.Fatal(err)
		}
		got := ConfigExposure(path)
		if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
			t.Errorf("mode %04o: %q, want %q", tt.mode, got, tt.want)
		}
	}
}

// logs/ as a symlink to a shared directory: the target is the user's, it is reported and left
// alone. The workspace directory as a symlink: its target is the workspace, it is tightened.
func TestOpenSymlinks(t *testing.T) {
	root := t.TempDir()
	target, shared := filepath.Join(root, "target"), filepath.Join(root, "shared")
	mkdirMode(t, target, 0o755)
	mkdirMode(t, shared, 0o755)
	if err := os.Symlink(shared, filepath.Join(target, "logs")); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(root, "ws")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	w, _, err := Open(link)
	if err != nil {
		t.Fatal(err)
	}
	if m := mode(t, target); m != 0o700 {
		t.Errorf("workspace target mode %v, want 0700", m)
	}
	if m := mode(t, shared); m != 0o755 {
		t.Errorf("symlinked logs target mode %v, want it left at 0755", m)
	}
	if len(w.Warnings) != 1 || !strings.Contains(w.Warnings[0], w.LogDir+" is a symlink to a directory open to other users") {
		t.Errorf("warnings %q, want one about the logs symlink", w.Warnings)
	}
}

// A chmod that fails (a directory owned by someone else) is a warning, not a failed Open.
func TestOpenChmodFailureWarns(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ws")
	mkdirMode(t, dir, 0o700)
	mkdirMode(t, filepath.Join(dir, "run"), 0o755)
	chmod = func(string, fs.FileMode) error {
		return &fs.PathError{Op: "chmod", Err: errors.New("operation not permitted")}
	}
	t.Cleanup(func() { chmod = os.Chmod })
	w, _, err := Open(dir)
	if err != nil {
		t.Fatalf("Open failed over a chmod: %v", err)
	}
	want := w.RunDir + " is open to other users (mode 0755) and could not be made private: operation not permitted"
	if len(w.Warnings) != 1 || !strings.HasPrefix(w.Warnings[0], want) {
		t.Errorf("warnings %q, want %q", w.Warnings, want)
	}
}

// The home directory (--workspace ~) and a sticky directory like /tmp are more than a
// workspace: they keep their modes, while the subdirectories are still made private.
func TestOpenSparesSharedDirs(t *testing.T) {
	home, sticky := filepath.Join(t.TempDir(), "home"), filepath.Join(t.TempDir(), "tmp")
	mkdirMode(t, home, 0o755)
	mkdirMode(t, sticky, fs.ModeSticky|0o777)
	t.Setenv("HOME", home)
	for dir, want := range map[string]fs.FileMode{home: 0o755, sticky: fs.ModeSticky | 0o777} {
		w, _, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(dir)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode() & (fs.ModePerm | fs.ModeSticky); got != want {
			t.Errorf("%s mode %v, want it left at %v", dir, got, want)
		}
		if m := mode(t, w.RunDir); m != 0o700 {
			t.Errorf("%s mode %v, want 0700", w.RunDir, m)
		}
	}
}
