//go:build race

package config

// The random-edit test is single-threaded, so the race detector adds nothing but time.
const raceEnabled = true
