package agentconfig

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Digest names a file's state in a record: "absent", or the SHA-256 of text.
func Digest(exists bool, text []byte) string {
	if !exists {
		return "absent"
	}
	sum := sha256.Sum256(text)
	return hex.EncodeToString(sum[:])
}

// LoadJSON decodes the record at path into v; found is false (and v
// untouched) when there is none.
func LoadJSON(path string, v any) (found bool, err error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("reading the switch record: %w", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return false, fmt.Errorf("the switch record %s is unreadable (%v); move it away to start afresh", path, err)
	}
	return true, nil
}

// SaveJSON writes v to path atomically with mode 0600 (in a 0700 directory).
func SaveJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	was, err := Read(path)
	if err != nil {
		return err
	}
	return WriteAtomic(path, append(b, '\n'), 0o600, was)
}

// RemoveRecord deletes the record at path; a missing one is no error.
func RemoveRecord(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// CheckGateway asks root+"/health" whether a gateway is running there and
// returns an error meant for the user when none answers with 2xx within
// timeout: the tool (e.g. "Claude Code") would then fail every request.
// shown is the address the tool's file names, used in the message.
func CheckGateway(tool, shown, root string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	u := strings.TrimRight(root, "/") + "/health"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("%s points at %s, which is not a usable URL: %w", tool, shown, err)
	}
	// No proxy from the environment: the gateway is local.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("%s points at the gateway %s, but it is not running (%v); "+
			"start ModelSwitch or switch %s off", tool, shown, err, tool)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s points at the gateway %s, but its /health answered %s; "+
			"start ModelSwitch or switch %s off", tool, shown, resp.Status, tool)
	}
	return nil
}
