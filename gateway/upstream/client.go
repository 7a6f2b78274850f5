package upstream

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/modelswitch/modelswitch/gateway/config"
)

// Endpoints a request can be sent to, relative to the provider's API root.
const (
	ChatCompletions = "chat/completions"
	Responses       = "responses"
	Messages        = "messages"
	CountTokens     = "messages/count_tokens"
	Models          = "models"
)

// maxErrorBody bounds how much of an upstream error body is kept.
const maxErrorBody = 64 << 10

// Client talks to one provider. It is safe for concurrent use and immutable.
type Client struct {
	name     string
	protocol string
	root     string // base URL ending in "/", with "v1/" added for Anthropic roots without it
	apiKey   string
	headers  map[string]string
	redact   *Redactor // what of the above an upstream's answer must not show
	http     *http.Client
}

// Request is one upstream call.
type Request struct {
	Endpoint string // ChatCompletions, Messages, ...
	Method   string // default POST
	Body     []byte // sent as is
	// Parts, when set instead of Body, are sent in order as one body: a
	// pass-through request as jsonbody.PatchParts pieces, without copying
	// the client's body. They must stay unmodified until Do's response body
	// is closed (the transport may still be writing, or retry).
	Parts  [][]byte
	Header http.Header // extra headers to forward (e.g. anthropic-version); may be nil
	// Holder, when set, keeps Body's or Parts' bytes alive while the
	// transport may read them: Hold before each body reader is made, Release
	// when the transport closes that reader. The transport can go on writing
	// a body after RoundTrip returned an error, until it closes it.
	Holder BodyHolder
}

// BodyHolder owns the bytes of a request body shared with the transport.
type BodyHolder interface {
	Hold()
	Release()
}

// New builds a client for p, reusing transport when it is non-nil (see Transport).
func New(p *config.Provider, transport *http.Transport) *Client {
	if transport == nil {
		transport = NewTransport(p)
	}
	return &Client{
		name:     p.Name,
		protocol: p.Protocol(),
		root:     apiRoot(p.Protocol(), p.BaseURL),
		apiKey:   p.APIKey,
		headers:  p.CustomHeaders,
		redact:   NewRedactor(p),
		http:     &http.Client{Transport: transport},
	}
}

// NewTransport returns the transport tuned for p (performance-notes §2.3).
func NewTransport(p *config.Provider) *http.Transport {
	connect := time.Duration(p.Timeouts.Connect * float64(time.Second))
	if connect <= 0 {
		connect = 10 * time.Second
	}
	dialer := &net.Dialer{Timeout: connect, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialCopyConn(dialer.DialContext),
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          512,
		MaxIdleConnsPerHost:   256,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   connect,
		ExpectContinueTimeout: time.Second,
		DisableCompression:    true,
		WriteBufferSize:       64 << 10,
	}
}

// TransportKey identifies the settings a transport depends on; two providers
// with the same key can share (or, across a reload, keep) one transport.
func TransportKey(p *config.Provider) string {
	return fmt.Sprintf("%s|%g", p.BaseURL, p.Timeouts.Connect)
}

// apiRoot turns a configured base URL into the root the endpoints are joined to.
// OpenAI-style base URLs already include their version (…/v1, …/api/paas/v4);
// Anthropic base URLs are given like the Anthropic SDK's (https://api.anthropic.com,
// https://open.bigmodel.cn/api/anthropic) and get "/v1" added unless they end in it.
func apiRoot(protocol, base string) string {
	base = strings.TrimRight(base, "/")
	if protocol == config.ProtocolAnthropic && !strings.HasSuffix(base, "/v1") {
		base += "/v1"
	}
	return base + "/"
}

// Name is the provider's name.
func (c *Client) Name() string { return c.name }

// Protocol is the provider's protocol (config.ProtocolOpenAI, ProtocolAnthropic or ProtocolResponses).
func (c *Client) Protocol() string { return c.protocol }

// URL is the full address of an endpoint.
func (c *Client) URL(endpoint string) string { return c.root + endpoint }

