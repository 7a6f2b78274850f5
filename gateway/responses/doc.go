// Package responses is the gateway's store of the OpenAI Responses it
// produced (POST /v1/responses). With it previous_response_id works when
// the upstream keeps no state (a Chat Completions or Anthropic adapter, or a
// Responses upstream asked not to store), and GET and DELETE
// /v1/responses/{id} can be answered by the gateway itself.
//
// # What a record holds
//
// A Record is one turn: its id, the API key that made it, the client's model
// name, its creation time, its input items and the response object as sent
// to the client. Input is stored after the turn's own previous_response_id
// was expanded, so a chain of any length expands with one Get and one
// History (input items followed by the response's output items) instead of
// one read per ancestor. The price is space: each turn repeats the history
// before it, so a session of n turns stores about n²/2 turns' worth. The byte
// bound below caps that, and the oldest records go first, which are the
// ones least likely to be continued. Wire types are not decoded: records
// are raw JSON bytes, so the package does not depend on gateway/convert and
// a field the converters do not know survives a round trip.
//
// Whether to store at all (the request's store: false) is the caller's
// decision; a Put the store refuses (ErrTooLarge, ErrInvalid, ErrConflict)
// means the caller answers the client anyway and the id simply cannot be
// continued.
//
// # Why bbolt directly
//
// The records live in the workspace database (gateway/store), in the storm
// node Node, but they are written with bbolt buckets inside that node, as
// usage and conversations do (docs/decisions.md, issue 5): storm v3.2.1's
// Save rescans its indexes on every insert, and its codec would either
// base64 the JSON bytes or re-validate them. Three buckets change together
// in each transaction:
//
//   - records: response id → value;
//   - by_time: created-at unix nanos (8 bytes big-endian) ‖ id → empty, so
//     "the oldest" is a cursor's First and pruning is a walk from the start;
//   - meta: count and bytes (uint64 big-endian), so the bounds are checked
//     without a scan.
//
// A value is a small binary layout (record.go): a version byte, the
// creation time, KeyID, Model and Input length-prefixed, then Response.
// Nesting JSON in JSON costs base64 or a validating scan of 100 KB on every
// write and read; this layout costs copies only.
//
// Put is one bbolt Update, committed and fsynced when it returns: a client
// sends previous_response_id the moment the previous response ended, so a
// batched writer (as usage has) would lose that race. BenchmarkPut measures
// what this costs on the request path; the caller may run Put after the
// last byte went to the client. Readers (Get) run alongside writers, and
// bbolt serialises writers, so the Store needs no lock of its own.
//
// # Who may see a record
//
// Only the key that created it: Get and Delete with another key (or none)
// are ErrNotFound, the same as a missing or expired id, so that neither an
// id's existence nor a conversation leaks across keys (OpenAI scopes
// responses to the project the same way). A gateway run without keys stores
// KeyID "", which only a request without a key matches. Ids from
// pass-through upstreams are arbitrary strings: 1 to MaxIDLen bytes are
// accepted, and a Put of an id that another key's live record holds is
// refused (ErrConflict) rather than replacing it.
//
// # Bounds
//
// TTL (default 30 days, OpenAI's own retention of stored responses),
// MaxRecords (default 10,000) and MaxBytes (default 256 MiB of stored values:
// Input, Response and a few bytes of header each). A record past its TTL is
// ErrNotFound at once, whether or not it has been removed yet. Removal is
// oldest first, by CreatedAt. Put removes up to 64 expired records and then
// as many of the oldest as the count and byte bounds need, in its own
// transaction: each record is removed once, so this costs about one removal
// per Put, never a scan. Open runs Prune (the bounds may have shrunk since
// the last run, or the gateway been off for weeks), and the caller should
// run Prune now and then, so expired records leave even when nothing new is
// stored. A single record larger than MaxBytes is refused (ErrTooLarge).
// bbolt never shrinks its file: freed pages are reused, so the file stays
// near its high-water mark, about MaxBytes plus the other packages' data.
package responses
