package responses

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// benchRecord is a turn deep into an agent session: 76 KB of input items
// (the history so far) and a 2 KB response.
func benchRecord(i int) Record {
	var in strings.Builder
	in.WriteString("[")
	for in.Len() < 76<<10 {
		if in.Len() > 1 {
			in.WriteString(",")
		}
		fmt.Fprintf(&in, `{"role":"user","content":[{"type":"input_text","text":%q}]}`, strings.Repeat("lorem ipsum ", 40))
	}
	in.WriteString("]")
	resp := `{"id":"resp_x","object":"response","status":"completed","output":[{"type":"message","role":"assistant","content":[{"type":"output_text","text":"` +
		strings.Repeat("dolor sit ", 200) + `"}]}],"usage":{"input_tokens":19000,"output_tokens":500}}`
	return Record{
		ID: fmt.Sprintf("resp_%024d", i), KeyID: "key-bench", Model: "gpt-bench",
		CreatedAt: t0.Add(time.Duration(i) * time.Millisecond),
		Input:     []byte(in.String()), Response: []byte(resp),
	}
}

// BenchmarkPut is the cost a Responses request pays after its answer: one
// fsynced bbolt commit of a 78 KB value, with pruning by MaxBytes once the
// store is full (b.N past about 3,400).
func BenchmarkPut(b *testing.B) {
	s := openStore(b, Options{Now: func() time.Time { return t0 }})
	r := benchRecord(0)
	b.SetBytes(int64(encodedLen(&r)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		r.ID = fmt.Sprintf("resp_%024d", i)
		r.CreatedAt = t0.Add(time.Duration(i) * time.Millisecond)
		if err := s.Put(r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGetHistory is the cost of expanding previous_response_id.
func BenchmarkGetHistory(b *testing.B) {
	s := openStore(b, Options{Now: func() time.Time { return t0 }})
	r := benchRecord(0)
	mustPut(b, s, r)
	b.SetBytes(int64(encodedLen(&r)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		got, err := s.Get(r.ID, r.KeyID)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := got.History(); err != nil {
			b.Fatal(err)
		}
	}
}
