package conversations

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/asdine/storm/v3"
	"github.com/asdine/storm/v3/codec"
	bolt "go.etcd.io/bbolt"
)

// NodeName is the storm node (bucket) holding the conversation index.
const NodeName = "conversations"

// Summary is what the index keeps of one record: enough for the list view,
// plus where the full record is (File, Offset, Length).
type Summary struct {
	ID               string    `json:"id"` // the request id
	Time             time.Time `json:"time"`
	KeyID            string    `json:"key_id"`
	KeyName          string    `json:"key_name"`
	Model            string    `json:"model"`
	Provider         string    `json:"provider"`
	UpstreamModel    string    `json:"upstream_model,omitempty"`
	Protocol         string    `json:"protocol,omitempty"`
	Stream           bool      `json:"stream"`
	Status           int       `json:"status"`
	Success          bool      `json:"success"`         // 2xx and no error
	Error            string    `json:"error,omitempty"` // its first 200 bytes
	InputTokens      int       `json:"input_tokens"`
	OutputTokens     int       `json:"output_tokens"`
	CacheReadTokens  int       `json:"cache_read_tokens"`
	CacheWriteTokens int       `json:"cache_write_tokens"`
	LatencyMs        int64     `json:"latency_ms"`
	TTFTMs           int64     `json:"ttft_ms"`
	Preview          string    `json:"preview,omitempty"` // output text (100 runes) or "[tool_use: name]"
	ToolCalls        int       `json:"tool_calls,omitempty"`
	Truncated        bool      `json:"truncated,omitempty"`
	File             string    `json:"file"`
	Offset           int64     `json:"offset"`
	Length           int       `json:"length"` // bytes, without the newline
}

// entry is an index entry: Summary under a key made of the record's time,
// segment number and offset. The key sorts by time and is unique and
// deterministic, so re-indexing a line is idempotent and a rebuild
// reproduces the same keys.
type entry struct {
	Key string
	Summary
}

// entryKeyLen is the length of every entry key: 16 + 8 + 12 hex digits.
const entryKeyLen = 36

func entryKey(t time.Time, seg int, off int64) string {
	ns := t.UnixNano()
	if t.Before(time.Unix(0, 0)) {
		ns = 0
	}
	return fmt.Sprintf("%016x%08x%012x", uint64(ns), uint32(seg), uint64(off))
}

// timeBound is the smallest key at or after t; "" for the zero time.
func timeBound(t time.Time) []byte {
	if t.IsZero() {
		return nil
	}
	return []byte(entryKey(t, 0, 0))
}

func summarize(r *Record, file string, off int64, length int) Summary {
	s := Summary{
		ID: r.ID, Time: r.Time, KeyID: r.KeyID, KeyName: r.KeyName, Model: r.Model, Provider: r.Provider,
		UpstreamModel: r.UpstreamModel, Protocol: r.Protocol, Stream: r.Stream, Status: r.Status,
		Success:     r.Status >= 200 && r.Status < 300 && r.Error == "",
		Error:       string(runeCut([]byte(r.Error), 200, true)),
		InputTokens: r.Usage.Input, OutputTokens: r.Usage.Output,
		CacheReadTokens: r.Usage.CacheRead, CacheWriteTokens: r.Usage.CacheWrite,
		LatencyMs: r.LatencyMs, TTFTMs: r.TTFTMs, ToolCalls: len(r.Output.ToolCalls), Truncated: r.Truncated,
		File: file, Offset: off, Length: length,
	}
	if text := strings.TrimSpace(r.Output.Text); text != "" {
		if utf8.RuneCountInString(text) > 100 {
			text = string([]rune(text)[:100]) + "…"
		}
		s.Preview = text
	} else if len(r.Output.ToolCalls) > 0 {
		s.Preview = "[tool_use: " + r.Output.ToolCalls[0].Name + "]"
	}
	return s
}

