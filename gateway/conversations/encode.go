package conversations

import (
	"bytes"
	"encoding/json"
	"errors"

	"github.com/modelswitch/modelswitch/gateway/jsonbody"
)

// encodeLine is r as one JSON line. Bodies that are not valid JSON are kept
// as JSON strings rather than losing the record.
//
// The request bodies are most of a record (a Claude Code turn is ~76 KB, twice)
// and encoding/json would re-validate and compact each RawMessage. A body that
// is a well-formed object on one line (what the SDKs send; jsonbody.Scan checks
// it several times faster than json.Valid) is spliced in as it is.
func encodeLine(r *Record) ([]byte, error) {
	req, up := r.Request, r.UpstreamRequest
	splice := oneLineObject(req) && oneLineObject(up)
	if splice {
		r.Request, r.UpstreamRequest = nil, nil
	}
	line, err := marshalNoEscape(r)
	if splice {
		r.Request, r.UpstreamRequest = req, up
		if err == nil {
			line = spliceBodies(line, req, up)
		}
	}
	if err != nil {
		for _, raw := range []*json.RawMessage{&r.Request, &r.UpstreamRequest} {
			if len(*raw) > 0 && !json.Valid(*raw) {
				*raw, _ = marshalNoEscape(string(*raw))
			}
		}
		if line, err = marshalNoEscape(r); err != nil {
			return nil, err
		}
	}
	if bytes.IndexByte(line, '\n') >= 0 { // cannot happen with encoding/json; a line must stay one line
		return nil, errors.New("encoded record contains a newline")
	}
	return append(line, '\n'), nil
}

// oneLineObject reports whether raw is absent or a valid JSON object without
// line breaks (raw control characters cannot occur inside JSON strings, so a
// newline byte can only be whitespace between tokens).
func oneLineObject(raw json.RawMessage) bool {
	if len(raw) == 0 {
		return true
	}
	if bytes.IndexByte(raw, '\n') >= 0 || bytes.IndexByte(raw, '\r') >= 0 {
		return false
	}
	return jsonbody.Check(raw) == nil
}

// spliceBodies inserts the bodies before the closing brace of the encoded
// record, under the names the Record's tags give them.
func spliceBodies(line []byte, req, up json.RawMessage) []byte {
	out := make([]byte, 0, len(line)+len(req)+len(up)+40)
	out = append(out, line[:len(line)-1]...)
	if len(req) > 0 {
		out = append(out, `,"request":`...)
		out = append(out, req...)
	}
	if len(up) > 0 {
		out = append(out, `,"upstream_request":`...)
		out = append(out, up...)
	}
	return append(out, '}')
}
