package logs

import (
	"io"
	"log/slog"
	"testing"
)

// BenchmarkInfo5Attrs is one request-path log line with five attributes
// through every output: the file (in a temporary directory, written by the
// async writer's goroutine), the console (io.Discard) and the ring.
func BenchmarkInfo5Attrs(b *testing.B) {
	for _, bc := range []struct {
		name  string
		level slog.Level
	}{{"enabled", slog.LevelInfo}, {"disabled", slog.LevelWarn}} {
		b.Run(bc.name, func(b *testing.B) {
			l, err := Setup(Options{Dir: b.TempDir(), Console: io.Discard, Level: bc.level})
			if err != nil {
				b.Fatal(err)
			}
			defer l.Close()
			log := l.Logger
			b.ReportAllocs()
			for b.Loop() {
				log.Info("request done", "request_id", "req_0123456789", "model", "claude-sonnet",
					"provider", "anthropic", "status", 200, "latency_ms", 1234)
			}
		})
	}
}

// BenchmarkRingOnly isolates the ring's share.
func BenchmarkRingOnly(b *testing.B) {
	log := slog.New(NewRing(0).Handler(slog.LevelInfo))
	b.ReportAllocs()
	for b.Loop() {
		log.Info("request done", "request_id", "req_0123456789", "model", "claude-sonnet",
			"provider", "anthropic", "status", 200, "latency_ms", 1234)
	}
}
