package workspace

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// EnvVar names the environment variable that selects the workspace when no flag does.
const EnvVar = "MODELSWITCH_WORKSPACE"

// DefaultDirName is the workspace directory under the user's home.
const DefaultDirName = ".modelswitch"

// Resolve returns the workspace directory, absolute and cleaned: flagDir (the --workspace
// value) if set, else $MODELSWITCH_WORKSPACE, else ~/.modelswitch. A leading "~/" is expanded
// in the first two, since a value from a service file or an env var never passes a shell.
// Symlinks are not resolved: the directory need not exist yet.
func Resolve(flagDir string) (string, error) {
	return resolve(flagDir, os.Getenv, os.UserHomeDir)
}

func resolve(flagDir string, getenv func(string) string, home func() (string, error)) (string, error) {
	dir := strings.TrimSpace(flagDir)
	if dir == "" {
		dir = strings.TrimSpace(getenv(EnvVar))
	}
	if dir == "" || dir == "~" || strings.HasPrefix(dir, "~/") {
		h, err := home()
		if err != nil {
			return "", fmt.Errorf("finding the home directory for the default workspace: %w", err)
		}
		if h == "" {
			return "", errors.New("finding the home directory for the default workspace: it is empty")
		}
		switch {
		case dir == "":
			dir = filepath.Join(h, DefaultDirName)
		case dir == "~":
			dir = h
		default:
			dir = filepath.Join(h, dir[2:])
		}
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("making workspace path %q absolute: %w", dir, err)
	}
	return abs, nil
}
