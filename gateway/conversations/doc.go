// Package conversations is the conversation log (DESIGN §10): one JSON line
// per request with the client's request, the upstream request, the output,
// usage, status and attempts, plus an index in the gateway's storm database
// for the admin API's list and detail views.
//
// # Writing
//
// Writer.Write never blocks and never touches the disk: it puts the record in
// a bounded channel, or drops and counts it (Stats.Dropped) when the channel
// is full. One goroutine owns the files: it shapes the content per LogBodies,
// appends the lines, and every 500 records or 200 ms writes the batch,
// fsyncs it and indexes it in one bbolt transaction (DESIGN §9). The file is
// written before the index, so the index never points at bytes that are not
// there. Close drains the channel and returns after the last line is
// written, fsynced and indexed, so SIGTERM loses nothing; kill -9 loses at
// most the batch in memory, and a line written but not indexed is indexed at
// the next start (the index keeps a mark of what the writer indexed).
//
// # Files: numbered segments, never renamed
//
// DESIGN names conversations.jsonl. A size-rotated file that is renamed on
// rotation (conversations.jsonl → .1 → .2, the seed's handler and
// lumberjack) moves every record to a new name, so an index of (file,
// offset) points at the wrong record after each rotation (seed-behaviour
// §10.2, §16.5 O8). So the log is a series of segments named once and never
// renamed: conversations-000001.jsonl, conversations-000002.jsonl, … The
// highest number is the live one; when a record would take it past MaxBytes
// the next number starts. Beyond Backups segments (the live one included) the
// oldest is deleted: its index entries first, then the file. Numbers grow
// past six digits if they have to. Files are 0600 and the directory 0700.
// A line torn by a crash is ended with a newline at the next start and
// skipped by rebuilds.
//
// # Content (LogBodies)
//
// full keeps everything as given. truncated replaces base64 payloads (a long
// base64 string under a "data" key, as in Anthropic image and document
// sources, and data: URLs, as in OpenAI image_url) by "<N bytes of base64
// image>", keeping key order; a body still over 16 KiB is kept as a JSON
// string of its first and last 8 KiB (the system prompt heads a conversation,
// the latest turn ends it); output text, thinking and tool arguments are cut
// at 16 KiB; Truncated is set when anything was removed. off keeps no
// Request, UpstreamRequest, output text, thinking or tool arguments: metadata,
// usage, attempts, errors and tool-call names only.
//
// # Index
//
// Node NodeName of the storm database (its buckets, its codec) holds an entry
// per record (Summary: request id, time, key, model, provider, status,
// tokens, latency, and File, Offset, Length) under a key made of the record's
// time, segment number and offset. The key sorts by time, so a list is a
// backwards cursor walk, and it is unique and deterministic, so indexing a
// line twice (a rebuild overlapping the writer, a catch-up after a crash)
// changes nothing. Request ids need not be unique (clients may send their own
// X-Request-ID): Get returns the newest record with the id, GetOwned the
// newest of one key.
//
// The filtered fields (key id, key name, model, provider, status code,
// success/error, request id, file) are indexed in buckets of composite keys
// uvarint(len(value)) ‖ value ‖ entry key, written in the same transaction.
// Entries and terms are put with bbolt directly, not with storm's Save and
// `storm:"id"`/`storm:"index"` tags, because storm v3.2.1's Save scans a
// whole index on every insert (UniqueIndex.RemoveID for the id,
// ListIndex.All over every entry with the same value for an index): measured
// 0.4 ms per Save at 10 000 rows and 5 ms at 40 000 — quadratic for a log of
// millions. List walks one term bucket (or all entries) newest first within
// the time range, checks the other filters with one Get each, counts the
// matches and decodes only the page. Query matches the model and key-name
// values (one seek per distinct value), not message content: the index holds
// no content, and scanning gigabytes of JSONL per search is out of scope.
//
// Get reads Length bytes at Offset of File and checks that the line is the
// record the index means; if not (a file edited or deleted by hand) it
// reports ErrStale, and a rebuild repairs the index. Rebuild (or
// StartRebuild, in the background; Stats reports it) clears the index and
// rescans every segment while the writer keeps writing; a rebuild cut short
// is redone at the next start, as is a missing index.
package conversations
