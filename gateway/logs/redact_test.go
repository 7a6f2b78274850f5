package logs

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelswitch/modelswitch/gateway/auth"
)

const (
	apiKey = "sk-ms-0123456789abcdefSECRET"
	bearer = "eyJhbGciOiJIUzI1NiJ9.payloadSECRET"
)

func TestMask(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "****"},
		{"short", "****"},
		{"fifteen-chars-x", "****"},
		{"sk-0123456789abcdef", "sk-****cdef"},
		{"ключ-ключ-ключ-ключ", "****"}, // not ASCII: never cut inside a rune
	} {
		if got := Mask(tc.in); got != tc.want {
			t.Errorf("Mask(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestMaskString(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"plain", "model=gpt-4o status=200", "model=gpt-4o status=200"},
		{"bearer header", "Authorization: Bearer " + bearer, "Authorization: Bearer eyJ****CRET"},
		{"bearer any case", "got bearer " + bearer + ", rejected", "got bearer eyJ****CRET, rejected"},
		{"bearer short token", "Bearer abc", "Bearer ****"},
		{"bearer without token", "Bearer ", "Bearer "},
		{"sk key", "key " + apiKey + " is invalid", "key sk-****CRET is invalid"},
		{"sk key at start", apiKey, "sk-****CRET"},
		{"sk too short", "sk-12345678", "sk-12345678"},
		{"sk inside a word", "task-0123456789abcdef", "task-0123456789abcdef"},
		{"two secrets", apiKey + " and Bearer " + bearer, "sk-****CRET and Bearer eyJ****CRET"},
		{"json", `{"authorization":"Bearer ` + bearer + `"}`, `{"authorization":"Bearer eyJ****CRET"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := MaskString(tc.in); got != tc.want {
				t.Errorf("MaskString(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestMaskSecret(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Bearer " + apiKey, "Bearer sk-****CRET"},
		{"Basic dXNlcjpwYXNzd29yZA==", "Basic dXN****ZA=="},
		{"Bearer", "****"},
		{apiKey, "sk-****CRET"},
		{"token abc", "token ****"},
		{"a long passphrase with spaces", "a l****aces"},
	} {
		if got := maskSecret(tc.in); got != tc.want {
			t.Errorf("maskSecret(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestIsSensitiveKey(t *testing.T) {
	for k, want := range map[string]bool{
		"api_key": true, "API_KEY": true, "Api-Key": true, "key": true, "Authorization": true,
		"x-api-key": true, "X_API_KEY": true, "secret": true, "token": true, "Password": true,
		"key_id": false, "request_id": false, "tokens": false, "model": false, "": false,
	} {
		if got := isSensitiveKey(k); got != want {
			t.Errorf("isSensitiveKey(%q) = %v, want %v", k, got, want)
		}
	}
}

// holder carries a secret in a field with an innocent name: only the JSON
// snapshot's credential scan can catch it.
type holder struct{ Header string }

// TestSecretsNeverReachAnOutput logs secrets every way a caller might and
// checks the bytes of all three outputs.
func TestSecretsNeverReachAnOutput(t *testing.T) {
	h := http.Header{}
	h.Set("Authorization", "Bearer "+bearer)
	h.Set("X-Api-Key", apiKey)
	h.Set("Content-Type", "application/json")
	key := &auth.Key{ID: "key_0123456789ab", Name: "sk-****CRET"}
	cases := []struct {
		name string
		log  func(*slog.Logger)
	}{
		{"api_key attr", func(l *slog.Logger) { l.Info("auth", "api_key", apiKey) }},
		{"authorization attr", func(l *slog.Logger) { l.Info("upstream", "Authorization", "Bearer "+bearer) }},
		{"header map", func(l *slog.Logger) { l.Info("request", "headers", h) }},
		{"string map", func(l *slog.Logger) { l.Info("request", "hdr", map[string]string{"x-api-key": apiKey}) }},
		{"any map", func(l *slog.Logger) { l.Info("request", "hdr", map[string]any{"token": 42, "note": apiKey}) }},
		{"nested group", func(l *slog.Logger) {
			l.Info("nested", slog.Group("upstream", slog.Group("auth", slog.String("password", bearer))))
		}},
		{"With attrs", func(l *slog.Logger) { l.With("secret", apiKey).WithGroup("g").Info("x", "key", apiKey) }},
		{"in message", func(l *slog.Logger) { l.Warn("upstream rejected Bearer " + bearer) }},
		{"in value", func(l *slog.Logger) { l.Error("failed", "detail", "invalid key "+apiKey) }},
		{"in error", func(l *slog.Logger) { l.Error("failed", "err", fmt.Errorf("auth: %w", errors.New(apiKey))) }},
		{"in struct", func(l *slog.Logger) { l.Info("x", "v", holder{Header: "Bearer " + bearer}) }},
		{"non-string key", func(l *slog.Logger) { l.Info("x", "token", []byte(bearer)) }},
		{"auth.Key stays readable", func(l *slog.Logger) { l.Info("served", "key", key, "api_key", apiKey) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			var console bytes.Buffer
			l, err := Setup(Options{Dir: dir, Console: &console, Level: slog.LevelDebug})
			if err != nil {
				t.Fatal(err)
			}
			tc.log(l.Logger)
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			file, err := os.ReadFile(filepath.Join(dir, FileName))
			if err != nil {
				t.Fatal(err)
			}
			ring, _ := json.Marshal(l.Ring.Query(Filter{}))
			for name, out := range map[string]string{"file": string(file), "console": console.String(), "ring": string(ring)} {
				if out == "" || out == "[]" {
					t.Errorf("%s: nothing logged", name)
				}
				for _, s := range []string{apiKey, bearer, "SECRET"} {
					if strings.Contains(out, s) {
						t.Errorf("%s reveals %q:\n%s", name, s, out)
					}
				}
			}
			if tc.name == "auth.Key stays readable" && !strings.Contains(string(file), key.ID) {
				t.Errorf("file lost the key id: %s", file)
			}
		})
	}
}
