package sse

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

// chunkReader returns the input in chunks whose sizes cycle through sizes.
type chunkReader struct {
	data  []byte
	sizes []byte
	i     int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := 1
	if len(c.sizes) > 0 {
		n = int(c.sizes[c.i%len(c.sizes)]%64) + 1
		c.i++
	}
	n = min(n, len(p), len(c.data))
	copy(p, c.data[:n])
	c.data = c.data[n:]
	return n, nil
}

// FuzzReader checks that Next never panics and always terminates, that the
// concatenated Raw of the events is the consumed input, and that the fields
// agree with a naive whole-input parser.
func FuzzReader(f *testing.F) {
	seeds := []string{
		"",
		"data: x\n\n",
		"event: a\r\ndata: 1\r\ndata: 2\r\n\r\n",
		"data: a\r\rdata: b\r\r\n\n",
		": keep-alive\n\n",
		"id: 1\nretry: 5\nfoo\n\n",
		"\xEF\xBB\xBFdata: bom\n\n",
		"event: message_start\ndata: {\"type\":\"message_start\"}\n\nevent: content_block_delta\ndata: {\"delta\":{\"text\":\"hi\"}}\n\ndata: [DONE]\n\n",
		"data: truncated",
		"\n\n\r\n\rdata\n\n",
	}
	for i, s := range seeds {
		f.Add([]byte(s), []byte{byte(i), 3, 0, 7}, uint16(0))
	}
	f.Add([]byte("data: 123456789\n\n"), []byte{}, uint16(8))
	f.Fuzz(func(t *testing.T, in, sizes []byte, max uint16) {
		r := NewReader(&chunkReader{data: in, sizes: sizes}, int(max))
		var raw []byte
		var got []ev
		var err error
		for i := 0; ; i++ {
			if i > len(in)+1 {
				t.Fatalf("Next returned %d events from %d bytes", i, len(in))
			}
			var e Event
			e, err = r.Next()
			if err == nil || errors.Is(err, io.ErrUnexpectedEOF) {
				raw = append(raw, e.Raw...)
				got = append(got, toEv(e))
			}
			if err != nil {
				break
			}
		}
		if !bytes.HasPrefix(in, raw) {
			t.Fatalf("concatenated Raw %q is not a prefix of the input %q", raw, in)
		}
		rest := in[len(raw):]
		switch {
		case err == io.EOF:
			if len(raw) == 0 {
				rest = bytes.TrimPrefix(rest, utf8BOM)
			}
			if len(bytes.Trim(rest, "\r\n")) != 0 {
				t.Fatalf("io.EOF with unconsumed input %q", rest)
			}
		case errors.Is(err, ErrTruncated):
			if len(rest) != 0 {
				t.Fatalf("truncated event left input %q", rest)
			}
		case errors.Is(err, ErrEventTooLarge):
			if max == 0 || len(rest) <= int(max) {
				t.Fatalf("ErrEventTooLarge with %d bytes left and limit %d", len(rest), max)
			}
			return
		default:
			t.Fatalf("unexpected error %v", err)
		}
		want, _ := refParse(in)
		if len(got) != len(want) {
			t.Fatalf("got %d events %+v, reference %d %+v", len(got), got, len(want), want)
		}
		for i := range got {
			got[i].Raw = ""
			if got[i] != want[i] {
				t.Fatalf("event %d = %+v, reference %+v", i, got[i], want[i])
			}
		}
	})
}

// refParse is a deliberately naive reference parser over the whole input,
// used by FuzzReader to cross-check field parsing.
func refParse(in []byte) (events []ev, truncated bool) {
	s := string(in)
	if strings.HasPrefix(s, "\xEF\xBB\xBF") {
		s = s[3:]
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	var cur ev
	var data []string
	open, fields, comments := false, false, false
	lines := strings.Split(s, "\n")
	for i, line := range lines {
		last := i == len(lines)-1
		if line == "" {
			if open && !last {
				if data != nil {
					cur.Data = strings.Join(data, "\n")
				}
				cur.NoData = data == nil
				cur.Comment = comments && !fields
				events = append(events, cur)
				cur, data, open, fields, comments = ev{}, nil, false, false, false
			}
			continue
		}
		open = true
		if line[0] == ':' {
			comments = true
			continue
		}
		fields = true
		name, value, found := strings.Cut(line, ":")
		if found {
			value = strings.TrimPrefix(value, " ")
		}
		switch name {
		case "data":
			data = append(data, value)
		case "event":
			cur.Name = value
		case "id":
			if !strings.Contains(value, "\x00") {
				cur.ID = value
			}
		}
	}
	if open {
		if data != nil {
			cur.Data = strings.Join(data, "\n")
		}
		cur.NoData = data == nil
		cur.Comment = comments && !fields
		events = append(events, cur)
		truncated = true
	}
	return events, truncated
}

func TestRefParseAgrees(t *testing.T) {
	in := []byte("event: a\r\ndata: 1\r\ndata: 2\r\n\r\n: c\n\nid: 9\rdata\r\rdata: tail")
	want, trunc := refParse(in)
	got, err := readAll(t, NewReader(bytes.NewReader(in), 0))
	if !trunc || !errors.Is(err, ErrTruncated) || len(got) != len(want) {
		t.Fatalf("got %d events (%v), want %d (truncated %v)", len(got), err, len(want), trunc)
	}
	for i := range got {
		got[i].Raw = ""
		if got[i] != want[i] {
			t.Errorf("event %d: got %+v want %+v", i, got[i], want[i])
		}
	}
}
