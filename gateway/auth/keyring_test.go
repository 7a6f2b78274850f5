package auth

import (
	"net/http"
	"testing"
	"time"

	"github.com/modelswitch/modelswitch/gateway/config"
)

var t0 = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

func testKeyring() *Keyring {
	off := false
	return NewKeyringIn([]config.APIKey{
		{Key: "sk-good", Name: "good"},
		{Key: "sk-off", Name: "off", Enabled: &off},
		{Key: "sk-old", Name: "old", ExpiresAt: "2026-03-10T11:59:59Z"},
		{Key: "sk-later", Name: "later", ExpiresAt: "2026-03-10T13:00:00"}, // zone-less → UTC here
		{Key: "sk-good", Name: "duplicate"},
		{Key: "", Name: "empty secret"},
		{Key: "sk-admin", Name: "root", Roles: []string{"admin"}},
	}, time.UTC)
}

func TestAuthorize(t *testing.T) {
	kr := testKeyring()
	tests := []struct {
		secret   string
		wantName string // "" = no key returned
		status   int    // 0 = allowed
		kind     string
		msg      string
	}{
		{secret: "sk-good", wantName: "good"},
		{secret: "sk-later", wantName: "later"},
		{secret: "", status: 401, kind: KindAuthentication, msg: "missing API key"},
		{secret: "sk-nope", status: 401, kind: KindAuthentication, msg: "invalid API key"},
		{secret: "sk-goo", status: 401, kind: KindAuthentication, msg: "invalid API key"},
		{secret: "sk-good ", status: 401, kind: KindAuthentication, msg: "invalid API key"},
		{secret: "sk-off", wantName: "off", status: 403, kind: KindPermission, msg: "API key is disabled"},
		{secret: "sk-old", wantName: "old", status: 403, kind: KindPermission, msg: "API key has expired"},
	}
	for _, tt := range tests {
		t.Run(tt.secret, func(t *testing.T) {
			k, err := kr.Authorize(tt.secret, t0)
			var name string
			if k != nil {
				name = k.Name
			}
			if name != tt.wantName {
				t.Errorf("key name = %q, want %q", name, tt.wantName)
			}
			if tt.status == 0 {
				if err != nil {
					t.Fatalf("Authorize error = %v, want nil", err)
				}
				return
			}
			if err == nil || err.Status != tt.status || err.Kind != tt.kind || err.Message != tt.msg || err.Error() != tt.msg {
				t.Errorf("Authorize error = %+v, want %d %s %q", err, tt.status, tt.kind, tt.msg)
			}
		})
	}
}

func TestKeyringMisc(t *testing.T) {
	kr := testKeyring()
	if kr.Len() != 5 {
		t.Errorf("Len = %d, want 5 (duplicate and empty secret skipped)", kr.Len())
	}
	var nilRing *Keyring
	if _, ok := nilRing.Lookup("sk-good"); ok || nilRing.Len() != 0 {
		t.Error("nil Keyring must know no keys")
	}
	// A reload builds a new Keyring; the same secret keeps its ID, so limiter counters carry over.
	a, _ := kr.Lookup("sk-good")
	b, _ := NewKeyring([]config.APIKey{{Key: "sk-good", Name: "renamed"}}).Lookup("sk-good")
	if a.ID != b.ID || b.Name != "renamed" {
		t.Errorf("reload: ids %q/%q, name %q", a.ID, b.ID, b.Name)
	}
}

func TestAuthenticate(t *testing.T) {
	kr := testKeyring()
	tests := []struct {
		name   string
		header http.Header
		status int
		msg    string
	}{
		{"bearer", http.Header{"Authorization": {"Bearer sk-good"}}, 0, ""},
		{"x-api-key", http.Header{"X-Api-Key": {"sk-good"}}, 0, ""},
		{"missing", http.Header{}, 401, "missing API key"},
		{"malformed", http.Header{"Authorization": {"Basic abc"}}, 401, ErrMalformed.Error()},
		{"unknown", http.Header{"Authorization": {"sk-x"}}, 401, "invalid API key"},
		{"disabled", http.Header{"Authorization": {"sk-off"}}, 403, "API key is disabled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := kr.Authenticate(tt.header, t0)
			switch {
			case tt.status == 0 && err != nil:
				t.Errorf("Authenticate error = %v, want nil", err)
			case tt.status != 0 && (err == nil || err.Status != tt.status || err.Message != tt.msg):
				t.Errorf("Authenticate error = %+v, want %d %q", err, tt.status, tt.msg)
			}
		})
	}
}

func TestRequireRole(t *testing.T) {
	kr := testKeyring()
	admin, _ := kr.Lookup("sk-admin")
	user, _ := kr.Lookup("sk-good")
	tests := []struct {
		name   string
		key    *Key
		status int
		msg    string
	}{
		{"admin", admin, 0, ""},
		{"user", user, 403, "admin role required"},
		{"no key", nil, 401, "missing API key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := RequireRole(tt.key, config.RoleAdmin)
			if tt.status == 0 {
				if err != nil {
					t.Errorf("RequireRole = %v, want nil", err)
				}
				return
			}
			if err == nil || err.Status != tt.status || err.Message != tt.msg {
				t.Errorf("RequireRole = %+v, want %d %q", err, tt.status, tt.msg)
			}
		})
	}
}
