package core

import (
	"runtime/debug"
)

// The collector's settings when the environment gives none, chosen by
// measurement (docs/performance-log.md, 2026-12-07, third session): at c=32
// on one core, a 76 KB Claude Code body ran at +15 % requests per second
// and −12 % CPU per request with GOGC=200 and a 160 MiB soft limit, with
// the same peak RSS (~173 MB) as the default, and a 1 KB body was
// unchanged. GOGC=200 alone gained as much but peaked at ~245 MB; GOGC=400
// gained nothing more; GOGC=off under a limit lost 15 % (every cycle at the
// limit). The limit is soft: a heap that must grow past it (many large
// bodies at once) still does, the collector only works harder meanwhile.
const (
	defaultGCPercent   = 200
	defaultMemoryLimit = 160 << 20
)

// applyGCDefaults sets those where the user has not set GOGC or
// GOMEMLIMIT: theirs always win.
func applyGCDefaults(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(defaultGCPercent)
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
}
