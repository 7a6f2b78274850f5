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
func encodeLine(r *Record) ([]byte, error) { return appendLine(nil, r) }

// appendLine appends r's line (encodeLine) to dst; the writer appends to its
// batch buffer, so a spliced body is copied once, into that buffer.
func appendLine(dst []byte, r *Record) ([]byte, error) {
	start := len(dst)
	req, up := r.Request, r.UpstreamRequest
	splice := oneLineObject(req) && oneLineObject(up)
	if splice {
		r.Request, r.UpstreamRequest = nil, nil
	}
	line, err := marshalNoEscape(r)
	if splice {
		r.Request, r.UpstreamRequest = req, up
	}
	switch {
	case err == nil && splice:
		dst = appendSpliced(dst, line, req, up)
	case err == nil:
		dst = append(dst, line...)
	default:
		for _, raw := range []*json.RawMessage{&r.Request, &r.UpstreamRequest} {
			if len(*raw) > 0 && !json.Valid(*raw) {
				*raw, _ = marshalNoEscape(string(*raw))
			}
		}
		if line, err = marshalNoEscape(r); err != nil {
			return dst, err
		}
		dst = append(dst, line...)
	}
	if bytes.IndexByte(dst[start:], '\n') >= 0 { // cannot happen with encoding/json; a line must stay one line
		return dst[:start], errors.New("encoded record contains a newline")
	}
	return append(dst, '\n'), nil
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

// appendSpliced appends line, the encoded record without its bodies, with
// the bodies inserted before its closing brace under the names the Record's
// tags give them.
func appendSpliced(dst, line []byte, req, up json.RawMessage) []byte {
	dst = append(dst, line[:len(line)-1]...)
	if len(req) > 0 {
		dst = append(dst, `,"request":`...)
		dst = append(dst, req...)
	}
	if len(up) > 0 {
		dst = append(dst, `,"upstream_request":`...)
		dst = append(dst, up...)
	}
	return append(dst, '}')
}
