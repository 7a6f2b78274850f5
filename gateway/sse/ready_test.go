package sse

import (
	"testing"
)

func TestReady(t *testing.T) {
	for _, tc := range []struct {
		chunks []string
		want   []bool // Ready before each Next
	}{
		{[]string{"data: a\n\ndata: b\n\n"}, []bool{false, true, false}},
		{[]string{"data: a\n\ndata: b\n"}, []bool{false, false}},
		{[]string{"data: a\r\n\r\ndata: b\r\n\r\n"}, []bool{false, true, false}},
		{[]string{"data: a\r\rdata: b\r\r"}, []bool{false, true, false}},
		{[]string{": ping\n\ndata: b"}, []bool{false, false}},
	} {
		src := &scriptReader{chunks: append([]string(nil), tc.chunks...)}
		r := NewReader(src, 0)
		for i, want := range tc.want {
			if got := r.Ready(); got != want {
				t.Errorf("%q: Ready before Next #%d = %v, want %v", tc.chunks, i+1, got, want)
			}
			if _, err := r.Next(); err != nil {
				break
			}
		}
	}
}

// FuzzReady: when Ready says true, Next returns without reading.
func FuzzReady(f *testing.F) {
	for _, s := range []string{"data: a\n\ndata: b\n\n", "data: a\r\rdata: b\r\r\n", "\n\n\ndata: x\r\n\r\n", ": c\n\nevent: e\ndata: d\n\n", "data: a\r"} {
		f.Add([]byte(s), uint8(3))
	}
	f.Fuzz(func(t *testing.T, in []byte, split uint8) {
		n := int(split%16) + 1
		var chunks []string
		for len(in) > 0 {
			k := min(n, len(in))
			chunks = append(chunks, string(in[:k]))
			in = in[k:]
		}
		src := &scriptReader{chunks: chunks}
		r := NewReader(src, 1<<16)
		for i := 0; i < 1000; i++ {
			ready := r.Ready()
			before := src.reads
			_, err := r.Next()
			if ready && src.reads != before {
				t.Fatalf("Ready said true but Next read from the source (event %d)", i)
			}
			if err != nil {
				return
			}
		}
	})
}
