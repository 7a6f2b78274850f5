package sse

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// ev is the comparable form of an Event used by the tables.
type ev struct {
	Name, Data, ID, Raw string
	NoData, Comment     bool
}

func toEv(e Event) ev {
	return ev{Name: e.Name, Data: string(e.Data), ID: e.ID, Raw: string(e.Raw), NoData: e.Data == nil, Comment: e.Comment}
}

// wrappers deliver the same input in different chunkings.
var wrappers = map[string]func(io.Reader) io.Reader{
	"whole":   func(r io.Reader) io.Reader { return r },
	"onebyte": iotest.OneByteReader,
	"half":    iotest.HalfReader,
	"dataerr": iotest.DataErrReader,
}

// readAll drains a Reader, returning the events (the truncated one included)
// and the final error.
func readAll(t testing.TB, r *Reader) ([]ev, error) {
	t.Helper()
	var out []ev
	for i := 0; ; i++ {
		if i > 1<<20 {
			t.Fatal("Next did not terminate")
		}
		e, err := r.Next()
		if err == nil || errors.Is(err, io.ErrUnexpectedEOF) {
			out = append(out, toEv(e))
		}
		if err != nil {
			return out, err
		}
	}
}

func TestReader(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		max     int
		want    []ev
		wantErr error
	}{
		{name: "empty", in: "", wantErr: io.EOF},
		{name: "only blank lines", in: "\n\r\n\r\n", wantErr: io.EOF},
		{
			name: "lf data", in: "data: hello\n\n",
			want:    []ev{{Data: "hello", Raw: "data: hello\n\n"}},
			wantErr: io.EOF,
		},
		{
			name: "crlf named events", in: "event: message_start\r\ndata: {\"a\":1}\r\n\r\nevent: ping\r\ndata: {}\r\n\r\n",
			want: []ev{
				{Name: "message_start", Data: `{"a":1}`, Raw: "event: message_start\r\ndata: {\"a\":1}\r\n\r\n"},
				{Name: "ping", Data: "{}", Raw: "event: ping\r\ndata: {}\r\n\r\n"},
			},
			wantErr: io.EOF,
		},
		{
			name: "cr only", in: "data: a\r\rdata: b\r\r",
			want:    []ev{{Data: "a", Raw: "data: a\r\r"}, {Data: "b", Raw: "data: b\r\r"}},
			wantErr: io.EOF,
		},
		{
			name: "cr blank line then lf completes crlf", in: "data: a\r\r\ndata: b\n\n",
			want:    []ev{{Data: "a", Raw: "data: a\r\r\n"}, {Data: "b", Raw: "data: b\n\n"}},
			wantErr: io.EOF,
		},
		{
			name: "mixed endings", in: "event: x\rdata: 1\r\ndata: 2\n\r\n",
			want:    []ev{{Name: "x", Data: "1\n2", Raw: "event: x\rdata: 1\r\ndata: 2\n\r\n"}},
			wantErr: io.EOF,
		},
		{
			name: "multi-line data with empty lines", in: "data: a\ndata\ndata:\ndata:  b\n\n",
			want:    []ev{{Data: "a\n\n\n b", Raw: "data: a\ndata\ndata:\ndata:  b\n\n"}},
			wantErr: io.EOF,
		},
		{
			name: "no space after colon", in: "event:x\ndata:y\n\n",
			want:    []ev{{Name: "x", Data: "y", Raw: "event:x\ndata:y\n\n"}},
			wantErr: io.EOF,
		},
		{
			name: "colon in value", in: "data: a: b\n\n",
			want:    []ev{{Data: "a: b", Raw: "data: a: b\n\n"}},
			wantErr: io.EOF,
		},
		{
			name: "last event name wins", in: "event: a\nevent: b\ndata: x\n\n",
			want:    []ev{{Name: "b", Data: "x", Raw: "event: a\nevent: b\ndata: x\n\n"}},
			wantErr: io.EOF,
		},
		{
			name: "comments only", in: ": keep-alive\n\n:\n\n",
			want: []ev{
				{NoData: true, Comment: true, Raw: ": keep-alive\n\n"},
				{NoData: true, Comment: true, Raw: ":\n\n"},
			},
			wantErr: io.EOF,
		},
		{
			name: "comment inside event", in: ": c\ndata: x\n: d\n\n",
			want:    []ev{{Data: "x", Raw: ": c\ndata: x\n: d\n\n"}},
			wantErr: io.EOF,
		},
		{
			name: "ids", in: "id: 7\ndata: a\n\nid: 7\ndata: b\n\nid: a\x00b\ndata: c\n\nid\ndata: d\n\n",
			want: []ev{
				{ID: "7", Data: "a", Raw: "id: 7\ndata: a\n\n"},
				{ID: "7", Data: "b", Raw: "id: 7\ndata: b\n\n"},
				{Data: "c", Raw: "id: a\x00b\ndata: c\n\n"},
				{Data: "d", Raw: "id\ndata: d\n\n"},
			},
			wantErr: io.EOF,
		},
		{
			name: "retry and unknown fields kept in raw only", in: "retry: 100\nfoo: bar\n\n",
			want:    []ev{{NoData: true, Raw: "retry: 100\nfoo: bar\n\n"}},
			wantErr: io.EOF,
		},
		{
			name: "leading blank lines belong to the next event", in: "\n\r\ndata: x\n\n\n\n",
			want:    []ev{{Data: "x", Raw: "\n\r\ndata: x\n\n"}},
			wantErr: io.EOF,
		},
		{
			name: "done marker", in: "data: [DONE]\n\n",
			want:    []ev{{Data: "[DONE]", Raw: "data: [DONE]\n\n"}},
			wantErr: io.EOF,
		},
		{
			name: "byte order mark skipped", in: "\xEF\xBB\xBFdata: x\n\n",
			want:    []ev{{Data: "x", Raw: "\xEF\xBB\xBFdata: x\n\n"}},
			wantErr: io.EOF,
		},
		{
			name: "byte order mark only at the start", in: "data: x\n\n\xEF\xBB\xBFdata: y\n\n",
			want:    []ev{{Data: "x", Raw: "data: x\n\n"}, {NoData: true, Raw: "\xEF\xBB\xBFdata: y\n\n"}},
			wantErr: io.EOF,
		},
		{
			name: "truncated without blank line", in: "data: a\n\ndata: b\n",
			want:    []ev{{Data: "a", Raw: "data: a\n\n"}, {Data: "b", Raw: "data: b\n"}},
			wantErr: ErrTruncated,
		},
		{
			name: "truncated mid line", in: "event: x\ndata: {\"partial",
			want:    []ev{{Name: "x", Data: "{\"partial", Raw: "event: x\ndata: {\"partial"}},
			wantErr: ErrTruncated,
		},
		{
			name: "truncated comment", in: ": ping",
			want:    []ev{{NoData: true, Comment: true, Raw: ": ping"}},
			wantErr: ErrTruncated,
		},
		{
			name: "event at the limit", in: "data: 1234\n\n", max: 12,
			want:    []ev{{Data: "1234", Raw: "data: 1234\n\n"}},
			wantErr: io.EOF,
		},
		{
			name: "event over the limit", in: "data: ok\n\ndata: 12345\n\n", max: 12,
			want:    []ev{{Data: "ok", Raw: "data: ok\n\n"}},
			wantErr: ErrEventTooLarge,
		},
		{
			name: "truncated event over the limit", in: "data: 1234567890", max: 12,
			wantErr: ErrEventTooLarge,
		},
		{
			name: "event larger than the initial buffer", in: "data: " + strings.Repeat("x", 10000) + "\n\n",
			want:    []ev{{Data: strings.Repeat("x", 10000), Raw: "data: " + strings.Repeat("x", 10000) + "\n\n"}},
			wantErr: io.EOF,
		},
	}
	for _, tt := range tests {
		for wname, wrap := range wrappers {
			t.Run(tt.name+"/"+wname, func(t *testing.T) {
				got, err := readAll(t, NewReader(wrap(strings.NewReader(tt.in)), tt.max))
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("error = %v, want %v", err, tt.wantErr)
				}
				if len(got) != len(tt.want) {
					t.Fatalf("got %d events %+v, want %d %+v", len(got), got, len(tt.want), tt.want)
				}
				var gotRaw, wantRaw string
				for i := range got {
					gotRaw += got[i].Raw
					wantRaw += tt.want[i].Raw
					if wname != "whole" {
						// Where a chunk ends between the '\r' and '\n' of the
						// CRLF that ends an event, the '\n' moves to the next
						// event's Raw; only the concatenation is fixed.
						got[i].Raw = tt.want[i].Raw
					}
					if got[i] != tt.want[i] {
						t.Errorf("event %d:\n got %+v\nwant %+v", i, got[i], tt.want[i])
					}
				}
				// Line ends after the last event are dropped at io.EOF.
				if rest, ok := strings.CutPrefix(wantRaw, gotRaw); !ok || strings.Trim(rest, "\r\n") != "" {
					t.Errorf("concatenated Raw = %q, want %q", gotRaw, wantRaw)
				}
			})
		}
	}
}

