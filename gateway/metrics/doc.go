// Package metrics exposes the gateway's Prometheus metrics at /metrics through
// the official client library (prometheus/client_golang) on a registry of its
// own, so nothing global leaks between gateways in one process (tests).
//
// Request metrics are fed from the same usage.Record the statistics store gets,
// once per request after it ended; breaker and queue state are read at scrape
// time from the live snapshot, so they cost nothing on the request path.
package metrics
