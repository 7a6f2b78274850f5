package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// setEditEnv sets the variables the sample configs reference, so that Parse accepts them.
func setEditEnv(t *testing.T) {
	for _, k := range []string{"OPENAI_API_KEY", "DASHSCOPE_API_KEY", "ANTHROPIC_API_KEY", "MS_ADMIN_KEY", "OPS_KEY", "NEW_API_KEY"} {
		t.Setenv(k, "secret-"+strings.ToLower(k))
	}
}

func readEditData(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "edit", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func toCRLF(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

// lineOfText returns the 0-based index of the first line at or after from that contains sub.
func lineOfText(t testing.TB, text, sub string, from int) int {
	t.Helper()
	for i, l := range strings.Split(text, "\n")[from:] {
		if strings.Contains(l, sub) {
			return from + i
		}
	}
	t.Fatalf("no line contains %q", sub)
	return 0
}

// assertOnlyChanged fails unless got keeps every line of orig outside its lines from..to
// (0-based, inclusive) byte for byte and in order: the lines before from start got, and the
// lines after to end it.
func assertOnlyChanged(t testing.TB, orig, got string, from, to int) {
	t.Helper()
	a, b := strings.Split(orig, "\n"), strings.Split(got, "\n")
	from, to = min(from, len(a)), min(to, len(a)-1)
	head, tail := a[:from], a[to+1:]
	if len(head)+len(tail) > len(b) || !slices.Equal(b[:len(head)], head) || !slices.Equal(b[len(b)-len(tail):], tail) {
		t.Errorf("lines outside %d..%d (1-based) changed:\n%s", from+1, to+1, cmp.Diff(a, b))
	}
}

type recordTB struct {
	testing.TB
	failed bool
}

func (r *recordTB) Helper()               {}
func (r *recordTB) Errorf(string, ...any) { r.failed = true }

func TestAssertOnlyChangedDetects(t *testing.T) {
	const orig = "a\nb\nc\nd\n"
	for _, tc := range []struct {
		got      string
		from, to int
		fail     bool
	}{
		{"a\nB\nc\nd\n", 1, 1, false},
		{"a\nb\nx\nc\nd\n", 2, 2, false}, // insertion before c
		{"a\nb\nd\n", 2, 2, false},       // deletion of c
		{"a\nB\nC\nd\n", 1, 1, true},
		{"A\nb\nc\nd\n", 1, 2, true},
		{"a\nb\nc\nd", 1, 2, true}, // the final newline is a line too
	} {
		r := &recordTB{TB: t}
		assertOnlyChanged(r, orig, tc.got, tc.from, tc.to)
		if r.failed != tc.fail {
			t.Errorf("assertOnlyChanged(%q, %d..%d) failed = %v, want %v", tc.got, tc.from, tc.to, r.failed, tc.fail)
		}
	}
}
