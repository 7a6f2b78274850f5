package watch

import (
	"crypto/sha256"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Watcher calls OnChange with the new content of one file.
type Watcher struct {
	path     string
	name     string
	debounce time.Duration
	onChange func(data []byte)
	log      *slog.Logger
	fsw      *fsnotify.Watcher

	mu   sync.Mutex
	last [sha256.Size]byte // hash of the content last seen or written by us

	done chan struct{}
	wg   sync.WaitGroup
}

// New starts watching path. initial is the content the caller already loaded.
func New(path string, initial []byte, debounce time.Duration, onChange func([]byte), log *slog.Logger) (*Watcher, error) {
	if log == nil {
		log = slog.Default()
	}
	fsw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	w := &Watcher{path: path, name: filepath.Base(path), debounce: debounce, onChange: onChange, log: log,
		fsw: fsw, last: sha256.Sum256(initial), done: make(chan struct{})}
	dirs := []string{filepath.Dir(path)}
	if target, err := filepath.EvalSymlinks(path); err == nil && filepath.Dir(target) != dirs[0] {
		dirs = append(dirs, filepath.Dir(target)) // a symlinked config: watch where it points too
	}
	for _, d := range dirs {
		if err := fsw.Add(d); err != nil {
			fsw.Close()
			return nil, err
		}
	}
	w.wg.Add(1)
	go w.loop()
	return w, nil
}

// Expect records content the gateway is about to write itself, so that the
// resulting file event does not reload it a second time.
func (w *Watcher) Expect(data []byte) {
	w.mu.Lock()
	w.last = sha256.Sum256(data)
	w.mu.Unlock()
}

// Close stops watching and waits for the loop to end.
func (w *Watcher) Close() error {
	close(w.done)
	err := w.fsw.Close()
	w.wg.Wait()
	return err
}

func (w *Watcher) loop() {
	defer w.wg.Done()
	var timer *time.Timer
	var fire <-chan time.Time
	for {
		select {
		case <-w.done:
			if timer != nil {
				timer.Stop()
			}
			return
		case ev, ok := <-w.fsw.Events:
			if !ok {
				return
			}
			if !w.relevant(ev) {
				continue
			}
			if timer == nil {
				timer = time.NewTimer(w.debounce)
			} else {
				timer.Reset(w.debounce)
			}
			fire = timer.C
		case err, ok := <-w.fsw.Errors:
			if !ok {
				return
			}
			w.log.Warn("watching the config file", "err", err)
		case <-fire:
			fire = nil
			w.check()
		}
	}
}

// relevant: any event on our file name (or on the symlink target's name, or
// on the ..data directory swap of a ConfigMap-style mount) counts.
func (w *Watcher) relevant(ev fsnotify.Event) bool {
	base := filepath.Base(ev.Name)
	if base == w.name || base == "..data" {
		return true
	}
	if target, err := filepath.EvalSymlinks(w.path); err == nil && filepath.Base(target) == base {
		return true
	}
	return false
}

// check reads the file and reports it when its content changed.
func (w *Watcher) check() {
	data, err := os.ReadFile(w.path)
	if errors.Is(err, os.ErrNotExist) {
		// Mid-save (removed before the rename) or deleted: the next event or
		// nothing; the gateway keeps its configuration either way.
		return
	}
	if err != nil {
		w.log.Warn("reading the config file", "path", w.path, "err", err)
		return
	}
	sum := sha256.Sum256(data)
	w.mu.Lock()
	same := sum == w.last
	w.last = sum
	w.mu.Unlock()
	if !same {
		w.onChange(data)
	}
}
