// Package logs is the gateway's debug logging (DESIGN §10, §12): one
// *slog.Logger whose records go to three outputs at the same level —
// JSON lines in <log_dir>/gateway.log, human-readable text on the console,
// and an in-memory Ring that serves /api/logs and its live tail.
//
// Secrets. A handler in front of all three outputs (not a ReplaceAttr per
// output, so they cannot disagree and the work is done once) masks the
// values of attributes named api_key, key, authorization, x-api-key, secret,
// token or password (any case, '-' or '_', at any group depth) and any
// "Bearer …" or "sk-…" token inside any string, the message included. It
// also resolves LogValuers and snapshots values of other types (errors to
// their text, maps with sensitive entries masked, anything else to JSON), so
// the ring never holds a pointer into a caller's data. Struct fields are not
// inspected by name: types that hold secrets implement slog.LogValuer, as
// auth.Key does (it logs as {id, name}; a group named "key" is not masked).
//
// Why lumberjack. Size-based rotation with a bounded number of backups is
// what the seed's RotatingFileHandler did; lumberjack does exactly that in
// one small file with no dependencies, and creates new files 0600. Its
// quirks are handled here: an existing file keeps its mode (Setup chmods it
// to 0600), MaxSize is whole MiB (MaxBytes is rounded up), MaxBackups 0
// means "keep all" (we keep at least one), it rotates before any write that
// would not fit and refuses one larger than MaxSize (we write line-aligned
// chunks of at most 64 KiB, so files end on whole lines and are at most 64
// KiB short of MaxSize), and its cleanup goroutine outlives Close. Rotated files are named
// gateway-<UTC timestamp>.log; there is no compression and no age limit.
//
// Why an asynchronous writer. slog's JSON handler costs about a microsecond;
// the real cost is the write system call and lumberjack's mutex on every
// line, paid by the request goroutine (performance-notes §2 item 7). The
// writer in front of the file (and of the console, which may be a blocked
// pipe) only appends the line to a buffer; its goroutine writes when 64 KiB
// are buffered, 100 ms after the first unwritten line, and on Close. Past
// 4 MiB unwritten (a stalled disk) lines are dropped and counted rather than
// making requests wait. A crash loses at most ~100 ms of lines.
//
// The ring follows the configured level like the other outputs rather than
// always keeping DEBUG: capturing DEBUG would make every Debug call on the
// request path build a record even at INFO, while SetLevel (hot reload of
// gateway.log_level) turns DEBUG on for all outputs without a restart. Ring
// entries lift request_id, key_id (or the id of an auth.Key logged as
// "key"), model and provider out of the top-level attributes so /api/logs
// can filter on fields (the seed matched key text in messages). Records get
// no source location: the seed's stack walk per line was a cost (seed §16.5 O7).
package logs
