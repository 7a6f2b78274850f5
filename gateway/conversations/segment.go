package conversations

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Segment files are conversations-000001.jsonl, conversations-000002.jsonl, …:
// a name is given once and never reused or renamed (see doc.go).
const (
	segPrefix = "conversations-"
	segSuffix = ".jsonl"
)

// SegmentName is the file name of segment n.
func SegmentName(n int) string { return fmt.Sprintf("%s%06d%s", segPrefix, n, segSuffix) }

// parseSegment returns the number of a segment file name.
func parseSegment(name string) (int, bool) {
	digits, ok := strings.CutPrefix(name, segPrefix)
	if !ok {
		return 0, false
	}
	digits, ok = strings.CutSuffix(digits, segSuffix)
	if !ok || len(digits) < 6 {
		return 0, false
	}
	n, err := strconv.Atoi(digits)
	if err != nil || n < 1 || strings.ContainsAny(digits, "+-") {
		return 0, false
	}
	return n, true
}

// segment is one file on disk.
type segment struct {
	Num  int
	Name string
	Size int64
}

// listSegments returns the segment files in dir, oldest (lowest number) first.
func listSegments(dir string) ([]segment, error) {
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var segs []segment
	for _, de := range des {
		n, ok := parseSegment(de.Name())
		if !ok || !de.Type().IsRegular() {
			continue
		}
		fi, err := de.Info()
		if err != nil {
			continue // removed meanwhile
		}
		segs = append(segs, segment{Num: n, Name: de.Name(), Size: fi.Size()})
	}
	slices.SortFunc(segs, func(a, b segment) int { return a.Num - b.Num })
	return segs, nil
}

// openSegment opens segment n for appending (creating it, 0600) and returns
// its size. A file that does not end in a newline (a write torn by a crash)
// gets one, so that the next record starts on its own line and the torn one
// is merely skipped by a rebuild.
func openSegment(dir string, n int) (*os.File, int64, error) {
	path := filepath.Join(dir, SegmentName(n))
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, 0, err
	}
	fail := func(err error) (*os.File, int64, error) {
		_ = f.Close()
		return nil, 0, fmt.Errorf("opening %s: %w", path, err)
	}
	fi, err := f.Stat()
	if err != nil {
		return fail(err)
	}
	if fi.Mode().Perm() != 0o600 {
		if err := f.Chmod(0o600); err != nil {
			return fail(err)
		}
	}
	size := fi.Size()
	if size > 0 {
		var last [1]byte
		if _, err := f.ReadAt(last[:], size-1); err != nil && !errors.Is(err, io.EOF) {
			return fail(err)
		}
		if last[0] != '\n' {
			if _, err := f.Write([]byte{'\n'}); err != nil {
				return fail(err)
			}
			size++
		}
	}
	return f, size, nil
}
