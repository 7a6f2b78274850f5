// Package auth authenticates API keys and enforces their per-key limits.
//
// It has three parts, each usable on its own so the HTTP layer can shape the
// result for the inbound protocol:
//
//   - Credential extracts the secret a client presents: "Authorization: Bearer K"
//     (scheme case-insensitive, any amount of blanks), a bare "Authorization: K",
//     or "x-api-key: K". When both headers carry a usable key, Authorization wins;
//     a malformed Authorization header falls back to x-api-key and is an error
//     only when there is none (the seed silently ignored x-api-key behind any
//     Authorization header).
//   - Keyring is an immutable table built from config.APIKey entries. A hot reload
//     builds a new Keyring and the caller swaps it atomically, so key changes take
//     effect at once (seed defect A2). Lookup indexes by sha256 of the secret and
//     then compares the full secret with crypto/subtle, so response timing does not
//     depend on how many leading bytes of a guess are right. A Key never holds the
//     secret; its String and LogValue show only the id and display name.
//     Authorize checks, in order: missing/unknown (401), disabled (403), expired
//     (403). Expiry accepts RFC 3339 with or without a zone (seed defect A1);
//     zone-less values are read in the Keyring's location; a value that cannot be
//     parsed means "no expiry" here, because config validation rejects it at load.
//     AllowsModel compares the resolved canonical model name, case-insensitively
//     (defect A5).
//   - Limiter counts requests per key ID with an explicit now, in the style of
//     x/time/rate's ...At methods, so tests inject time instead of sleeping. It is
//     long-lived: counters are keyed by key ID (derived from the secret) and
//     survive Keyring swaps, and limits are read from the Key on every call, so a
//     changed limit applies at the next request.
//
// The per-minute limit is a fixed 60-second window that starts at the key's first
// request in the window, like the seed (conventions C5), rather than a sliding
// window or token bucket as A3 suggests: it keeps the seed's observable quota
// (N requests, then a wait), needs one timestamp and one counter per key, and
// gives an exact Retry-After (the seconds left in the window, at least 1). The
// cost is the known fixed-window burst of up to 2N requests across a window
// boundary, which is acceptable for a local gateway. The other A3 defects are
// fixed: the daily limit is per calendar day in the configured location with
// Retry-After = seconds to the next local midnight; a request rejected by either
// limit consumes neither counter; both checks and increments happen under one
// lock, so limits are exact under concurrency. A missing rate_limit means
// unlimited (DESIGN §8, defect A4). Which endpoints count is the caller's
// choice; DESIGN §8 counts inference endpoints only.
//
// Daily counts persist across restarts through Snapshot/Restore and a DayStore
// (the gateway keeps them in its database, package usage). Persist(store), called
// periodically and at shutdown, saves only when the counters changed; a failed save stays
// dirty and is retried. Minute windows are not
// persisted: losing at most one minute of history on restart is harmless.
package auth
