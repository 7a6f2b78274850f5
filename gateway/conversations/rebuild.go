package conversations

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// ErrRebuildRunning is returned when a rebuild is asked for while one runs.
var ErrRebuildRunning = errors.New("a conversation index rebuild is already running")

// rebuildBatch records are indexed per transaction by a rebuild: bigger than
// the writer's batches, since each commit costs an fsync.
const rebuildBatch = 5000

// errPruned stops indexing a segment that was deleted meanwhile.
var errPruned = errors.New("segment deleted")

// jobState tracks the one rebuild that may run at a time. Its goroutine is
// stopped and awaited by Close.
type jobState struct {
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu        sync.Mutex
	running   bool
	closed    bool
	lastErr   string
	lastCount int

	hook func() // tests: runs when a job starts
}

func (j *jobState) init() { j.ctx, j.cancel = context.WithCancel(context.Background()) }

func (j *jobState) stop() {
	j.mu.Lock()
	j.closed = true
	j.mu.Unlock()
	j.cancel()
	j.wg.Wait()
}

func (j *jobState) acquire() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	switch {
	case j.closed:
		return ErrClosed
	case j.running:
		return ErrRebuildRunning
	}
	j.running = true
	return nil
}

func (j *jobState) release(n int, err error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.running, j.lastCount, j.lastErr = false, n, ""
	if err != nil {
		j.lastErr = err.Error()
	}
}

// StartRebuild starts rebuilding the index from the segment files in the
// background and returns at once (ErrRebuildRunning when one runs). Progress
// and outcome are in Stats.
func (w *Writer) StartRebuild() error { return w.startJob(true, nil) }

// Rebuild clears the index and rescans every segment file, returning the
// number of records indexed. Records written meanwhile are indexed as usual;
// lines that do not parse (a write torn by a crash) are skipped.
func (w *Writer) Rebuild(ctx context.Context) (int, error) {
	if err := w.job.acquire(); err != nil {
		return 0, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(w.job.ctx, cancel)()
	n, err := w.reindex(ctx, true, nil)
	w.job.release(n, err)
	return n, err
}

func (w *Writer) startJob(full bool, from map[int]int64) error {
	if err := w.job.acquire(); err != nil {
		return err
	}
	w.job.wg.Add(1)
	go func() {
		defer w.job.wg.Done()
		n, err := w.reindex(w.job.ctx, full, from)
		if err != nil && !errors.Is(err, context.Canceled) {
			w.log.Error("conversation index rebuild failed", "error", err)
		} else if err == nil {
			w.log.Info("conversation index rebuilt", "records", n)
		}
		w.job.release(n, err)
	}()
	return nil
}

// recover brings the index up to date with the files at startup: a full
// rebuild in the background when the index is new or a rebuild was
// interrupted, else the tail after the mark (what a crash can leave
// unindexed: at most one batch), here.
func (w *Writer) recover(segs []segment) error {
	m, err := w.readMeta()
	if err != nil {
		return fmt.Errorf("reading the conversation index: %w", err)
	}
	var tail int64
	for _, s := range segs {
		switch {
		case !m.hasMark:
			tail += s.Size
		case s.Num == m.markSeg:
			tail += max(s.Size-m.markOff, 0)
		case s.Num > m.markSeg:
			tail += s.Size
		}
	}
	if tail == 0 && !m.pending {
		return nil
	}
	if !m.hasMark || m.pending || tail > 16<<20 {
		w.log.Info("conversation index out of date; rebuilding in the background", "unindexed_bytes", tail)
		return w.startJob(true, nil)
	}
	from := map[int]int64{}
	for _, s := range segs {
		if s.Num == m.markSeg {
			from[s.Num] = m.markOff
		} else if s.Num > m.markSeg {
			from[s.Num] = 0
		}
	}
	if _, err := w.reindex(context.Background(), false, from); err != nil {
		w.log.Warn("indexing the conversation log's tail failed; rebuilding in the background", "error", err)
		return w.startJob(true, nil)
	}
	return nil
}

// reindex indexes the segment files: all of them after clearing the index
// when full, else those in from, each from its offset. Indexing is
// idempotent (keys come from time, segment and offset), so it may overlap
// the writer goroutine's own indexing.
func (w *Writer) reindex(ctx context.Context, full bool, from map[int]int64) (int, error) {
	if hook := w.job.hook; hook != nil {
		hook()
	}
	if full {
		err := w.update(func(ix *ixTx) error {
			if err := ix.clear(w.node); err != nil {
				return err
			}
			return ix.meta.Put(metaPending, present) // a rebuild cut short is redone at the next start
		})
		if err != nil {
			return 0, fmt.Errorf("clearing the conversation index: %w", err)
		}
	}
	segs, err := listSegments(w.opt.Dir)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, s := range segs {
		start, ok := from[s.Num]
		if !full && !ok {
			continue
		}
		n, err := w.indexSegment(ctx, s, start)
		total += n
		if err != nil {
			return total, err
		}
	}
	if full {
		err := w.update(func(ix *ixTx) error {
			if err := ix.meta.Delete(metaPending); err != nil {
				return err
			}
			return ix.meta.Put(metaLastRebuild, []byte(time.Now().UTC().Format(time.RFC3339Nano)))
		})
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// indexSegment indexes the complete lines of one segment from start. A final
// line without its newline is being written (or was torn) and is left alone.
func (w *Writer) indexSegment(ctx context.Context, s segment, start int64) (int, error) {
	f, err := os.Open(filepath.Join(w.opt.Dir, s.Name))
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil // pruned meanwhile
	}
	if err != nil {
		return 0, err
	}
	defer f.Close()
	if _, err := f.Seek(start, io.SeekStart); err != nil {
		return 0, err
	}
	br := bufio.NewReaderSize(f, 256<<10)
	off, n, skipped := start, 0, 0
	batch := make([]entry, 0, rebuildBatch)
	commit := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		w.segMu.Lock()
		defer w.segMu.Unlock()
		if int64(s.Num) < w.oldest.Load() {
			return errPruned
		}
		err := w.update(func(ix *ixTx) error {
			for i := range batch {
				if err := ix.add(&batch[i]); err != nil {
					return err
				}
			}
			return nil
		})
		n += len(batch)
		batch = batch[:0]
		return err
	}
	for {
		line, err := br.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return n, fmt.Errorf("reading %s: %w", s.Name, err)
		}
		var r Record
		if json.Unmarshal(line[:len(line)-1], &r) == nil && r.ID != "" {
			batch = append(batch, entry{Key: entryKey(r.Time, s.Num, off), Summary: summarize(&r, s.Name, off, len(line)-1)})
		} else {
			skipped++
		}
		off += int64(len(line))
		if len(batch) >= rebuildBatch {
			if err := commit(); err != nil {
				return n, ignorePruned(err)
			}
		}
	}
	if skipped > 0 {
		w.log.Warn("conversation segment has lines that do not parse", "file", s.Name, "skipped", skipped)
	}
	return n, ignorePruned(commit())
}

