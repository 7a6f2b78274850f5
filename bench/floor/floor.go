// Package floor is the floor proxy of performance-notes §1.1: what net/http
// alone costs. It reads the body into a pooled buffer, swaps the value of the
// first "model" key by scanning bytes, forwards over one tuned Transport and
// copies the answer back, flushing streams as they arrive. No auth, no
// router, no logging.
package floor

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Proxy forwards every request to Upstream (scheme://host) with the same path
// (/v1/chat/completions, /v1/messages, /v1/responses, …): it never converts,
// so a conversion cell's floor is the client's request to the mock's endpoint
// of the client's protocol.
type Proxy struct {
	Upstream string
	Model    string // new value of "model"
	tr       *http.Transport
	pool     sync.Pool
}

// New returns a floor proxy to upstream.
func New(upstream, model string) *Proxy {
	return &Proxy{Upstream: upstream, Model: model, tr: &http.Transport{
		MaxIdleConns: 1024, MaxIdleConnsPerHost: 256, IdleConnTimeout: 90 * time.Second,
		DisableCompression: true, WriteBufferSize: 64 << 10,
	}}
}

func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	buf, _ := p.pool.Get().(*bytes.Buffer)
	if buf == nil {
		buf = new(bytes.Buffer)
	}
	defer p.pool.Put(buf)
	buf.Reset()
	if r.ContentLength > 0 {
		buf.Grow(int(r.ContentLength) + len(p.Model))
	}
	if _, err := buf.ReadFrom(r.Body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	body := SwapModel(buf.Bytes(), p.Model)
	out, err := http.NewRequestWithContext(r.Context(), r.Method, p.Upstream+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	for k, v := range r.Header {
		out.Header[k] = v
	}
	out.ContentLength = int64(len(body))
	out.Header.Set("Content-Length", strconv.Itoa(len(body)))
	resp, err := p.tr.RoundTrip(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	if resp.Header.Get("Content-Type") != "text/event-stream" {
		_, _ = io.Copy(w, resp.Body)
		return
	}
	rc := http.NewResponseController(w)
	chunk := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(chunk)
		if n > 0 {
			if _, werr := w.Write(chunk[:n]); werr != nil || rc.Flush() != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// SwapModel splices model in as the string value of the first "model" key,
// into one new slice sized for the result.
func SwapModel(body []byte, model string) []byte {
	i := bytes.Index(body, []byte(`"model"`))
	if i < 0 {
		return body
	}
	j := i + len(`"model"`)
	for j < len(body) && (body[j] == ' ' || body[j] == ':' || body[j] == '\t' || body[j] == '\n') {
		j++
	}
	if j >= len(body) || body[j] != '"' {
		return body
	}
	end := j + 1
	for end < len(body) && body[end] != '"' {
		if body[end] == '\\' {
			end++
		}
		end++
	}
	if end >= len(body) {
		return body
	}
	out := make([]byte, 0, len(body)-(end-j-1)+len(model))
	out = append(out, body[:j+1]...)
	out = append(out, model...)
	return append(out, body[end:]...)
}
