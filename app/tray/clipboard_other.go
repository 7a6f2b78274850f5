//go:build desktop && !linux

package tray

import (
	"os/exec"
	"runtime"
	"strings"
)

// Copy puts text on the clipboard with the platform's tool (pbcopy on macOS, clip on Windows).
func Copy(text string) error {
	name := "pbcopy"
	if runtime.GOOS == "windows" {
		name = "clip"
	}
	cmd := exec.Command(name)
	cmd.Stdin = strings.NewReader(text)
	return cmd.Run()
}
