//go:build unix

package control

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// permissiveUmask sets the process umask to 0 for the test, as a careless
// service unit or shell might, and puts it back at cleanup. Not parallel: the
// umask is process-wide.
func permissiveUmask(t *testing.T) {
	t.Helper()
	old := syscall.Umask(0)
	t.Cleanup(func() { syscall.Umask(old) })
}

// The socket must be private as bind creates it, before Listen's chmod: the
// check looks at what bindPrivate made, in a directory open to everyone.
func TestBindPrivateSocketIsBornPrivate(t *testing.T) {
	permissiveUmask(t)
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	path := SocketPath(dir)
	ln, err := bindPrivate(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if m := fi.Mode().Perm(); m&0o077 != 0 {
		t.Errorf("socket born with mode %04o: others could connect before the chmod", m)
	}
	if got := syscall.Umask(0); got != 0 {
		t.Errorf("umask left at %04o after bindPrivate, want the caller's 0", got)
	}
}

func TestWithUmaskAppliesAndRestores(t *testing.T) {
	permissiveUmask(t)
	path := filepath.Join(t.TempDir(), "f")
	err := withUmask(0o077, func() error { return os.WriteFile(path, nil, 0o666) })
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if m := fi.Mode().Perm(); m != 0o600 {
		t.Errorf("file made under withUmask(077) has mode %04o, want 0600", m)
	}
	if got := syscall.Umask(0); got != 0 {
		t.Errorf("umask left at %04o, want the previous 0", got)
	}
}