func ignorePruned(err error) error {
	if errors.Is(err, errPruned) {
		return nil
	}
	return err
}

// IndexStats describes the index and the files behind it.
type IndexStats struct {
	Records            int           `json:"records"` // entries in the index
	Files              int           `json:"files"`   // segment files on disk
	Bytes              int64         `json:"bytes"`   // their total size
	Segments           []SegmentInfo `json:"segments"`
	LastRebuild        time.Time     `json:"last_rebuild,omitzero"`
	LastRebuildRecords int           `json:"last_rebuild_records,omitempty"` // of the last rebuild in this process
	LastRebuildError   string        `json:"last_rebuild_error,omitempty"`
	Rebuilding         bool          `json:"rebuilding"`
	Dropped            uint64        `json:"dropped"` // records not logged since start (buffer full, write errors)
}

// SegmentInfo is one segment file.
type SegmentInfo struct {
	Name  string `json:"name"`
	Bytes int64  `json:"bytes"`
}

// Stats reports the index's size, the segment files and rebuild status.
func (w *Writer) Stats() IndexStats {
	st := IndexStats{Dropped: w.dropped.Load(), Segments: []SegmentInfo{}}
	if m, err := w.readMeta(); err != nil {
		w.log.Error("reading the conversation index", "error", err)
	} else {
		st.Records, st.LastRebuild = int(m.count), m.lastRebuild
	}
	if segs, err := listSegments(w.opt.Dir); err == nil {
		for _, s := range segs {
			st.Files++
			st.Bytes += s.Size
			st.Segments = append(st.Segments, SegmentInfo{Name: s.Name, Bytes: s.Size})
		}
	}
	w.job.mu.Lock()
	st.Rebuilding, st.LastRebuildRecords, st.LastRebuildError = w.job.running, w.job.lastCount, w.job.lastErr
	w.job.mu.Unlock()
	return st
}
