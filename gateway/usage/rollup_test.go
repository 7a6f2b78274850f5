package usage

import (
	"testing"
	"time"
)

func TestBucketOf(t *testing.T) {
	tests := []struct {
		ms   int64
		want int
	}{{0, 0}, {49, 0}, {50, 1}, {99, 1}, {100, 2}, {999, 6}, {1000, 7}, {119999, 15}, {120000, 16}, {1 << 40, 16}}
	for _, tt := range tests {
		if got := bucketOf(tt.ms); got != tt.want {
			t.Errorf("bucketOf(%d) = %d, want %d", tt.ms, got, tt.want)
		}
	}
}

func TestPercentileFromHistogram(t *testing.T) {
	hist := func(counts map[int]uint64) *counters {
		var c counters
		for b, n := range counts {
			c[cHist+b] = n
		}
		return &c
	}
	tests := []struct {
		name string
		c    *counters
		want float64
	}{
		{"empty", hist(nil), 0},
		{"all in the first bucket: interpolated inside [0,50)", hist(map[int]uint64{0: 100}), 48}, // 50·95/100
		{"tail bucket [200,300) holds the 95th", hist(map[int]uint64{0: 90, 3: 10}), 250},         // 200 + 100·5/10
		{"the 95th is the last of its bucket", hist(map[int]uint64{0: 95, 3: 5}), 50},
		{"one sample reports its bucket's bound", hist(map[int]uint64{5: 1}), 750},
		{"overflow reports the last bound", hist(map[int]uint64{0: 1, 16: 99}), 120000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.c.percentile(0.95); got != tt.want {
				t.Errorf("p95 = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCountersEncoding(t *testing.T) {
	var c counters
	c.add(&Record{Status: 200, InputTokens: 7, OutputTokens: 1 << 40, LatencyMs: 75, TTFTMs: 9, Stream: true})
	c.add(&Record{Status: 500, InputTokens: -3, LatencyMs: -1})
	var got counters
	if err := got.decodeAdd(c.appendEncoded(nil)); err != nil || got != c {
		t.Fatalf("round trip: %v, %v != %v", err, got, c)
	}
	// An older, shorter encoding decodes with the missing slots at zero.
	short := []byte{rollupVersion, 2, 5, 4}
	var s counters
	if err := s.decodeAdd(short); err != nil || s[cRequests] != 5 || s[cSuccesses] != 4 || s[cFailures] != 0 {
		t.Errorf("short encoding: %v %v", err, s[:3])
	}
	for _, bad := range [][]byte{nil, {9, 1, 1}, {rollupVersion, 3, 1}} {
		if err := new(counters).decodeAdd(bad); err == nil {
			t.Errorf("decodeAdd(%v) = nil error", bad)
		}
	}
	if c[cInput] != 7 || c[cLatencySum] != 75 || c[cHist+1] != 1 || c[cHist+0] != 1 {
		t.Errorf("negative values must count as zero: %v", c)
	}
}

func TestRollupKey(t *testing.T) {
	r := &Record{Time: time.Date(2026, 3, 10, 12, 59, 59, 0, time.FixedZone("X", 8*3600)), Model: "glm-5",
		Provider: "zhipu", KeyID: "", UpstreamModel: "Qwen/Qwen2.5-72B"}
	var vals [nDims][]byte
	h, ok := splitRollupKey(appendRollupKey(nil, r), &vals)
	if !ok || !hourTime(h).Equal(time.Date(2026, 3, 10, 4, 0, 0, 0, time.UTC)) {
		t.Fatalf("hour = %v, ok %v", hourTime(h), ok)
	}
	if string(vals[0]) != "glm-5" || string(vals[1]) != "zhipu" || string(vals[2]) != "" || string(vals[3]) != "Qwen/Qwen2.5-72B" {
		t.Errorf("dimensions = %q", vals)
	}
	if _, ok := splitRollupKey([]byte{0, 0, 0, 1, 9, 'x'}, &vals); ok {
		t.Error("a truncated key was accepted")
	}
}
