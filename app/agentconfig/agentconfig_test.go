package agentconfig

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestBackupSameSecondAndDedup: backups in one second get distinct names
// that sort in order; an unchanged file is not copied again; only the
// newest Keep remain.
func TestBackupSameSecondAndDedup(t *testing.T) {
	b := Backups{Dir: t.TempDir(), Prefix: "config.toml.bak-", Keep: 10}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	first, err := b.Save([]byte("a"), now)
	if err != nil {
		t.Fatal(err)
	}
	second, _ := b.Save([]byte("b"), now)
	again, _ := b.Save([]byte("b"), now)
	if filepath.Base(first) != "config.toml.bak-20260102-030405" || filepath.Base(second) != "config.toml.bak-20260102-030405-001" || again != second {
		t.Fatalf("names %s %s %s", first, second, again)
	}
	if fi, _ := os.Stat(first); fi.Mode().Perm() != 0o600 {
		t.Errorf("backup mode %v", fi.Mode().Perm())
	}
	b.Keep = 3
	for i := range 12 {
		if _, err := b.Save([]byte{byte('c' + i)}, now.Add(-time.Hour)); err != nil { // the clock went back
			t.Fatal(err)
		}
	}
	names, _ := b.List()
	if len(names) != 3 || !strings.HasSuffix(names[2], "-013") {
		t.Fatalf("rotation kept %v", names)
	}
	if data, _ := os.ReadFile(names[2]); string(data) != "n" {
		t.Errorf("newest backup holds %q", data)
	}
	// Other files in the directory are neither listed nor rotated away.
	other := filepath.Join(b.Dir, "settings.json.bak-20200101-000000")
	_ = os.WriteFile(other, nil, 0o600)
	if names, _ := b.List(); len(names) != 3 {
		t.Errorf("listed %v", names)
	}
}

func TestReadForWriteRefusals(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.toml")
	if f, err := ReadForWrite(path, "edit it by hand"); err != nil || f.Exists || f.Mode != 0o600 {
		t.Fatalf("missing file: %+v %v", f, err)
	}
	if err := os.WriteFile(path, []byte("a = 1\n"), 0o444); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadForWrite(path, "x"); !errors.Is(err, ErrReadOnly) || !strings.Contains(err.Error(), "0444") {
		t.Errorf("read-only: %v", err)
	}
	if f, err := Read(path); err != nil || string(f.Text) != "a = 1\n" {
		t.Errorf("Read of a read-only file: %+v %v", f, err)
	}
	link := filepath.Join(dir, "link.toml")
	if err := os.Symlink(path, link); err != nil {
		t.Skipf("symlinks unavailable: %v", err)
	}
	_, err := ReadForWrite(link, "set model_provider by hand")
	if !errors.Is(err, ErrSymlink) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "set model_provider by hand") {
		t.Errorf("symlink: %v", err)
	}
	if f, err := Read(link); err != nil || !f.Exists {
		t.Errorf("Read follows links: %+v %v", f, err)
	}
	if _, err := ReadForWrite(dir, "x"); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("directory: %v", err)
	}
}

// TestWriteAtomicDetectsChange: a change made between reading and renaming
// wins; the temporary file is cleaned up.
func TestWriteAtomicDetectsChange(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.toml")
	_ = os.WriteFile(path, []byte("old\n"), 0o640)
	was, _ := Read(path)
	BeforeRename = func(p string) { _ = os.WriteFile(p, []byte("theirs\n"), 0o640) }
	t.Cleanup(func() { BeforeRename = nil })
	if err := WriteAtomic(path, []byte("ours\n"), was.Mode, was); !errors.Is(err, ErrChanged) {
		t.Fatalf("err = %v", err)
	}
	BeforeRename = nil
	if b, _ := os.ReadFile(path); string(b) != "theirs\n" {
		t.Fatalf("file %q", b)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, ".config.toml.tmp-*")); len(m) != 0 {
		t.Fatalf("temporary files left: %v", m)
	}
	was, _ = Read(path)
	if err := WriteAtomic(path, []byte("ours\n"), was.Mode, was); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want 0640 kept", fi.Mode().Perm())
	}
	if err := Remove(path, File{Exists: true, Text: []byte("stale")}); !errors.Is(err, ErrChanged) {
		t.Errorf("Remove of a changed file: %v", err)
	}
	now, _ := Read(path)
	if err := Remove(path, now); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Error("not removed")
	}
}

func TestRecordRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", "codex.json")
	var v struct{ A string }
	if found, err := LoadJSON(path, &v); found || err != nil {
		t.Fatalf("missing record: %v %v", found, err)
	}
	v.A = "x"
	if err := SaveJSON(path, v); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("record mode %v", fi.Mode().Perm())
	}
	var w struct{ A string }
	if found, err := LoadJSON(path, &w); !found || err != nil || w.A != "x" {
		t.Fatalf("loaded %+v %v %v", w, found, err)
	}
	_ = os.WriteFile(path, []byte("{"), 0o600)
	if _, err := LoadJSON(path, &w); err == nil || !strings.Contains(err.Error(), "move it away") {
		t.Errorf("broken record: %v", err)
	}
	if err := RemoveRecord(path); err != nil || RemoveRecord(path) != nil {
		t.Error("RemoveRecord")
	}
	if Digest(false, nil) != "absent" || Digest(true, nil) == Digest(true, []byte("x")) {
		t.Error("Digest")
	}
}

func TestCheckGateway(t *testing.T) {
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/health" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write([]byte(`{"status":"ok"}`))
	}))
	defer ok.Close()
	down := httptest.NewServer(http.NotFoundHandler())
	downURL := down.URL
	down.Close()
	if err := CheckGateway("Codex", ok.URL+"/v1", ok.URL+"/", time.Second); err != nil {
		t.Errorf("running: %v", err)
	}
	err := CheckGateway("Codex", downURL+"/v1", downURL, time.Second)
	if err == nil || !strings.Contains(err.Error(), "Codex points at the gateway "+downURL+"/v1, but it is not running") ||
		!strings.Contains(err.Error(), "switch Codex off") {
		t.Errorf("stopped: %v", err)
	}
}
