package auth

import (
	"errors"
	"net/http"
	"strings"
)

var (
	// ErrMissing means the request carries neither an Authorization nor an x-api-key header.
	ErrMissing = errors.New("missing API key")
	// ErrMalformed means Authorization is present but unusable and there is no x-api-key.
	ErrMalformed = errors.New(`malformed Authorization header: expected "Bearer <key>"`)
)

// Credential returns the secret presented in h. Accepted forms:
//
//	Authorization: Bearer K   (scheme case-insensitive, any blanks between)
//	Authorization: K          (a bare key: one word, not "Bearer")
//	x-api-key: K
//
// A usable Authorization header wins over x-api-key. A malformed Authorization
// header ("Bearer" alone, "Basic xyz", several words) falls back to x-api-key
// and yields ErrMalformed only when that is absent. Neither header → ErrMissing.
// Errors never quote the header, which may contain the secret.
func Credential(h http.Header) (secret string, err error) {
	apiKey := strings.TrimSpace(h.Get("X-Api-Key"))
	authz := strings.TrimSpace(h.Get("Authorization"))
	if authz != "" {
		if k, ok := parseAuthorization(authz); ok {
			return k, nil
		}
		if apiKey == "" {
			return "", ErrMalformed
		}
	}
	if apiKey == "" {
		return "", ErrMissing
	}
	return apiKey, nil
}

// parseAuthorization accepts "Bearer K" and a bare "K"; v is already trimmed and non-empty.
func parseAuthorization(v string) (string, bool) {
	f := strings.Fields(v)
	switch {
	case len(f) == 2 && strings.EqualFold(f[0], "Bearer"):
		return f[1], true
	case len(f) == 1 && !strings.EqualFold(f[0], "Bearer"):
		return f[0], true
	}
	return "", false
}

// HasCredential reports that h presents a key at all, well-formed or not.
func HasCredential(h http.Header) bool {
	return strings.TrimSpace(h.Get("X-Api-Key")) != "" || strings.TrimSpace(h.Get("Authorization")) != ""
}
