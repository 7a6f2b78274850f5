package jsonbody

import (
	"encoding/json"
	"testing"
)

var (
	body1K  = claudeCodeBody(0, 0)
	body76K = claudeCodeBody(24, 46)
)

func benchBodies() []struct {
	name string
	body []byte
} {
	return []struct {
		name string
		body []byte
	}{{"1KB", body1K}, {"76KB", body76K}}
}

func BenchmarkScan(b *testing.B) {
	for _, bb := range benchBodies() {
		b.Run(bb.name, func(b *testing.B) {
			b.SetBytes(int64(len(bb.body)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Scan(bb.body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkScanTop is the pass-through check: the top level only.
func BenchmarkScanTop(b *testing.B) {
	for _, bb := range benchBodies() {
		b.Run(bb.name, func(b *testing.B) {
			b.SetBytes(int64(len(bb.body)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ScanTop(bb.body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkScanPatch is the pass-through hot path: validate, read the model,
// swap it.
func BenchmarkScanPatch(b *testing.B) {
	model := Quote("gpt-5-mini")
	for _, bb := range benchBodies() {
		b.Run(bb.name, func(b *testing.B) {
			b.SetBytes(int64(len(bb.body)))
			b.ReportAllocs()
			for b.Loop() {
				o, err := Scan(bb.body)
				if err != nil {
					b.Fatal(err)
				}
				if v, ok := o.Get("model"); !ok || v.Kind != KindString {
					b.Fatal("no model")
				}
				if out := Set(bb.body, o, "model", model); len(out) == 0 {
					b.Fatal("empty")
				}
			}
		})
	}
}

func BenchmarkPatch(b *testing.B) {
	edits := []Edit{{"model", Quote("gpt-5-mini")}, {Key: "context_management"}, {"stream_options", []byte(`{"include_usage":true}`)}}
	for _, bb := range benchBodies() {
		o, err := Scan(bb.body)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(bb.name, func(b *testing.B) {
			b.SetBytes(int64(len(bb.body)))
			b.ReportAllocs()
			for b.Loop() {
				Patch(bb.body, o, edits...)
			}
		})
	}
}

// BenchmarkScanPatchReuse is the pooled variant: a reused Object and
// AppendPatch into a reused buffer.
func BenchmarkScanPatchReuse(b *testing.B) {
	model := Quote("gpt-5-mini")
	for _, bb := range benchBodies() {
		b.Run(bb.name, func(b *testing.B) {
			var o Object
			buf := make([]byte, 0, 2*len(bb.body))
			b.SetBytes(int64(len(bb.body)))
			b.ReportAllocs()
			for b.Loop() {
				if err := o.Scan(bb.body); err != nil {
					b.Fatal(err)
				}
				buf = AppendPatch(buf[:0], bb.body, &o, Edit{"model", model})
			}
		})
	}
}

var sinkBytes []byte

// BenchmarkCopyFloor is for contrast: allocate and copy the body, the least
// any copying edit can cost.
func BenchmarkCopyFloor(b *testing.B) {
	for _, bb := range benchBodies() {
		b.Run(bb.name, func(b *testing.B) {
			b.SetBytes(int64(len(bb.body)))
			b.ReportAllocs()
			for b.Loop() {
				out := make([]byte, len(bb.body))
				copy(out, bb.body)
				sinkBytes = out
			}
		})
	}
}

// BenchmarkJSONValid is for contrast: encoding/json validation alone.
func BenchmarkJSONValid(b *testing.B) {
	for _, bb := range benchBodies() {
		b.Run(bb.name, func(b *testing.B) {
			b.SetBytes(int64(len(bb.body)))
			b.ReportAllocs()
			for b.Loop() {
				if !json.Valid(bb.body) {
					b.Fatal("invalid")
				}
			}
		})
	}
}

// TestAllocs is the allocation guard: Scan makes one allocation for a body
// with up to 16 plain top-level keys, Patch exactly one, and a reused Object
// with AppendPatch into a buffer with room none.
func TestAllocs(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation counts are checked in full runs")
	}
	edits := []Edit{{"model", Quote("m")}, {Key: "stream"}, {"x", []byte("1")}}
	for _, bb := range benchBodies() {
		if n := testing.AllocsPerRun(50, func() { Scan(bb.body) }); n > 1 {
			t.Errorf("Scan %s: %.0f allocs, want ≤ 1", bb.name, n)
		}
		o, _ := Scan(bb.body)
		if n := testing.AllocsPerRun(50, func() { Patch(bb.body, o, edits...) }); n != 1 {
			t.Errorf("Patch %s: %.0f allocs, want 1", bb.name, n)
		}
		var reused Object
		buf := make([]byte, 0, 2*len(bb.body))
		if n := testing.AllocsPerRun(50, func() {
			if err := reused.Scan(bb.body); err != nil {
				t.Fatal(err)
			}
			buf = AppendPatch(buf[:0], bb.body, &reused, edits...)
		}); n != 0 {
			t.Errorf("Object.Scan + AppendPatch %s: %.0f allocs, want 0", bb.name, n)
		}
	}
}

func TestBenchBodies(t *testing.T) {
	if len(body1K) < 900 || len(body1K) > 1300 || len(body76K) < 70_000 || len(body76K) > 82_000 {
		t.Fatalf("body sizes %d and %d, want about 1 KB and 76 KB", len(body1K), len(body76K))
	}
	for _, bb := range benchBodies() {
		o, err := Scan(bb.body)
		if err != nil {
			t.Fatal(err)
		}
		if k, _ := o.Members()[0].Key.String(bb.body); k != "model" || len(o.Members()) != 10 {
			t.Fatalf("%s: members %d, first %q", bb.name, len(o.Members()), k)
		}
		out := Set(bb.body, o, "model", Quote("gpt-5-mini"))
		checkPatched(t, string(bb.body), out, []Edit{{"model", Quote("gpt-5-mini")}})
	}
}
