package claudecode

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestBackupRotation: 11 switch-ons of 11 different user files leave the
// newest 10 backups, each the file as it was before that write.
func TestBackupRotation(t *testing.T) {
	f := newFixture(t)
	var texts []string
	for i := range 11 {
		text := fmt.Sprintf("{\n  \"cleanupPeriodDays\": %d\n}\n", i)
		texts = append(texts, text)
		f.write(text)
		res := f.enable(testOpts)
		if res.Backup == "" || !strings.HasPrefix(filepath.Base(res.Backup), "settings.json.bak-20260301-12") {
			t.Fatalf("write %d: backup %q", i, res.Backup)
		}
		if b, _ := os.ReadFile(res.Backup); string(b) != text {
			t.Fatalf("backup %d holds %q", i, b)
		}
		if fi, _ := os.Stat(res.Backup); fi.Mode().Perm() != 0o600 {
			t.Fatalf("backup mode %v", fi.Mode().Perm())
		}
		f.disable() // points at us: no backup
	}
	names, _ := f.sw.backups().List()
	if len(names) != 10 {
		t.Fatalf("%d backups, want 10", len(names))
	}
	if b, _ := os.ReadFile(names[0]); string(b) != texts[1] {
		t.Errorf("oldest kept backup is %q, want the second file", b)
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
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer bad.Close()
	down := httptest.NewServer(http.NotFoundHandler())
	downURL := down.URL
	down.Close()

	if err := CheckGateway(ok.URL+"/", time.Second); err != nil {
		t.Errorf("running gateway: %v", err)
	}
	for _, u := range []string{bad.URL, downURL} {
		err := CheckGateway(u, time.Second)
		if err == nil || !strings.Contains(err.Error(), "Claude Code points at the gateway "+u) {
			t.Errorf("%s: %v", u, err)
		}
	}
	if err := CheckGateway(downURL, time.Second); !strings.Contains(err.Error(), "not running") {
		t.Errorf("closed port: %v", err)
	}

	// Warning only speaks when the file points at our gateway.
	f := newFixture(t)
	if err := f.sw.Warning(time.Second); err != nil {
		t.Errorf("no settings: %v", err)
	}
	f.enable(Options{BaseURL: downURL, Token: testToken})
	if err := f.sw.Warning(time.Second); err == nil {
		t.Error("no warning for a stopped gateway")
	}
	f.enable(Options{BaseURL: ok.URL, Token: testToken})
	if err := f.sw.Warning(time.Second); err != nil {
		t.Errorf("running gateway: %v", err)
	}
}

// TestConcurrentUse runs switch-on, switch-off and status reads together
// (go test -race); the file always parses and ends as it began.
func TestConcurrentUse(t *testing.T) {
	f := newFixture(t)
	f.write(manyKeys)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10 {
				if i%2 == 0 {
					_, _ = f.sw.Enable(testOpts)
				} else {
					_, _ = f.sw.Disable()
				}
				if _, err := f.sw.Status(); err != nil {
					t.Errorf("Status: %v", err)
				}
			}
		}()
	}
	wg.Wait()
	_, _ = f.sw.Disable()
	if got := f.read(); got != manyKeys {
		t.Fatalf("ended with %q", got)
	}
}
