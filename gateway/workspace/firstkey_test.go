package workspace

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSaveFirstAdminKey(t *testing.T) {
	w := New(t.TempDir())
	path, err := w.SaveFirstAdminKey("sk-ms-one")
	if err != nil {
		t.Fatal(err)
	}
	if path != filepath.Join(w.Dir, FirstKeyName) {
		t.Errorf("path %s, want %s in the workspace", path, FirstKeyName)
	}
	if got, _ := os.ReadFile(path); string(got) != "sk-ms-one\n" {
		t.Errorf("content %q", got)
	}
	if m := mode(t, path); m != 0o600 {
		t.Errorf("mode %v, want 0600", m)
	}
	if _, err := w.SaveFirstAdminKey("sk-ms-two"); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("second save: %v, want a refusal", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "sk-ms-one\n" {
		t.Errorf("overwritten: %q", got)
	}
}

// Not a terminal (a buffer stands for the journal): the key is saved, never printed; when it
// cannot be saved the message points at config.yaml, still without the key.
func TestShowFirstRunOffTerminal(t *testing.T) {
	w := New(t.TempDir())
	first := &FirstRun{AdminKey: "sk-ms-secret", ConfigPath: w.ConfigPath}
	var out bytes.Buffer
	keyFile, err := w.ShowFirstRun(&out, first)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), first.AdminKey) || !strings.Contains(out.String(), keyFile) || keyFile == "" {
		t.Errorf("output %q (key file %q): want the file named and the key absent", out.String(), keyFile)
	}
	if got, _ := os.ReadFile(keyFile); string(got) != first.AdminKey+"\n" {
		t.Errorf("key file holds %q", got)
	}
	out.Reset()
	again, err := w.ShowFirstRun(&out, first) // the file is there already
	if err != nil || again != "" {
		t.Errorf("second show: %q, %v", again, err)
	}
	if strings.Contains(out.String(), first.AdminKey) || !strings.Contains(out.String(), "under api_keys in that file") {
		t.Errorf("fallback output %q", out.String())
	}
}

func TestIsTerminal(t *testing.T) {
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	file, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	for name, out := range map[string]io.Writer{"buffer": &bytes.Buffer{}, "null": null, "file": file} {
		if IsTerminal(out) {
			t.Errorf("%s counts as a terminal", name)
		}
	}
	pty, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0) // a pseudo-terminal's master side
	if err != nil {
		t.Skip("no /dev/ptmx:", err)
	}
	defer pty.Close()
	if !IsTerminal(pty) {
		t.Error("a pseudo-terminal does not count as a terminal")
	}
}
