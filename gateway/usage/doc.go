// Package usage records every inference request and answers the usage
// statistics (DESIGN §9, §16).
//
// # Writing
//
// The proxy hands a Record to Recorder.Record, which never blocks and never
// touches the disk: it sends the value to a bounded channel (Options.Buffer,
// default 10 000) and, when that is full, drops the row and counts it
// (Dropped) rather than stall a request. One writer goroutine owns the
// database side: it commits a batch when it reaches Options.BatchSize rows
// (500) or when its first row is Options.BatchWindow old (200 ms), in one
// bbolt transaction that saves the raw rows ("usage/rows", JSON by ID, and a
// time index "usage/rows_by_time") and adds them into the hourly rollups
// ("usage/hourly"). Raw rows and
// rollups therefore always agree, and a kill -9 loses at most the batch being
// gathered. Close commits everything queued before it returns. The same
// goroutine prunes raw rows older than Options.RetentionDays (90) at most
// once an hour, in chunks; rollups are kept for ever (a few KB per hour).
//
// The package uses storm for its node (bucket namespace) and the day
// counters, but writes rows and rollups with bbolt directly, in a transaction
// it begins itself: storm v3.2.1's Save scans the struct's whole ID index on
// every insert (quadratic: a 500-row batch took ~0.5 s at 75 000 rows), and
// rollups need a cursor-friendly binary key layout storm cannot express.
//
// # Rollups
//
// A rollup key is (hour since the Unix epoch in UTC, as 4 big-endian bytes)
// followed by the model, provider, key ID and upstream model, each
// length-prefixed; so a range query is one cursor walk over consecutive keys.
// The value is a version byte and uvarint counters: requests, successes,
// failures, status classes, streams, estimated, input/output/cache read/cache
// write/reasoning tokens, latency sum, TTFT sum and count, and a latency
// histogram over LatencyBounds (16 bounds, 50 ms … 120 s, plus overflow) from
// which p95 is interpolated. All counters are sums, so any set of rollups
// merges by addition.
//
// # Reading
//
// Querier.Summary answers only from rollups: its cost grows with the number
// of distinct (hour, model, provider, key, upstream model) combinations in
// the range, not with requests. Ranges are [From, To) rounded to whole UTC
// hours, which makes a day exact in every zone with a whole-hour offset; in
// half-hour zones (Asia/Kolkata, Australia/Adelaide, …) a day is approximated
// to the hour. Querier.Recent reads the newest raw rows for a per-key view.
//
// DayCounter keeps the limiter's daily counters in the same database; the
// server adapts it to auth.DayStore, so this package imports nothing of the
// gateway but store.
package usage
