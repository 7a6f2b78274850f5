package upstream

import (
	"bytes"
	"io"
	"strings"

	"github.com/modelswitch/modelswitch/gateway/config"
)

// minSecret is the shortest credential that is redacted. Local servers ask
// for placeholder keys ("ollama", "lm-studio") that are no secret and that
// answers mention as words; masking them would corrupt those answers. Every
// hosted provider's key is far longer.
const minSecret = 12

// probeLen is how much of a secret is searched for. bytes.Index on a whole
// "sk-…" key runs at ~1.4 GB/s on prose (every "s" is a candidate); eight
// bytes from the random middle of the key run at ~7 GB/s, and a hit is then
// checked against the whole secret.
const probeLen = 8

// Redactor replaces a provider's credentials in what its upstream sends
// back. An upstream can only echo what it was sent, so the secrets are the
// provider's API key and the values of its credential-like custom headers;
// the header forms ("Bearer …", "x-api-key: …") contain the raw value and are
// covered by it. A nil *Redactor redacts nothing.
type Redactor struct {
	secrets []secret
}

type secret struct {
	raw, mask []byte
	probeAt   int // offset of the probe in raw
}

// NewRedactor collects p's secrets; nil when it has none worth redacting.
func NewRedactor(p *config.Provider) *Redactor {
	values := []string{p.APIKey}
	for name, v := range p.CustomHeaders {
		if credentialHeader(name) {
			values = append(values, v)
			if _, token, ok := strings.Cut(v, " "); ok { // "Bearer x", "Basic x"
				values = append(values, token)
			}
		}
	}
	r := &Redactor{}
	for _, v := range values {
		if !containsOther(v, values) {
			r.add(v)
		}
	}
	if len(r.secrets) == 0 {
		return nil
	}
	return r
}

// containsOther reports that v holds another secret whole ("Bearer x" holds
// x): masking x masks v too, and each secret costs a scan of every answer.
func containsOther(v string, values []string) bool {
	for _, o := range values {
		if len(o) >= minSecret && len(o) < len(v) && strings.Contains(v, o) {
			return true
		}
	}
	return false
}

func (r *Redactor) add(v string) {
	if len(v) < minSecret || strings.Contains(v, "****") {
		return // a mask never matches a secret, so redacted text is never redacted again
	}
	for _, s := range r.secrets {
		if string(s.raw) == v {
			return
		}
	}
	r.secrets = append(r.secrets, secret{raw: []byte(v), mask: []byte(config.MaskSecret(v)), probeAt: len(v)/2 - probeLen/2})
}

// credentialHeader reports a header whose value is a credential. Other custom
// headers (User-Agent, HTTP-Referer, X-Title) are left alone: their values are
// ordinary words an answer may contain.
func credentialHeader(name string) bool {
	n := strings.ToLower(name)
	for _, w := range []string{"auth", "key", "token", "secret", "cookie", "password", "signature", "session"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// Bytes returns b with every secret masked: b itself, unchanged and without
// a copy, when it holds none.
func (r *Redactor) Bytes(b []byte) []byte {
	if r == nil {
		return b
	}
	for i := range r.secrets {
		b = r.secrets[i].replace(b)
	}
	return b
}

// String is Bytes for text.
func (r *Redactor) String(s string) string {
	if r == nil {
		return s
	}
	for _, sec := range r.secrets {
		if strings.Contains(s, string(sec.raw)) {
			s = strings.ReplaceAll(s, string(sec.raw), string(sec.mask))
		}
	}
	return s
}

// replace masks every occurrence of s in b, copying b only when there is one.
func (s *secret) replace(b []byte) []byte {
	at := s.find(b, 0)
	if at < 0 {
		return b
	}
	out := make([]byte, 0, len(b))
	from := 0
	for ; at >= 0; at = s.find(b, from) {
		out = append(append(out, b[from:at]...), s.mask...)
		from = at + len(s.raw)
	}
	return append(out, b[from:]...)
}

// find is the index of the first occurrence of the secret in b at or after
// from, or -1.
func (s *secret) find(b []byte, from int) int {
	probe := s.raw[s.probeAt : s.probeAt+probeLen]
	for i := from + s.probeAt; i+probeLen <= len(b); {
		j := bytes.Index(b[i:], probe)
		if j < 0 {
			return -1
		}
		start := i + j - s.probeAt
		if bytes.HasPrefix(b[start:], s.raw) {
			return start
		}
		i += j + 1
	}
	return -1
}

// partialTail is the length of the longest end of b that is the start of a
// secret: bytes that must wait for the next read before they can be let out.
func (r *Redactor) partialTail(b []byte) int {
	keep := 0
	for _, s := range r.secrets {
		window := b[max(0, len(b)-len(s.raw)+1):]
		for i := bytes.IndexByte(window, s.raw[0]); i >= 0; {
			tail := window[i:] // the longest candidate first
			if len(tail) <= keep {
				break
			}
			if bytes.HasPrefix(s.raw, tail) {
				keep = len(tail)
				break
			}
			next := bytes.IndexByte(window[i+1:], s.raw[0])
			if next < 0 {
				break
			}
			i += next + 1
		}
	}
	return keep
}

// Reader masks the secrets in everything read from rc, streams included: a
// secret split across two reads is still found, because a read's end that
// could begin one is held back until the next read shows whether it does.
// An event stream's reads end in a blank line, so in practice nothing waits.
func (r *Redactor) Reader(rc io.ReadCloser) io.ReadCloser {
	if r == nil {
		return rc
	}
	return &redactReader{rc: rc, red: r}
}

type redactReader struct {
	rc   io.ReadCloser
	red  *Redactor
	held []byte // redacted bytes that may begin a secret, not given out yet
	out  []byte // redacted bytes ready to be given out
	err  error  // the underlying reader's error, returned once out is empty
}

func (x *redactReader) Read(p []byte) (int, error) {
	for len(x.out) == 0 {
		if x.err != nil {
			return 0, x.err
		}
		if len(p) == 0 {
			return 0, nil
		}
		n, err := x.rc.Read(p)
		x.err = err
		if len(x.held) == 0 && x.clean(p[:n]) {
			return n, err // the common case: nothing to mask or hold, no copy
		}
		x.fill(p[:n])
	}
	n := copy(p, x.out)
	x.out = x.out[n:]
	return n, nil
}

// clean reports that b has no secret and, unless the stream has ended, no
// end that could begin one.
func (x *redactReader) clean(b []byte) bool {
	for i := range x.red.secrets {
		if x.red.secrets[i].find(b, 0) >= 0 {
			return false
		}
	}
	return x.err != nil || x.red.partialTail(b) == 0
}

// fill redacts what was held plus b and splits it into what can go out and
// what must wait. Redacting first means a whole secret at the end is masked
// rather than held in part.
func (x *redactReader) fill(b []byte) {
	data := x.red.Bytes(append(x.held, b...))
	keep := 0
	if x.err == nil {
		keep = x.red.partialTail(data)
	}
	x.out = append([]byte(nil), data[:len(data)-keep]...)
	x.held = append([]byte(nil), data[len(data)-keep:]...)
}

func (x *redactReader) Close() error { return x.rc.Close() }
