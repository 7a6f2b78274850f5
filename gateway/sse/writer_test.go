package sse

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

// countingWriter records every Write call separately.
type countingWriter struct{ writes []string }

func (c *countingWriter) Write(p []byte) (int, error) {
	c.writes = append(c.writes, string(p))
	return len(p), nil
}

func TestWriteEvent(t *testing.T) {
	tests := []struct {
		name, event, data, want string
	}{
		{name: "data only", data: `{"a":1}`, want: "data: {\"a\":1}\n\n"},
		{name: "named", event: "message_start", data: "{}", want: "event: message_start\ndata: {}\n\n"},
		{name: "empty data", event: "ping", want: "event: ping\ndata: \n\n"},
		{name: "multi-line", data: "a\nb\r\nc\rd", want: "data: a\ndata: b\ndata: c\ndata: d\n\n"},
		{name: "trailing newline", data: "a\n", want: "data: a\ndata: \n\n"},
		{name: "leading space kept", data: " x", want: "data:  x\n\n"},
		{name: "done", data: "[DONE]", want: "data: [DONE]\n\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var w countingWriter
			if err := WriteEvent(&w, tt.event, []byte(tt.data)); err != nil {
				t.Fatal(err)
			}
			if len(w.writes) != 1 || w.writes[0] != tt.want {
				t.Fatalf("writes = %q, want one write %q", w.writes, tt.want)
			}
		})
	}
	if err := WriteEvent(io.Discard, "a\nb", nil); err == nil {
		t.Fatal("WriteEvent accepted a name with a line break")
	}
}

func TestWriteComment(t *testing.T) {
	for text, want := range map[string]string{
		"":           ":\n\n",
		"keep-alive": ": keep-alive\n\n",
		"a\r\nb\n":   ": a\n: b\n:\n\n",
	} {
		var w countingWriter
		if err := WriteComment(&w, text); err != nil {
			t.Fatal(err)
		}
		if len(w.writes) != 1 || w.writes[0] != want {
			t.Errorf("WriteComment(%q) writes = %q, want %q", text, w.writes, want)
		}
		e, err := NewReader(strings.NewReader(want), 0).Next()
		if err != nil || !e.Comment || e.Data != nil {
			t.Errorf("read back %q: %+v, %v", want, toEv(e), err)
		}
	}
}

type shortWriter struct{}

func (shortWriter) Write(p []byte) (int, error) { return len(p) / 2, nil }

func TestWriteErrors(t *testing.T) {
	if err := WriteRaw(shortWriter{}, []byte("data: x\n\n")); err != io.ErrShortWrite {
		t.Errorf("WriteRaw short write: %v", err)
	}
	if err := WriteEvent(shortWriter{}, "", []byte("x")); err != io.ErrShortWrite {
		t.Errorf("WriteEvent short write: %v", err)
	}
	var w countingWriter
	if err := WriteRaw(&w, []byte("event: a\r\ndata: b\r\n\r\n")); err != nil || len(w.writes) != 1 || w.writes[0] != "event: a\r\ndata: b\r\n\r\n" {
		t.Errorf("WriteRaw = %q, %v", w.writes, err)
	}
}

func TestRoundTrip(t *testing.T) {
	type in struct{ name, data string }
	events := []in{
		{"message_start", `{"type":"message_start","message":{"id":"msg_1"}}`},
		{"", "line one\nline two\n\nline four"},
		{"ping", ""},
		{"x", " leading space and: colon"},
		{"", strings.Repeat("y", 20000)},
		{"", "[DONE]"},
	}
	var buf bytes.Buffer
	for _, e := range events {
		if err := WriteEvent(&buf, e.name, []byte(e.data)); err != nil {
			t.Fatal(err)
		}
	}
	if err := WriteComment(&buf, "bye"); err != nil {
		t.Fatal(err)
	}
	stream := buf.String()
	for wname, wrap := range wrappers {
		r := NewReader(wrap(strings.NewReader(stream)), 0)
		var raw strings.Builder
		for i, want := range events {
			e, err := r.Next()
			if err != nil {
				t.Fatalf("%s: event %d: %v", wname, i, err)
			}
			if e.Name != want.name || string(e.Data) != want.data || e.Comment {
				t.Fatalf("%s: event %d = %+v, want %+v", wname, i, toEv(e), want)
			}
			raw.Write(e.Raw)
		}
		e, err := r.Next()
		if err != nil || !e.Comment {
			t.Fatalf("%s: comment = %+v, %v", wname, toEv(e), err)
		}
		raw.Write(e.Raw)
		if _, err := r.Next(); !errors.Is(err, io.EOF) {
			t.Fatalf("%s: end = %v", wname, err)
		}
		if raw.String() != stream {
			t.Fatalf("%s: Raw does not reproduce the stream", wname)
		}
	}
}