func TestReaderStickyErrors(t *testing.T) {
	r := NewReader(strings.NewReader("data: x"), 0)
	if _, err := r.Next(); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("first Next: %v", err)
	}
	if e, err := r.Next(); !errors.Is(err, ErrTruncated) || e.Raw != nil {
		t.Fatalf("second Next: %+v, %v", e, err)
	}

	boom := errors.New("boom")
	r = NewReader(io.MultiReader(strings.NewReader("data: a\n\ndata: b"), iotest.ErrReader(boom)), 0)
	if e, err := r.Next(); err != nil || string(e.Data) != "a" {
		t.Fatalf("Next = %q, %v", e.Data, err)
	}
	for range 2 {
		if _, err := r.Next(); err != boom {
			t.Fatalf("Next error = %v, want %v", err, boom)
		}
	}
}

// TestReaderDoesNotReadAhead checks that a complete event is returned without
// waiting for more input: the source fails if it is read again too early.
func TestReaderDoesNotReadAhead(t *testing.T) {
	src := &scriptReader{chunks: []string{"data: a\n\ndata: b\r\r", "\ndata: c\n\n"}}
	r := NewReader(src, 0)
	for _, want := range []string{"a", "b"} {
		e, err := r.Next()
		if err != nil || string(e.Data) != want {
			t.Fatalf("Next = %q, %v; want %q", e.Data, err, want)
		}
		if src.reads != 1 {
			t.Fatalf("after event %q: %d reads, want 1", want, src.reads)
		}
	}
	if e, err := r.Next(); err != nil || string(e.Data) != "c" || string(e.Raw) != "\ndata: c\n\n" {
		t.Fatalf("Next = %+v, %v", e, err)
	}
}

