//go:build linux || darwin

package service_test

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestInstallUnderSudoHandsTheWorkspaceToTheUser: what root creates for the service's account
// (as under sudo) belongs to that account, or the service could not open its own lock.
func TestInstallUnderSudoHandsTheWorkspaceToTheUser(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to chown; the ownership rule only applies when root installs for a user")
	}
	r := newRig(t, "new/nested ws")
	r.c.Account.UID, r.c.Account.GID = 54321, 54321
	if err := r.c.Install(); err != nil {
		t.Fatalf("install: %v\n%s", err, r.out)
	}
	ws := r.c.Spec.Workspace
	for _, p := range []string{filepath.Dir(ws), ws, filepath.Join(ws, "config.yaml"), filepath.Join(ws, "logs"),
		filepath.Join(ws, "data"), filepath.Join(ws, "run"), filepath.Join(ws, "run", "core.lock")} {
		fi, err := os.Lstat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st := fi.Sys().(*syscall.Stat_t); st.Uid != 54321 || st.Gid != 54321 {
			t.Errorf("%s is owned by %d:%d", p, st.Uid, st.Gid)
		}
	}
	if fi, _ := os.Lstat(r.home); fi.Sys().(*syscall.Stat_t).Uid == 54321 {
		t.Error("a directory that existed before was chowned")
	}
}
