// Package jsonbody inspects and edits the top level of a JSON object request
// body without decoding it.
//
// # Why
//
// Pass-through requests (a Claude Code first turn is about 76 KB) must reach
// the upstream unchanged except for a few top-level members such as "model"
// or "stream". Decoding and re-encoding such a body costs hundreds of
// microseconds; this package instead makes one pass over the bytes that both
// validates the whole body and records where each top-level member lies, and
// then splices edits into one exactly sized new buffer.
//
// # Scanning
//
// Scan accepts exactly one JSON object (RFC 8259), optionally surrounded by
// JSON white space, and rejects anything else with a *SyntaxError whose
// message is meant for the API client ("invalid JSON at byte 17: expected
// ',' or '}' after object member"). Offsets count bytes from 0. Nested
// values are not recorded but are fully checked: string escapes, raw control
// characters, the number grammar, the literals, matching brackets. Nesting
// is tracked with a bit stack, not recursion, and limited to MaxDepth levels
// (counting the top-level object), the same limit as encoding/json, so a
// body of ten thousand '[' cannot overflow the goroutine stack.
//
// Choices, all matching encoding/json so that Scan agrees with json.Valid:
// a leading UTF-8 byte order mark is rejected with its own message; invalid
// UTF-8 inside strings is accepted (encoding/json accepts it too and
// replaces it with U+FFFD when decoding, as Value.String does).
//
// ScanTop is Scan for pass-through (DESIGN §16: no whole-body validation):
// it checks the top level as Scan does but only the framing of nested
// objects and arrays (strings closed, brackets matched, depth), about three
// times fewer instructions on a Claude Code body. Code that decodes a body
// ScanTop accepted must validate it as it decodes.
//
// Duplicate top-level keys are rejected ("duplicate top-level key
// \"model\""): the gateway checks one "model" and an upstream might read
// the other. Keys are compared after unescaping, so "\u006dodel" is
// "model", and with invalid UTF-8 replaced by U+FFFD, as encoding/json
// does. Duplicates inside nested objects are not the gateway's concern and
// are accepted.
//
// # Walking nested values
//
// The request converters read nested objects and arrays of a body that Scan
// has accepted. SkipValid, Members, Elements and Unquote do that without
// validating the bytes a second time; they trust their input (on text that
// is not valid JSON they stay in bounds and terminate, but their results
// mean nothing) and never allocate, except Unquote for its string.
//
// # Ownership of buffers
//
// Scan does not copy the body: an Object and its Members refer to the
// caller's body and are valid only while that body is neither modified nor
// returned to a pool. Scan makes one allocation for objects of up to 16
// members (the Object, with its pointer-free member array inline); larger
// objects add a map and its key strings, and keys that need unescaping add
// their strings and a small slice. Object.Scan refills an existing Object
// and allocates nothing in the common case.
//
// Patch, Set and Delete never modify the body: each returns a new slice,
// allocated once with the exact final length, that never aliases the body.
// AppendPatch writes into a caller's buffer instead (typically pooled; the
// caller owns it and must keep it until the request has been sent). After
// an edit, scan the new body again if it must be inspected.
package jsonbody
