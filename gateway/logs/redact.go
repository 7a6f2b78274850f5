package logs

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"unicode/utf8"
)

// sensitiveKeys are attribute keys whose values are always masked, compared
// case-insensitively with '-' read as '_' (so X-Api-Key matches x_api_key).
var sensitiveKeys = []string{"api_key", "key", "authorization", "x_api_key", "secret", "token", "password"}

// isSensitiveKey reports whether an attribute named k holds a secret. It does
// not allocate: the comparison folds case and '-' byte by byte.
func isSensitiveKey(k string) bool {
	if len(k) < 3 || len(k) > len("authorization") {
		return false
	}
	for _, s := range sensitiveKeys {
		if len(s) == len(k) && foldEqual(k, s) {
			return true
		}
	}
	return false
}

// foldEqual compares k with the lower-case, '_'-separated s.
func foldEqual(k, s string) bool {
	for i := 0; i < len(k); i++ {
		c := k[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		} else if c == '-' {
			c = '_'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

// Mask hides a secret: its first 3 and last 4 characters around "****", or
// just "****" when it is shorter than 16 bytes or not ASCII, so that at most
// 7 characters of a long secret (mostly its well-known prefix) are shown.
func Mask(s string) string {
	if len(s) < 16 || !isASCII(s) {
		return "****"
	}
	return s[:3] + "****" + s[len(s)-4:]
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// MaskString masks every credential-looking token inside s: the token after
// "Bearer " (any case) and any "sk-…" token longer than 12 characters that
// starts a word. It returns s itself, without allocating, when there is none.
func MaskString(s string) string {
	if !strings.Contains(s, "sk-") && !containsBearer(s) {
		return s
	}
	var b strings.Builder
	last := 0 // s[last:] is not yet copied to b
	for i := 0; i < len(s); {
		start, end := credentialAt(s, i)
		if end == 0 {
			i++
			continue
		}
		b.WriteString(s[last:start])
		b.WriteString(Mask(s[start:end]))
		last, i = end, end
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// credentialAt returns the bounds of the secret that begins at s[i], or end
// 0 when none does. For "Bearer x" the secret is x; for "sk-…" the whole token.
func credentialAt(s string, i int) (start, end int) {
	if i > 0 && isTokenByte(s[i-1]) {
		return 0, 0 // not the start of a word
	}
	switch c := s[i] | 0x20; {
	case c == 'b' && len(s)-i > 7 && strings.EqualFold(s[i:i+6], "bearer") && s[i+6] == ' ':
		start = i + 7
		for start < len(s) && s[start] == ' ' {
			start++
		}
		end = tokenEnd(s, start)
		if end == start {
			return 0, 0
		}
		return start, end
	case c == 's' && strings.HasPrefix(s[i:], "sk-"):
		end = tokenEnd(s, i+3)
		if end-i <= 12 {
			return 0, 0
		}
		return i, end
	}
	return 0, 0
}

func tokenEnd(s string, i int) int {
	for i < len(s) && isTokenByte(s[i]) {
		i++
	}
	return i
}

// isTokenByte matches the characters of an RFC 6750 b64token and of API keys.
func isTokenByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~' || c == '+' || c == '/' || c == '='
}

// containsBearer reports whether s contains "bearer " in any case.
func containsBearer(s string) bool {
	for i := 0; i+7 <= len(s); i++ {
		if s[i]|0x20 == 'b' && s[i+6] == ' ' && strings.EqualFold(s[i:i+6], "bearer") {
			return true
		}
	}
	return false
}

// redactor is the slog.Handler in front of every output (file, console,
// ring): it resolves LogValuers, masks secrets and turns values of arbitrary
// type into immutable ones once, so that the outputs cannot disagree and the
// ring never holds a pointer into a caller's data.
type redactor struct {
	next  slog.Handler
	level slog.Leveler
}

func (h *redactor) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level.Level() }

func (h *redactor) Handle(ctx context.Context, r slog.Record) error {
	msg := MaskString(r.Message)
	dirty := msg != r.Message
	if !dirty {
		r.Attrs(func(a slog.Attr) bool {
			dirty = needsClean(a)
			return !dirty
		})
	}
	if !dirty {
		return h.next.Handle(ctx, r)
	}
	nr := slog.NewRecord(r.Time, r.Level, msg, r.PC)
	r.Attrs(func(a slog.Attr) bool {
		nr.AddAttrs(clean(a))
		return true
	})
	return h.next.Handle(ctx, nr)
}

func (h *redactor) WithAttrs(as []slog.Attr) slog.Handler {
	cleaned := make([]slog.Attr, len(as))
	for i, a := range as {
		cleaned[i] = clean(a)
	}
	return &redactor{next: h.next.WithAttrs(cleaned), level: h.level}
}

func (h *redactor) WithGroup(name string) slog.Handler {
	return &redactor{next: h.next.WithGroup(name), level: h.level}
}

// needsClean is the cheap test that lets most records pass unchanged.
func needsClean(a slog.Attr) bool {
	switch a.Value.Kind() {
	case slog.KindString:
		return isSensitiveKey(a.Key) || MaskString(a.Value.String()) != a.Value.String()
	case slog.KindAny, slog.KindLogValuer, slog.KindGroup:
		return true
	}
	return isSensitiveKey(a.Key)
}

// clean returns a with its value resolved, masked and made immutable. Group
// members are cleaned at any depth; a group's own key (say "key" for an
// auth.Key, which logs as {id, name}) does not mask its members.
func clean(a slog.Attr) slog.Attr {
	a.Value = a.Value.Resolve()
	if a.Value.Kind() == slog.KindGroup {
		members := a.Value.Group()
		out := make([]slog.Attr, len(members))
		for i, m := range members {
			out[i] = clean(m)
		}
		return slog.Attr{Key: a.Key, Value: slog.GroupValue(out...)}
	}
	if isSensitiveKey(a.Key) {
		if a.Value.Kind() == slog.KindString {
			return slog.String(a.Key, maskSecret(a.Value.String()))
		}
		return slog.String(a.Key, "****")
	}
	switch a.Value.Kind() {
	case slog.KindString:
		return slog.String(a.Key, MaskString(a.Value.String()))
	case slog.KindAny:
		a.Value = cleanAny(a.Value.Any())
	}
	return a
}

// cleanAny turns a value of arbitrary type into a string or a JSON snapshot:
// headers and string maps get their sensitive entries masked, errors become
// their text, anything else is marshalled now (as the JSON handler would
// have done) and scanned for credentials.
func cleanAny(v any) slog.Value {
	switch x := v.(type) {
	case nil:
		return slog.AnyValue(nil)
	case error:
		return slog.StringValue(MaskString(x.Error()))
	case http.Header:
		return cleanAny(map[string][]string(x))
	case map[string][]string:
		m := make(map[string][]string, len(x))
		for k, vs := range x {
			out := make([]string, len(vs))
			for i, s := range vs {
				out[i] = maskValue(k, s)
			}
			m[k] = out
		}
		v = m
	case map[string]string:
		m := make(map[string]string, len(x))
		for k, s := range x {
			m[k] = maskValue(k, s)
		}
		v = m
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			if s, ok := e.(string); ok {
				m[k] = maskValue(k, s)
			} else if isSensitiveKey(k) {
				m[k] = "****"
			} else {
				m[k] = e
			}
		}
		v = m
	}
	b, err := json.Marshal(v)
	if err != nil {
		return slog.StringValue(MaskString(fmt.Sprintf("%+v", v)))
	}
	if s := MaskString(string(b)); s != string(b) {
		return slog.AnyValue(json.RawMessage(s))
	}
	return slog.AnyValue(json.RawMessage(b))
}

// maskValue masks s as the value of an entry named k.
func maskValue(k, s string) string {
	if isSensitiveKey(k) {
		return maskSecret(s)
	}
	return MaskString(s)
}

// maskSecret masks the value of a sensitive attribute, keeping a Bearer,
// Basic or Token scheme readable: "Bearer sk-…" becomes "Bearer sk-****wxyz".
func maskSecret(s string) string {
	if i := strings.IndexByte(s, ' '); i > 0 {
		switch scheme := s[:i]; {
		case strings.EqualFold(scheme, "bearer"), strings.EqualFold(scheme, "basic"), strings.EqualFold(scheme, "token"):
			return s[:i+1] + Mask(strings.TrimLeft(s[i+1:], " "))
		}
	}
	return Mask(s)
}
