package auth

import (
	"cmp"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/modelswitch/modelswitch/gateway/config"
)

// Keyring is an immutable table of keys built from one configuration. A reload
// builds a new Keyring; callers swap it atomically (e.g. atomic.Pointer) and
// in-flight requests keep the Key they already hold.
type Keyring struct {
	byHash map[[sha256.Size]byte]entry
}

type entry struct {
	secret []byte // for the constant-time comparison; never leaves the Keyring
	key    *Key
}

// NewKeyring builds a Keyring reading zone-less expiries as local time.
func NewKeyring(keys []config.APIKey) *Keyring { return NewKeyringIn(keys, time.Local) }

// NewKeyringIn builds a Keyring reading zone-less expiries in loc (the gateway
// timezone). Entries with an empty secret are skipped; if a secret repeats,
// the first entry wins (validation rejects duplicates at load).
func NewKeyringIn(keys []config.APIKey, loc *time.Location) *Keyring {
	if loc == nil {
		loc = time.Local
	}
	kr := &Keyring{byHash: make(map[[sha256.Size]byte]entry, len(keys))}
	for i := range keys {
		c := &keys[i]
		if c.Key == "" {
			continue
		}
		h := sha256.Sum256([]byte(c.Key))
		if _, dup := kr.byHash[h]; dup {
			continue
		}
		kr.byHash[h] = entry{secret: []byte(c.Key), key: newKey(c, loc)}
	}
	return kr
}

// Len returns the number of keys.
func (kr *Keyring) Len() int {
	if kr == nil {
		return 0
	}
	return len(kr.byHash)
}

// Keys returns every key, ordered by name then ID.
func (kr *Keyring) Keys() []*Key {
	if kr == nil {
		return nil
	}
	out := make([]*Key, 0, len(kr.byHash))
	for _, e := range kr.byHash {
		out = append(out, e.key)
	}
	slices.SortFunc(out, func(a, b *Key) int { return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID)) })
	return out
}

// String never shows secrets.
func (kr *Keyring) String() string { return "Keyring(" + strconv.Itoa(kr.Len()) + " keys)" }

// Lookup finds the key for secret. The map is indexed by sha256(secret), so
// the lookup's timing depends on the digest, not on the secret's bytes; the
// full secret is then compared in constant time. A nil Keyring knows no keys.
func (kr *Keyring) Lookup(secret string) (*Key, bool) {
	if kr == nil || secret == "" {
		return nil, false
	}
	e, ok := kr.byHash[sha256.Sum256([]byte(secret))]
	if !ok || subtle.ConstantTimeCompare(e.secret, []byte(secret)) != 1 {
		return nil, false
	}
	return e.key, true
}

// Authorize checks secret at now: missing or unknown → 401, disabled → 403,
// expired → 403. On a 403 the Key is returned too, so the refusal can be
// attributed in logs and usage; on a 401 it is nil.
func (kr *Keyring) Authorize(secret string, now time.Time) (*Key, *Error) {
	if secret == "" {
		return nil, authError("missing API key")
	}
	k, ok := kr.Lookup(secret)
	switch {
	case !ok:
		return nil, authError("invalid API key")
	case !k.Enabled:
		return k, permissionError("API key is disabled")
	case k.Expired(now):
		return k, permissionError("API key has expired")
	}
	return k, nil
}

// Authenticate is Credential followed by Authorize; a malformed Authorization
// header is a 401 naming the problem.
func (kr *Keyring) Authenticate(h http.Header, now time.Time) (*Key, *Error) {
	secret, err := Credential(h)
	switch {
	case errors.Is(err, ErrMissing):
		return nil, authError("missing API key")
	case err != nil:
		return nil, authError(err.Error())
	}
	return kr.Authorize(secret, now)
}

// RequireRole returns a 403 Error ("<role> role required") unless k carries
// role; a nil k (no authenticated key) is a 401.
func RequireRole(k *Key, role string) *Error {
	if k == nil {
		return authError("missing API key")
	}
	if !k.HasRole(role) {
		return permissionError(role + " role required")
	}
	return nil
}
