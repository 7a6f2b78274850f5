package upstream

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/modelswitch/modelswitch/gateway/config"
)

const testKey = "sk-live-0123456789abcdefSECRET"

func testRedactor() *Redactor {
	return NewRedactor(&config.Provider{APIKey: testKey, CustomHeaders: map[string]string{
		"X-Upstream-Token": "Bearer tok-ABCDEFGHIJKLMNOP", "HTTP-Referer": "https://example.invalid/app", "X-Short-Key": "ollama",
	}})
}

func TestRedactorSecrets(t *testing.T) {
	r := testRedactor()
	var got []string
	for _, s := range r.secrets {
		got = append(got, string(s.raw))
	}
	want := "sk-live-0123456789abcdefSECRET|tok-ABCDEFGHIJKLMNOP"
	if strings.Join(got, "|") != want {
		t.Errorf("secrets = %q, want %q (no referer, no short placeholder, no Bearer form of a token already there)", got, want)
	}
	if NewRedactor(&config.Provider{APIKey: "ollama"}) != nil {
		t.Error("a placeholder key makes a redactor")
	}
}

func TestRedactorBytes(t *testing.T) {
	r := testRedactor()
	in := `{"error":{"message":"bad key Bearer ` + testKey + `; x-api-key: ` + testKey + `; token tok-ABCDEFGHIJKLMNOP; see https://example.invalid/app"}}`
	out := string(r.Bytes([]byte(in)))
	if strings.Contains(out, testKey) || strings.Contains(out, "tok-ABCDEFGHIJKLMNOP") {
		t.Fatalf("secret left: %s", out)
	}
	if !strings.Contains(out, "sk-****CRET") || !strings.Contains(out, "https://example.invalid/app") {
		t.Errorf("out = %s", out)
	}
	clean := []byte(`{"choices":[{"message":{"content":"sk-live is a prefix, not the key"}}]}`)
	if got := r.Bytes(clean); &got[0] != &clean[0] {
		t.Error("a body without secrets was copied")
	}
	if r.String("x "+testKey) != "x sk-****CRET" {
		t.Errorf("String = %q", r.String("x "+testKey))
	}
}

// TestRedactReaderSplitsAnywhere: whatever the read sizes, a secret split
// across reads is masked and the rest arrives byte for byte.
func TestRedactReaderSplitsAnywhere(t *testing.T) {
	r := testRedactor()
	in := "data: {\"delta\":\"" + testKey + "\"}\n\ndata: sk-live-0123 almost\n\n" + strings.Repeat("s", 40) + testKey
	want := strings.ReplaceAll(in, testKey, "sk-****CRET")
	for _, wrap := range []func(io.Reader) io.Reader{iotest.OneByteReader, iotest.HalfReader, iotest.DataErrReader, func(r io.Reader) io.Reader { return r }} {
		got, err := io.ReadAll(r.Reader(io.NopCloser(wrap(strings.NewReader(in)))))
		if err != nil || string(got) != want {
			t.Errorf("got %q, %v\nwant %q", got, err, want)
		}
	}
	if err := iotest.TestReader(r.Reader(io.NopCloser(strings.NewReader(in))), []byte(want)); err != nil {
		t.Error(err)
	}
}

// FuzzRedactReader differs the streaming redactor, over any split of the
// input into reads, from strings.ReplaceAll on the whole input.
func FuzzRedactReader(f *testing.F) {
	f.Add("hello "+testKey+" world", uint8(3))
	f.Add(testKey+testKey+"sk-live-01", uint8(1))
	f.Add("Bearer tok-ABCDEFGHIJKLMNOP", uint8(7))
	f.Fuzz(func(t *testing.T, in string, step uint8) {
		r := testRedactor()
		want := in
		for _, s := range r.secrets {
			want = strings.ReplaceAll(want, string(s.raw), string(s.mask))
		}
		n := int(step%64) + 1
		got, err := io.ReadAll(r.Reader(io.NopCloser(&chunkReader{s: in, n: n})))
		if err != nil || string(got) != want {
			t.Fatalf("step %d: got %q, want %q", n, got, want)
		}
		if b := r.Bytes([]byte(in)); string(b) != want {
			t.Fatalf("Bytes: got %q, want %q", b, want)
		}
	})
}

// chunkReader returns at most n bytes per read.
type chunkReader struct {
	s string
	n int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if c.s == "" {
		return 0, io.EOF
	}
	k := copy(p[:min(len(p), c.n)], c.s)
	c.s = c.s[k:]
	return k, nil
}

// BenchmarkRedactReader is the cost on an answer without secrets, the
// common case: a 76 KB body read through the redactor against io.ReadAll.
func BenchmarkRedactReader(b *testing.B) {
	body := bytes.Repeat([]byte(`{"type":"text","text":"some sample prose with s and sk- in it, \"quoted\"."},`), 1000)
	r := testRedactor()
	buf := make([]byte, 32<<10)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		rd := r.Reader(io.NopCloser(bytes.NewReader(body)))
		for {
			if _, err := rd.Read(buf); err != nil {
				break
			}
		}
	}
}
