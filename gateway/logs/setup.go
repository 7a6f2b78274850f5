package logs

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"

	"gopkg.in/natefinch/lumberjack.v2"
)

// FileName is the log file inside Options.Dir; rotated copies are named
// gateway-<UTC time as 2006-01-02T15-04-05.000>.log by lumberjack.
const FileName = "gateway.log"

// DefaultMaxBytes is the rotation size when Options.MaxBytes is 0 (the seed's 100 MiB).
const DefaultMaxBytes = 100 << 20

const mib = 1 << 20

// Options configures Setup.
type Options struct {
	// Dir receives gateway.log (created 0700 if missing; the file is 0600).
	// "" writes no file: the ring and the console only.
	Dir string
	// Level is the initial minimum level of every output; SetLevel changes it.
	Level slog.Level
	// MaxBytes is the size at which gateway.log rotates, rounded up to whole
	// MiB (lumberjack's unit). 0 means DefaultMaxBytes.
	MaxBytes int64
	// Backups is how many rotated files are kept. Lumberjack cannot keep
	// none (its 0 means all), so 0 keeps one.
	Backups int
	// Console receives human-readable text (normally stderr); nil = none.
	Console io.Writer
	// RingSize is the capacity of the in-memory ring; 0 means DefaultRingSize.
	RingSize int
}

// Logs is the gateway's logging: one *slog.Logger feeding the file, the
// console and the ring. It is safe for concurrent use.
type Logs struct {
	Logger *slog.Logger
	Ring   *Ring

	level         *slog.LevelVar
	file, console *asyncWriter // nil when not configured
	closeOnce     sync.Once
	closeErr      error
}

// Setup creates the log directory and file and returns the logger. It
// starts one goroutine per output (file, console) and lumberjack starts one
// more on the first write; Close stops the first two (lumberjack's own
// goroutine lives until the process ends, a known limitation of v2.2.1).
func Setup(opt Options) (*Logs, error) {
	l := &Logs{Ring: NewRing(opt.RingSize), level: new(slog.LevelVar)}
	l.level.Set(opt.Level)
	hopts := &slog.HandlerOptions{Level: l.level}
	handlers := []slog.Handler{&ringHandler{ring: l.Ring, level: l.level}}
	if opt.Dir != "" {
		path := filepath.Join(opt.Dir, FileName)
		if err := prepareFile(opt.Dir, path); err != nil {
			return nil, err
		}
		lj := &lumberjack.Logger{Filename: path, MaxSize: megabytes(opt.MaxBytes), MaxBackups: max(opt.Backups, 1)}
		l.file = newAsyncWriter(lj, lj, flushInterval)
		handlers = append(handlers, slog.NewJSONHandler(l.file, hopts))
	}
	if opt.Console != nil {
		l.console = newAsyncWriter(opt.Console, nil, flushInterval)
		handlers = append(handlers, slog.NewTextHandler(l.console, hopts))
	}
	l.Logger = slog.New(&redactor{next: slog.NewMultiHandler(handlers...), level: l.level})
	return l, nil
}

// prepareFile creates dir and path with owner-only permissions, and
// tightens an existing file's: lumberjack creates new files 0600 but opens
// an existing one as it is and gives rotated files the old file's mode.
func prepareFile(dir, path string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating log directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("opening log file: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("opening log file: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		return fmt.Errorf("restricting log file: %w", err)
	}
	return nil
}

// megabytes converts a byte count to lumberjack's MaxSize, rounding up.
func megabytes(n int64) int {
	if n <= 0 {
		n = DefaultMaxBytes
	}
	return int((n + mib - 1) / mib)
}

// SetLevel changes the minimum level of every output at once (hot reload).
func (l *Logs) SetLevel(level slog.Level) { l.level.Set(level) }

// Level returns the current minimum level.
func (l *Logs) Level() slog.Level { return l.level.Level() }

// Dropped returns how many lines the file and console lost because their
// buffers were full (a stalled disk) or they were written after Close.
func (l *Logs) Dropped() uint64 {
	var n uint64
	for _, w := range []*asyncWriter{l.file, l.console} {
		if w != nil {
			n += w.dropped.Load()
		}
	}
	return n
}

// Close flushes and closes the file and flushes the console; the ring stays
// readable. The Logger stays usable: later records reach only the ring. It
// returns the first write error of either output, and may be called again.
func (l *Logs) Close() error {
	l.closeOnce.Do(func() {
		var errs []error
		for _, w := range []*asyncWriter{l.file, l.console} {
			if w != nil {
				errs = append(errs, w.Close())
			}
		}
		l.closeErr = errors.Join(errs...)
	})
	return l.closeErr
}