type scriptReader struct {
	chunks []string
	reads  int
}

func (s *scriptReader) Read(p []byte) (int, error) {
	if len(s.chunks) == 0 {
		return 0, io.EOF
	}
	s.reads++
	n := copy(p, s.chunks[0])
	s.chunks[0] = s.chunks[0][n:]
	if s.chunks[0] == "" {
		s.chunks = s.chunks[1:]
	}
	return n, nil
}

type emptyReader struct{}

func (emptyReader) Read([]byte) (int, error) { return 0, nil }

func TestReaderNoProgress(t *testing.T) {
	if _, err := NewReader(emptyReader{}, 0).Next(); err != io.ErrNoProgress {
		t.Fatalf("error = %v, want io.ErrNoProgress", err)
	}
}

func TestEventClone(t *testing.T) {
	r := NewReader(strings.NewReader("event: a\ndata: 1\ndata: 2\n\nevent: b\ndata: 3\ndata: 4\n\n"), 0)
	e, err := r.Next()
	if err != nil {
		t.Fatal(err)
	}
	c := e.Clone()
	if _, err := r.Next(); err != nil {
		t.Fatal(err)
	}
	if c.Name != "a" || string(c.Data) != "1\n2" || string(c.Raw) != "event: a\ndata: 1\ndata: 2\n\n" {
		t.Fatalf("clone changed after Next: %+v", toEv(c))
	}
	if e := (Event{Comment: true, Name: "x"}).Clone(); e.Data != nil || e.Raw != nil || !e.Comment || e.Name != "x" {
		t.Fatal("Clone of an empty event is not empty")
	}
}

func TestIsDone(t *testing.T) {
	for data, want := range map[string]bool{"[DONE]": true, " [DONE] ": true, "[done]": false, "": false, `{"x":1}`: false} {
		if got := (Event{Data: []byte(data)}).IsDone(); got != want {
			t.Errorf("IsDone(%q) = %v, want %v", data, got, want)
		}
	}
}

// TestReaderLongCROnlyEvent guards against quadratic line splitting: a 4 MiB
// event of CR-terminated lines must parse in linear time.
func TestReaderLongCROnlyEvent(t *testing.T) {
	in := strings.Repeat("data: x\r", 1<<19) + "\r"
	start := time.Now()
	e, err := NewReader(strings.NewReader(in), 0).Next()
	if err != nil || len(e.Data) != 2*(1<<19)-1 || len(e.Raw) != len(in) {
		t.Fatalf("Next: %d data bytes, %v", len(e.Data), err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("parsing took %v", d)
	}
}

func TestIndexEOL(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int
	}{
		{"", -1}, {"abc", -1}, {"\n", 0}, {"\r", 0}, {"a\r\n", 1}, {"ab\nc\r", 2},
		{strings.Repeat("x", 1000) + "\r" + strings.Repeat("y", 5000) + "\n", 1000},
		{strings.Repeat("x", 3000) + "\n\r", 3000},
		{strings.Repeat("x", 128) + "\r", 128},
	} {
		if got := indexEOL([]byte(tt.in)); got != tt.want {
			t.Errorf("indexEOL(%.20q… len %d) = %d, want %d", tt.in, len(tt.in), got, tt.want)
		}
	}
}