// Term buckets: one per filtered field, keys uvarint(len(value)) ‖ value ‖
// entry key. A prefix scan lists a value's entries in time order; a Get
// checks one entry. (storm's own list index costs a scan of every entry with
// the same value on each Save; see doc.go.)
const (
	tKey = iota
	tKeyName
	tModel
	tProvider
	tStatus
	tOutcome
	tID
	tFile
	nTerms
)

var termBuckets = [nTerms]string{"by_key", "by_key_name", "by_model", "by_provider", "by_status", "by_outcome", "by_id", "by_file"}

func (s *Summary) terms() [nTerms]string {
	outcome := "error"
	if s.Success {
		outcome = "success"
	}
	return [nTerms]string{s.KeyID, s.KeyName, s.Model, s.Provider, strconv.Itoa(s.Status), outcome, s.ID, s.File}
}

func termPrefix(v string) []byte {
	return append(binary.AppendUvarint(nil, uint64(len(v))), v...)
}

func termKey(v, key string) []byte { return append(termPrefix(v), key...) }

var present = []byte{1}

// Meta keys.
var (
	metaBucket      = []byte("meta")
	metaCount       = []byte("count")        // uint64: entries in the index
	metaMark        = []byte("mark")         // segment u32 ‖ offset u64: the writer indexed everything before it
	metaPending     = []byte("rebuild")      // present while a rebuild has not completed
	metaLastRebuild = []byte("last_rebuild") // RFC 3339
	entryBucket     = "entries"              // entry key → Summary (the node's codec)
)

// appendFill is the FillPercent of the index buckets.
const appendFill = 0.9

// ixTx is one read-write transaction on the index.
type ixTx struct {
	tx      *bolt.Tx
	codec   codec.MarshalUnmarshaler
	terms   [nTerms]*bolt.Bucket
	meta    *bolt.Bucket
	entries *bolt.Bucket
	count   int64
	// slab holds the keys put in this transaction: bbolt keeps a key until
	// the commit, so keys cannot share a reused buffer, but carving them
	// from large chunks spares two allocations per key (9 keys a record).
	slab []byte
}

// key returns, carved from the slab, the entry key itself, or with withTerm
// the term key of value v for it (termKey's layout).
func (ix *ixTx) key(v string, key string, withTerm bool) []byte {
	n := len(key)
	if withTerm {
		n += binary.MaxVarintLen64 + len(v)
	}
	if cap(ix.slab)-len(ix.slab) < n {
		ix.slab = make([]byte, 0, max(n, 64<<10))
	}
	start := len(ix.slab)
	if withTerm {
		ix.slab = binary.AppendUvarint(ix.slab, uint64(len(v)))
		ix.slab = append(ix.slab, v...)
	}
	ix.slab = append(ix.slab, key...)
	return ix.slab[start:len(ix.slab):len(ix.slab)]
}

func openIx(node storm.Node, tx *bolt.Tx) (*ixTx, error) {
	ix := &ixTx{tx: tx, codec: node.Codec()}
	var err error
	for i, name := range termBuckets {
		if ix.terms[i], err = node.CreateBucketIfNotExists(tx, name); err != nil {
			return nil, err
		}
	}
	if ix.meta, err = node.CreateBucketIfNotExists(tx, string(metaBucket)); err != nil {
		return nil, err
	}
	if ix.entries, err = node.CreateBucketIfNotExists(tx, entryBucket); err != nil {
		return nil, err
	}
	// Entry keys start with the time, and term keys with a value and then
	// the time, so inserts land at the end of a key range: pages filled to
	// 90 % instead of bbolt's default half mean fewer pages per commit and
	// about half the file (bbolt's advice for sequential keys).
	for _, b := range ix.terms {
		b.FillPercent = appendFill
	}
	ix.entries.FillPercent = appendFill
	if v := ix.meta.Get(metaCount); len(v) == 8 {
		ix.count = int64(binary.BigEndian.Uint64(v))
	}
	return ix, nil
}

