package auth

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/modelswitch/modelswitch/gateway/config"
)

func TestKeyID(t *testing.T) {
	// printf 'sk-test' | sha256sum → f3abf2a6cc4f…; the id keeps the first 12 hex digits.
	if got, want := keyID("sk-test"), "key_f3abf2a6cc4f"; got != want {
		t.Errorf("keyID(sk-test) = %q, want %q", got, want)
	}
	if keyID("sk-tesu") == keyID("sk-test") {
		t.Errorf("keyID must distinguish secrets")
	}
}

func TestDisplayName(t *testing.T) {
	tests := []struct{ name, secret, want string }{
		{"alice", "sk-abcdefgh", "alice"},
		{"", "sk-abcdefgh1234", "sk-****1234"},
		{"", "sk-abcde", "sk-****bcde"}, // 8 chars: first 3 + last 4
		{"", "sk-abcd", "sk-****"},      // 7 chars: first 3 only
		{"", "ab", "ab****"},
	}
	for _, tt := range tests {
		if got := displayName(tt.name, tt.secret); got != tt.want {
			t.Errorf("displayName(%q, %q) = %q, want %q", tt.name, tt.secret, got, tt.want)
		}
	}
}

func TestParseExpiry(t *testing.T) {
	tokyo := time.FixedZone("JST", 9*3600)
	tests := []struct {
		in   string
		want time.Time
	}{
		{"", time.Time{}},
		{"not a date", time.Time{}},
		{"2026-13-01", time.Time{}},
		{"2026-05-01T10:00:00Z", time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)},
		{"2026-05-01T10:00:00+08:00", time.Date(2026, 5, 1, 2, 0, 0, 0, time.UTC)},
		{"2026-05-01T10:00:00.5Z", time.Date(2026, 5, 1, 10, 0, 0, 5e8, time.UTC)},
		{"2026-05-01T10:00:00", time.Date(2026, 5, 1, 10, 0, 0, 0, tokyo)},
		{"2026-05-01T10:00:00.123456", time.Date(2026, 5, 1, 10, 0, 0, 123456000, tokyo)},
		{"2026-05-01 10:00:00", time.Date(2026, 5, 1, 10, 0, 0, 0, tokyo)},
		{"2026-05-01", time.Date(2026, 5, 1, 0, 0, 0, 0, tokyo)},
		{" 2026-05-01 ", time.Date(2026, 5, 1, 0, 0, 0, 0, tokyo)},
	}
	for _, tt := range tests {
		if got := parseExpiry(tt.in, tokyo); !got.Equal(tt.want) {
			t.Errorf("parseExpiry(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestNewKey(t *testing.T) {
	off, ten := false, 10
	tests := []struct {
		name string
		in   config.APIKey
		want Key
	}{
		{
			name: "defaults",
			in:   config.APIKey{Key: "sk-abcdefgh1234"},
			want: Key{Name: "sk-****1234", Roles: []string{"user"}, Enabled: true, BudgetWarning: 0.8},
		},
		{
			name: "all fields",
			in: config.APIKey{Key: "sk-abcdefgh1234", Name: "ci", Enabled: &off, RateLimit: &ten, DailyLimit: 5,
				AllowedModels: []string{"glm-5"}, Roles: []string{"admin"}, ExpiresAt: "2026-01-02T03:04:05Z",
				DailyBudget: 1.5, MonthlyBudget: 20, BudgetWarning: 0.9},
			want: Key{Name: "ci", Roles: []string{"admin"}, RateLimit: 10, DailyLimit: 5,
				DailyBudget: 1_500_000_000, MonthlyBudget: 20_000_000_000, BudgetWarning: 0.9,
				AllowedModels: []string{"glm-5"}, Expiry: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.want.ID = keyID(tt.in.Key)
			got := newKey(&tt.in, time.UTC)
			if diff := cmp.Diff(tt.want, *got); diff != "" {
				t.Errorf("newKey mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestKeyPredicates(t *testing.T) {
	exp := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	k := &Key{Roles: []string{"user"}, AllowedModels: []string{"GLM-5", "claude-sonnet"}, Expiry: exp}
	checks := []struct {
		name string
		got  bool
		want bool
	}{
		{"allows exact", k.AllowsModel("claude-sonnet"), true},
		{"allows case-insensitive", k.AllowsModel("glm-5"), true},
		{"refuses other", k.AllowsModel("gpt-5"), false},
		{"empty list allows all", (&Key{}).AllowsModel("anything"), true},
		{"not admin", k.IsAdmin(), false},
		{"admin", (&Key{Roles: []string{"user", "admin"}}).IsAdmin(), true},
		{"before expiry", k.Expired(exp.Add(-time.Nanosecond)), false},
		{"at expiry", k.Expired(exp), true},
		{"no expiry", (&Key{}).Expired(exp), false},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
	if e := k.CheckModel("gpt-5"); e == nil || e.Status != 403 || e.Kind != KindPermission {
		t.Errorf("CheckModel(gpt-5) = %+v, want 403 permission", e)
	}
	if e := k.CheckModel("glm-5"); e != nil {
		t.Errorf("CheckModel(glm-5) = %v, want nil", e)
	}
}

func TestKeyNeverPrintsSecret(t *testing.T) {
	const secret = "sk-supersecretvalue-0042"
	kr := NewKeyring([]config.APIKey{{Key: secret, Name: "bob"}})
	k, ok := kr.Lookup(secret)
	if !ok {
		t.Fatal("Lookup failed")
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("req", "key", k, "keyval", *k)
	outputs := []string{
		fmt.Sprint(k), fmt.Sprintf("%v %+v %s", *k, k, k), kr.String(), fmt.Sprintf("%v", kr), buf.String(),
	}
	for _, out := range outputs {
		if strings.Contains(out, "supersecret") {
			t.Errorf("output leaks the secret: %s", out)
		}
	}
	if want := k.ID + " (bob)"; k.String() != want {
		t.Errorf("String() = %q, want %q", k.String(), want)
	}
	if !strings.Contains(buf.String(), `"key":{"id":"`+k.ID+`","name":"bob"}`) {
		t.Errorf("slog output = %s, want key group with id and name", buf.String())
	}
}
