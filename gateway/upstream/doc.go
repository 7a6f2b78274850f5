// Package upstream sends one request to one provider and classifies what came
// back. A Client per provider owns a tuned http.Transport (many idle
// connections, no transparent gzip) that is kept across reloads while the
// provider's connection settings are unchanged, so warm connections survive an
// edit of config.yaml.
//
// Ownership: a successful Do returns an *http.Response whose Body the caller
// must close; closing it (or cancelling the request's context) aborts the
// upstream exchange. A failed Do has already closed the body and returns an
// *Error that says whether the router may fall over to the next adapter.
package upstream