// add indexes e; re-adding an entry changes nothing.
func (ix *ixTx) add(e *entry) error {
	key := ix.key("", e.Key, false)
	if ix.entries.Get(key) != nil {
		return nil
	}
	raw, err := ix.codec.Marshal(&e.Summary)
	if err != nil {
		return err
	}
	if err := ix.entries.Put(key, raw); err != nil {
		return err
	}
	for i, v := range e.terms() {
		if err := ix.terms[i].Put(ix.key(v, e.Key, true), present); err != nil {
			return err
		}
	}
	ix.count++
	return nil
}

// dropFile removes the entries of a segment file and returns how many.
func (ix *ixTx) dropFile(file string) (int, error) {
	prefix := termPrefix(file)
	var keys []string
	c := ix.terms[tFile].Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		keys = append(keys, string(k[len(prefix):]))
	}
	n := 0
	for _, key := range keys {
		if err := ix.terms[tFile].Delete(termKey(file, key)); err != nil {
			return 0, err
		}
		raw := ix.entries.Get([]byte(key))
		if raw == nil {
			continue
		}
		var s Summary
		if err := ix.codec.Unmarshal(raw, &s); err != nil {
			return 0, fmt.Errorf("decoding index entry %s: %w", key, err)
		}
		for i, v := range s.terms() {
			if err := ix.terms[i].Delete(termKey(v, key)); err != nil {
				return 0, err
			}
		}
		if err := ix.entries.Delete([]byte(key)); err != nil {
			return 0, err
		}
		ix.count--
		n++
	}
	return n, nil
}

// clear empties the index (entries and terms), keeping the meta bucket.
func (ix *ixTx) clear(node storm.Node) error {
	root := node.GetBucket(ix.tx)
	for _, name := range append(termBuckets[:], entryBucket) {
		if err := root.DeleteBucket([]byte(name)); err != nil && !errors.Is(err, bolt.ErrBucketNotFound) {
			return err
		}
	}
	var err error
	for i, name := range termBuckets {
		if ix.terms[i], err = root.CreateBucket([]byte(name)); err != nil {
			return err
		}
	}
	if ix.entries, err = root.CreateBucket([]byte(entryBucket)); err != nil {
		return err
	}
	ix.count = 0
	return nil
}

func (ix *ixTx) setMark(seg int, off int64) error {
	v := binary.BigEndian.AppendUint32(nil, uint32(seg))
	return ix.meta.Put(metaMark, binary.BigEndian.AppendUint64(v, uint64(off)))
}

// finish stores the entry count; call it last.
func (ix *ixTx) finish() error {
	return ix.meta.Put(metaCount, binary.BigEndian.AppendUint64(nil, uint64(max(ix.count, 0))))
}

// update runs fn in one read-write transaction on the index.
func (w *Writer) update(fn func(ix *ixTx) error) error {
	return w.db.Bolt.Update(func(tx *bolt.Tx) error {
		ix, err := openIx(w.node, tx)
		if err != nil {
			return err
		}
		if err := fn(ix); err != nil {
			return err
		}
		return ix.finish()
	})
}

// indexMeta is what the meta bucket says.
type indexMeta struct {
	count       int64
	hasMark     bool
	markSeg     int
	markOff     int64
	pending     bool
	lastRebuild time.Time
}

func (w *Writer) readMeta() (m indexMeta, err error) {
	err = w.db.Bolt.View(func(tx *bolt.Tx) error {
		b := w.node.GetBucket(tx, string(metaBucket))
		if b == nil {
			return nil
		}
		if v := b.Get(metaCount); len(v) == 8 {
			m.count = int64(binary.BigEndian.Uint64(v))
		}
		if v := b.Get(metaMark); len(v) == 12 {
			m.hasMark = true
			m.markSeg = int(binary.BigEndian.Uint32(v))
			m.markOff = int64(binary.BigEndian.Uint64(v[4:]))
		}
		m.pending = b.Get(metaPending) != nil
		if v := b.Get(metaLastRebuild); v != nil {
			m.lastRebuild, _ = time.Parse(time.RFC3339Nano, string(v))
		}
		return nil
	})
	return m, err
}
