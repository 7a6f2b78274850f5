package responses

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Record is one stored Response.
type Record struct {
	ID        string // the response id (resp_…) as the client sees it; 1 to MaxIDLen bytes
	KeyID     string // the gateway API key that created it: only that key may read or delete it
	Model     string // the client's model name
	CreatedAt time.Time
	// Input is a JSON array: every input item of that turn, after its own
	// previous_response_id was expanded, so that a chain of turns expands
	// with one read (History) instead of one per ancestor.
	Input []byte
	// Response is the response object as sent to the client (id, output
	// items, usage, status, …).
	Response []byte
}

// MaxIDLen is the longest response id accepted. Pass-through upstreams
// choose their own ids; bbolt refuses keys over 32 KiB, and no real id comes
// near 256 bytes.
const MaxIDLen = 256

// History returns the items that stand for previous_response_id = r.ID in a
// new request: r.Input followed by the items of r.Response's "output" array,
// as one JSON array, ready to be put before the new request's input items.
// A missing or null "output" adds nothing. Malformed JSON, an Input that is
// not an array, or an "output" that is not an array is an error.
func (r Record) History() ([]byte, error) {
	in := bytes.TrimSpace(r.Input)
	if len(in) == 0 {
		in = []byte("[]")
	}
	if in[0] != '[' || !json.Valid(in) {
		return nil, fmt.Errorf("reading the input of response %s: not a JSON array", r.ID)
	}
	var resp struct {
		Output json.RawMessage `json:"output"`
	}
	if err := json.Unmarshal(r.Response, &resp); err != nil {
		return nil, fmt.Errorf("reading response %s: %w", r.ID, err)
	}
	out := bytes.TrimSpace(resp.Output)
	if len(out) == 0 || string(out) == "null" {
		out = []byte("[]")
	}
	if out[0] != '[' {
		return nil, fmt.Errorf("reading response %s: its output is not an array", r.ID)
	}
	// Both are valid arrays (json.Unmarshal validated the whole response),
	// so splicing their insides is enough: no item is decoded or copied
	// twice, which matters for 100 KB histories on the request path.
	a, b := bytes.TrimSpace(in[1:len(in)-1]), bytes.TrimSpace(out[1:len(out)-1])
	h := make([]byte, 0, len(a)+len(b)+3)
	h = append(h, '[')
	h = append(h, a...)
	if len(a) > 0 && len(b) > 0 {
		h = append(h, ',')
	}
	h = append(h, b...)
	return append(h, ']'), nil
}

// The value layout, version 1 (the id is the bucket key, so not repeated):
//
//	0x01 ‖ created-at unix nanos (8 bytes BE) ‖ uvarint len ‖ KeyID ‖
//	uvarint len ‖ Model ‖ uvarint len ‖ Input ‖ Response (the rest)
//
// Not JSON: Input and Response are JSON already, and nesting them in a JSON
// envelope costs either base64 ([]byte, a third larger) or a validating scan
// on every encode and decode (json.RawMessage), on a value of 100 KB or more
// written on the request path. This layout is copies only. The version byte
// lets a later layout coexist with records already written.
const layoutV1 = 1

var errCorrupt = errors.New("corrupt record")

func unixNanos(t time.Time) int64 {
	if t.Before(time.Unix(0, 0)) {
		return 0
	}
	return t.UnixNano()
}

// encodedLen is the length of r's encoding.
func encodedLen(r *Record) int {
	n := 1 + 8 + len(r.KeyID) + len(r.Model) + len(r.Input) + len(r.Response)
	for _, l := range []int{len(r.KeyID), len(r.Model), len(r.Input)} {
		n += uvarintLen(uint64(l))
	}
	return n
}

func uvarintLen(v uint64) int {
	n := 1
	for ; v >= 0x80; v >>= 7 {
		n++
	}
	return n
}

// encode returns r's value in a new slice (bbolt keeps it until the commit).
func encode(r *Record) []byte {
	v := make([]byte, 0, encodedLen(r))
	v = append(v, layoutV1)
	v = binary.BigEndian.AppendUint64(v, uint64(unixNanos(r.CreatedAt)))
	for _, s := range [][]byte{[]byte(r.KeyID), []byte(r.Model), r.Input} {
		v = binary.AppendUvarint(v, uint64(len(s)))
		v = append(v, s...)
	}
	return append(v, r.Response...)
}

// header is the part of a value that Get and pruning look at before
// deciding whether to copy the rest.
type header struct {
	created int64
	keyID   []byte // aliases the value
	rest    []byte // from Model on; aliases the value
}

func decodeHeader(v []byte) (header, error) {
	if len(v) < 9 || v[0] != layoutV1 {
		return header{}, errCorrupt
	}
	h := header{created: int64(binary.BigEndian.Uint64(v[1:9]))}
	var err error
	h.keyID, h.rest, err = field(v[9:])
	return h, err
}

// field splits a uvarint-prefixed field off b.
func field(b []byte) (f, rest []byte, err error) {
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)-k) {
		return nil, nil, errCorrupt
	}
	return b[k : k+int(n)], b[k+int(n):], nil
}

// decode copies the value of record id out of bbolt's memory.
func decode(id string, h header) (Record, error) {
	model, rest, err := field(h.rest)
	if err != nil {
		return Record{}, err
	}
	input, resp, err := field(rest)
	if err != nil {
		return Record{}, err
	}
	return Record{
		ID: id, KeyID: string(h.keyID), Model: string(model),
		CreatedAt: time.Unix(0, h.created),
		Input:     bytes.Clone(input), Response: bytes.Clone(resp),
	}, nil
}
