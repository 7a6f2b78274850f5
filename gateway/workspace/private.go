package workspace

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// othersMask is the group and other permission bits.
const othersMask fs.FileMode = 0o077

// chmod is os.Chmod; tests make it fail, as it does on a directory someone else owns.
var chmod = os.Chmod

// tighten takes group and other access away from the workspace's own four directories and
// returns what it could not do, as warnings: a chmod that fails (the directory is not ours)
// must not keep the core from starting. Nothing else is chmod'ed — not the parents, not
// gateway.log_dir elsewhere, not config.yaml (see ConfigExposure).
//
// Symlinks: Dir is what the user chose, so a Dir that is a symlink has its target tightened
// (that target is the workspace). logs/, data/ and run/ that are symlinks point somewhere the
// user chose on purpose, maybe a shared place, so they are left alone and only reported.
// Dir is also left alone when it is a sticky directory (/tmp) or the home directory
// (--workspace ~): chmod'ing those would take away far more than the workspace, and the
// subdirectories that hold the secrets are tightened anyway.
func (w *Workspace) tighten() []string {
	if !unixModes {
		return nil // Windows has ACLs; chmod only toggles the read-only bit there
	}
	var warnings []string
	note := func(s string) {
		if s != "" {
			warnings = append(warnings, s)
		}
	}
	if !sharedDir(w.Dir) {
		note(tightenDir(w.Dir, os.Stat))
	}
	for _, d := range []string{w.LogDir, w.DataDir, w.RunDir} {
		note(tightenDir(d, os.Lstat))
	}
	return warnings
}

// tightenDir removes the group and other bits of dir, found with stat (os.Lstat: a symlink
// is reported, not followed), and says why when it cannot.
func tightenDir(dir string, stat func(string) (fs.FileInfo, error)) string {
	fi, err := stat(dir)
	switch {
	case err != nil:
		return fmt.Sprintf("could not check the mode of %s: %v", dir, err)
	case fi.Mode()&fs.ModeSymlink != 0:
		return symlinkWarning(dir)
	case fi.Mode().Perm()&othersMask == 0:
		return ""
	}
	keep := fs.ModePerm | fs.ModeSetgid | fs.ModeSetuid | fs.ModeSticky // only group and other bits go
	if err := chmod(dir, fi.Mode()&keep&^othersMask); err != nil {
		return fmt.Sprintf("%s is open to other users (mode %04o) and could not be made private: %v; run chmod 700 %s",
			dir, fi.Mode().Perm(), unwrapPath(err), dir)
	}
	return ""
}

// symlinkWarning reports a symlinked workspace subdirectory whose target others can open.
func symlinkWarning(link string) string {
	fi, err := os.Stat(link)
	if err != nil || fi.Mode().Perm()&othersMask == 0 {
		return "" // a dangling link fails later, with its own error
	}
	return fmt.Sprintf("%s is a symlink to a directory open to other users (mode %04o); it was left as it is",
		link, fi.Mode().Perm())
}

// sharedDir reports a directory that is more than a workspace: a sticky one (/tmp) or the
// user's home.
func sharedDir(dir string) bool {
	fi, err := os.Stat(dir)
	if err != nil {
		return false // tightenDir reports it
	}
	if fi.Mode()&fs.ModeSticky != 0 {
		return true
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return false
	}
	h, err := os.Stat(home)
	return err == nil && os.SameFile(fi, h)
}

// unwrapPath drops the *PathError's repetition of the path from err.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Exposure lists what leaves the workspace open to other users, for the caller to log or
// print: the Warnings of Open, then ConfigExposure of config.yaml, checked now.
func (w *Workspace) Exposure() []string {
	out := append([]string(nil), w.Warnings...)
	if e := ConfigExposure(w.ConfigPath); e != "" {
		out = append(out, e)
	}
	return out
}

// ConfigExposure returns a one-line English warning when the file at path (config.yaml, which
// holds every API key) can be read or written by its group or by other users, and "" when it
// cannot, does not exist, or on Windows. It looks at the file's own mode (through a symlink)
// even though Open makes the workspace 0700: the file may live elsewhere through a symlink,
// and the mode travels with it into backups and copies.
//
// The file is not chmod'ed for the user: it is theirs, possibly a symlink into a dotfiles
// repository or kept by configuration management that would put its mode back, possibly
// group-readable on purpose. The core tells them (log and UI) instead.
func ConfigExposure(path string) string {
	if !unixModes {
		return ""
	}
	fi, err := os.Stat(path)
	if err != nil {
		return ""
	}
	perm := fi.Mode().Perm()
	var how []string
	if perm&0o044 != 0 {
		how = append(how, "readable")
	}
	if perm&0o022 != 0 {
		how = append(how, "writable")
	}
	if len(how) == 0 {
		return ""
	}
	return fmt.Sprintf("%s is %s by other users (mode %04o); run chmod 600 %s",
		filepath.Base(path), strings.Join(how, " and "), perm, path)
}
