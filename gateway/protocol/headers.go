package protocol

// RequestIDHeader is X-Request-ID in Go's canonical form. The request path
// reads and writes it as a map key (h[RequestIDHeader]) several times per
// request: Header.Get and Set would allocate each time to canonicalise
// "X-Request-ID".
const RequestIDHeader = "X-Request-Id"

// HeaderValue returns the first value of h[key], key being canonical.
func HeaderValue(h map[string][]string, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}