// Do sends req. On a 2xx it returns the response with its body unread. On any
// other outcome it returns an *Error (body closed).
func (c *Client) Do(ctx context.Context, req Request) (*http.Response, error) {
	method := req.Method
	if method == "" {
		method = http.MethodPost
	}
	hr, err := http.NewRequestWithContext(ctx, method, c.URL(req.Endpoint), nil)
	if err != nil {
		return nil, &Error{Provider: c.name, Err: fmt.Errorf("building request: %w", err)}
	}
	if req.Parts != nil || req.Body != nil {
		hr.ContentLength = int64(len(req.Body))
		for _, p := range req.Parts {
			hr.ContentLength += int64(len(p))
		}
		hr.GetBody = func() (io.ReadCloser, error) { return req.bodyReader(), nil }
		hr.Body, _ = hr.GetBody()
		if hr.ContentLength == 0 {
			hr.Body.Close()
			hr.Body, hr.GetBody = http.NoBody, nil
		}
	}
	h := hr.Header
	for k, vs := range req.Header {
		h[k] = vs
	}
	if req.Body != nil || req.Parts != nil {
		h.Set("Content-Type", "application/json")
	}
	c.authorize(h)
	for k, v := range c.headers {
		h.Set(k, v)
	}
	resp, err := c.http.Do(hr)
	if err != nil {
		return nil, &Error{Provider: c.name, Retryable: true, Err: describeTransportError(ctx, err)}
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		// Everything an upstream answers goes on to clients, logs and
		// records; one that echoes its credential must not leak it there
		// (issue 21), so the body is redacted here, the one place every
		// upstream answer passes.
		if c.redact != nil {
			resp.Body = c.redact.Reader(resp.Body)
			resp.ContentLength = -1 // a mask is shorter than its secret
			resp.Header.Del("Content-Length")
		}
		return resp, nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	return nil, &Error{
		Provider:   c.name,
		Status:     resp.StatusCode,
		Retryable:  retryableStatus(resp.StatusCode),
		Body:       c.redact.Bytes(b),
		Header:     resp.Header,
		RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After")),
	}
}

// authorize applies the provider's credential in its protocol's header. An
// empty key (local vLLM, Ollama) sends none.
func (c *Client) authorize(h http.Header) {
	if c.apiKey == "" {
		return
	}
	if c.protocol == config.ProtocolAnthropic {
		h.Set("X-Api-Key", c.apiKey)
		if h.Get("Anthropic-Version") == "" {
			h.Set("Anthropic-Version", "2023-06-01")
		}
		return
	}
	h.Set("Authorization", "Bearer "+c.apiKey)
}

// retryableStatus: every failure another adapter may do better on (see the
// table in classify.go); the client's own mistakes are returned as they are.
func retryableStatus(status int) bool {
	return !clientFault(status)
}

func parseRetryAfter(v string) int {
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n > 0 {
		return n
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return int(d/time.Second) + 1
		}
	}
	return 0
}

// describeTransportError turns a transport failure into a message without the
// full URL (which may carry secrets in query strings).
func describeTransportError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) {
		if inner := ue.Unwrap(); inner != nil {
			err = inner
		}
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("timeout: %w", err)
	}
	return err
}

// bodyReader is a new reader of the request's body, held until closed.
func (req *Request) bodyReader() io.ReadCloser {
	var r io.Reader
	if req.Parts != nil {
		r = newPartsReader(req.Parts)
	} else {
		r = bytes.NewReader(req.Body)
	}
	b := &heldBody{Reader: r, holder: req.Holder}
	if b.holder != nil {
		b.holder.Hold()
	}
	return b
}

// heldBody releases its holder on the first Close.
type heldBody struct {
	io.Reader
	holder BodyHolder
	once   sync.Once
}

func (b *heldBody) Close() error {
	if b.holder != nil {
		b.once.Do(b.holder.Release)
	}
	return nil
}

// newPartsReader reads parts one after the other (net.Buffers consumes its
// slice of slices, so each reader gets its own copy of it).
func newPartsReader(parts [][]byte) io.Reader {
	b := net.Buffers(slices.Clone(parts))
	return &b
}
