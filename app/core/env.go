package core

import (
	"os"
	"strings"
	"sync"
)

// Variables this process sets for itself only: the programs it starts (the
// window, a relaunch of itself) get the environment as the user gave it.
var (
	ownEnvMu sync.Mutex
	ownEnv   = map[string]bool{}
)

// SetOwnEnv sets key=value in this process unless the user already set key,
// and keeps it out of ChildEnv. It reports whether it set it.
func SetOwnEnv(key, value string) bool {
	if _, set := os.LookupEnv(key); set {
		return false
	}
	ownEnvMu.Lock()
	defer ownEnvMu.Unlock()
	ownEnv[key] = true
	return os.Setenv(key, value) == nil
}

// ChildEnv is os.Environ without the variables SetOwnEnv set.
func ChildEnv() []string {
	ownEnvMu.Lock()
	defer ownEnvMu.Unlock()
	env := os.Environ()
	out := env[:0:0]
	for _, kv := range env {
		key, _, _ := strings.Cut(kv, "=")
		if !ownEnv[key] {
			out = append(out, kv)
		}
	}
	return out
}
