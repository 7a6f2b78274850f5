package server

import (
	"net/http"
	"net/http/pprof"
	"os"

	"github.com/gorilla/mux"
)

// PprofEnv turns on the Go profiler endpoints when set to 1. They are for
// measuring the gateway under load (performance-notes §4: profile the live
// process, not only micro-benchmarks), so they sit under /api/debug/pprof/,
// behind the admin key like the rest of /api, and are off unless asked for:
// a profile shows request paths and can cost CPU while it runs.
const PprofEnv = "MODELSWITCH_PPROF"

func pprofEnabled() bool { return os.Getenv(PprofEnv) == "1" }

// registerPprof mounts net/http/pprof's handlers on r.
func registerPprof(r *mux.Router) {
	const prefix = "/api/debug/pprof/"
	get := []string{http.MethodGet, http.MethodHead}
	r.HandleFunc(prefix+"cmdline", pprof.Cmdline).Methods(get...)
	r.HandleFunc(prefix+"profile", pprof.Profile).Methods(get...)
	r.HandleFunc(prefix+"symbol", pprof.Symbol).Methods(http.MethodGet, http.MethodHead, http.MethodPost) // go tool pprof posts addresses
	r.HandleFunc(prefix+"trace", pprof.Trace).Methods(get...)
	// Index serves the named profiles (heap, allocs, goroutine, …) by the
	// last path element, which it reads after the fixed /debug/pprof/ prefix.
	r.PathPrefix(prefix).Handler(http.StripPrefix("/api", http.HandlerFunc(pprof.Index))).Methods(get...)
}
