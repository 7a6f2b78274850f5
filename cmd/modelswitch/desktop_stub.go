//go:build !desktop

package main

import "io"

// runDesktop is the desktop shape; this build (without the desktop tag: no
// cgo, no tray) has none, so every launch runs the headless core.
func runDesktop(*options, io.Writer, io.Writer) (handled bool, code int) { return false, 0 }
