package watch

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func start(t *testing.T, initial string) (string, <-chan string, *Watcher) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(initial), 0o600); err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 10)
	w, err := New(path, []byte(initial), 20*time.Millisecond, func(b []byte) { got <- string(b) }, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return path, got, w
}

func expect(t *testing.T, got <-chan string, want string) {
	t.Helper()
	select {
	case s := <-got:
		if s != want {
			t.Fatalf("reloaded %q, want %q", s, want)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("no reload for %q", want)
	}
}

func expectNothing(t *testing.T, got <-chan string) {
	t.Helper()
	select {
	case s := <-got:
		t.Fatalf("unexpected reload: %q", s)
	case <-time.After(200 * time.Millisecond):
	}
}

func TestInPlaceWrite(t *testing.T) {
	path, got, _ := start(t, "a: 1\n")
	os.WriteFile(path, []byte("a: 2\n"), 0o600)
	expect(t, got, "a: 2\n")
}

func TestRenameSave(t *testing.T) {
	path, got, _ := start(t, "a: 1\n")
	tmp := filepath.Join(filepath.Dir(path), ".config.yaml.swp")
	os.WriteFile(tmp, []byte("a: 3\n"), 0o600)
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	expect(t, got, "a: 3\n")
}

func TestDebounceCoalescesBursts(t *testing.T) {
	path, got, _ := start(t, "a: 1\n")
	for i := 0; i < 5; i++ {
		f, _ := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0o600)
		f.WriteString("a: 9\n")
		f.Close()
	}
	expect(t, got, "a: 9\n")
	expectNothing(t, got)
}

func TestOwnWriteAndUnchangedTouchAreIgnored(t *testing.T) {
	path, got, w := start(t, "a: 1\n")
	w.Expect([]byte("a: 5\n"))
	os.WriteFile(path, []byte("a: 5\n"), 0o600)
	expectNothing(t, got)
	os.WriteFile(path, []byte("a: 5\n"), 0o600) // touched, same content
	expectNothing(t, got)
	os.WriteFile(path, []byte("a: 6\n"), 0o600)
	expect(t, got, "a: 6\n")
}

func TestSymlinkSwap(t *testing.T) {
	dir := t.TempDir()
	v1 := filepath.Join(dir, "v1.yaml")
	v2 := filepath.Join(dir, "v2.yaml")
	os.WriteFile(v1, []byte("a: 1\n"), 0o600)
	os.WriteFile(v2, []byte("a: 2\n"), 0o600)
	path := filepath.Join(dir, "config.yaml")
	os.Symlink(v1, path)
	got := make(chan string, 10)
	w, err := New(path, []byte("a: 1\n"), 20*time.Millisecond, func(b []byte) { got <- string(b) }, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	tmp := filepath.Join(dir, "config.yaml.new")
	os.Symlink(v2, tmp)
	os.Rename(tmp, path)
	expect(t, got, "a: 2\n")
}
