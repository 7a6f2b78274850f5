package auth

import (
	"errors"
	"net/http"
	"testing"
)

func TestCredential(t *testing.T) {
	tests := []struct {
		name    string
		authz   string // "" = header absent
		apiKey  string // "" = header absent
		want    string
		wantErr error
	}{
		{name: "bearer", authz: "Bearer sk-1", want: "sk-1"},
		{name: "bearer lowercase", authz: "bearer sk-1", want: "sk-1"},
		{name: "bearer upper", authz: "BEARER sk-1", want: "sk-1"},
		{name: "bearer many spaces", authz: "Bearer    sk-1  ", want: "sk-1"},
		{name: "bearer tab", authz: "Bearer\tsk-1", want: "sk-1"},
		{name: "bare key", authz: "sk-1", want: "sk-1"},
		{name: "bare key without sk prefix", authz: "abc123", want: "abc123"},
		{name: "x-api-key", apiKey: "sk-2", want: "sk-2"},
		{name: "x-api-key trimmed", apiKey: " sk-2 ", want: "sk-2"},
		{name: "authorization wins", authz: "Bearer sk-1", apiKey: "sk-2", want: "sk-1"},
		{name: "bare authorization wins", authz: "sk-1", apiKey: "sk-2", want: "sk-1"},
		{name: "malformed falls back", authz: "Basic xyz", apiKey: "sk-2", want: "sk-2"},
		{name: "bearer alone falls back", authz: "Bearer", apiKey: "sk-2", want: "sk-2"},
		{name: "bearer alone", authz: "Bearer", wantErr: ErrMalformed},
		{name: "bearer spaces only", authz: "Bearer   ", wantErr: ErrMalformed},
		{name: "basic", authz: "Basic xyz", wantErr: ErrMalformed},
		{name: "three words", authz: "Bearer sk-1 extra", wantErr: ErrMalformed},
		{name: "key with space", authz: "sk-1 sk-2", wantErr: ErrMalformed},
		{name: "neither", wantErr: ErrMissing},
		{name: "blank authorization", authz: "   ", wantErr: ErrMissing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.authz != "" {
				h.Set("Authorization", tt.authz)
			}
			if tt.apiKey != "" {
				h.Set("x-api-key", tt.apiKey)
			}
			got, err := Credential(h)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Credential() error = %v, want %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("Credential() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestMalformedMessage(t *testing.T) {
	const want = `malformed Authorization header: expected "Bearer <key>"`
	if ErrMalformed.Error() != want {
		t.Errorf("ErrMalformed = %q, want %q", ErrMalformed, want)
	}
}
