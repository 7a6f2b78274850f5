package responses

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/asdine/storm/v3"
	bolt "go.etcd.io/bbolt"

	"github.com/modelswitch/modelswitch/gateway/store"
)

// Node is the storm node (top-level bucket) holding this package's buckets.
const Node = "responses"

// Buckets under Node, and the meta bucket's keys (uint64 big-endian each).
const (
	recordsBucket = "records" // response id → value (record.go's layout)
	byTimeBucket  = "by_time" // created-at unix nanos (8 bytes BE) ‖ id → empty
	metaBucket    = "meta"
)

var (
	metaCount = []byte("count") // records stored
	metaBytes = []byte("bytes") // the sum of their values' lengths
)

var (
	// ErrNotFound is a response that is missing, expired, or another key's:
	// the three look the same, so that an id's existence does not leak.
	ErrNotFound = errors.New("response not found")
	// ErrTooLarge is a record whose value alone exceeds Options.MaxBytes.
	ErrTooLarge = errors.New("response too large to store")
	// ErrInvalid is a record Put refuses: an empty or over-long id, an Input
	// that is not a JSON array or a Response that is not a JSON object.
	ErrInvalid = errors.New("invalid response record")
	// ErrConflict is a Put of an id that another key's record holds.
	ErrConflict = errors.New("response id already stored for another key")
)

// Options bounds the store. Zero values take the defaults; a negative TTL,
// MaxRecords or MaxBytes turns that bound off.
type Options struct {
	TTL        time.Duration // a record is gone this long after CreatedAt; default 30 days
	MaxRecords int           // records kept at most, the newest; default 10000
	MaxBytes   int64         // bytes of stored values kept at most, the newest; default 256 MiB
	Now        func() time.Time
}

func (o *Options) defaults() {
	if o.TTL == 0 {
		o.TTL = 30 * 24 * time.Hour
	}
	if o.MaxRecords == 0 {
		o.MaxRecords = 10000
	}
	if o.MaxBytes == 0 {
		o.MaxBytes = 256 << 20
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// putExpiredChunk is the most expired records one Put removes, so that a
// Put after a long quiet spell does not pay for thousands of deletions on
// the request path (Prune, run by Open and by the caller's timer, takes the
// rest). Removals for MaxRecords and MaxBytes are not capped: each record is
// removed at most once, so they cost one removal per Put on average.
const putExpiredChunk = 64

// pruneChunk is the most records one of Prune's transactions removes, so
// that Prune does not hold the database's write lock for long.
const pruneChunk = 1000

// Store is the gateway's store of the Responses it produced. It is safe for
// concurrent use: it has no state of its own besides the immutable options,
// and bbolt serialises writers and lets readers run alongside.
type Store struct {
	db   *store.DB
	node storm.Node
	opt  Options
}

// Open creates Node's buckets in db if missing and prunes what the bounds
// (which may have shrunk since the last run) no longer allow.
func Open(db *store.DB, opt Options) (*Store, error) {
	opt.defaults()
	s := &Store{db: db, node: db.From(Node), opt: opt}
	err := db.Bolt.Update(func(tx *bolt.Tx) error {
		for _, name := range []string{recordsBucket, byTimeBucket, metaBucket} {
			if _, err := s.node.CreateBucketIfNotExists(tx, name); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("creating the responses buckets: %w", err)
	}
	if _, err := s.Prune(); err != nil {
		return nil, err
	}
	return s, nil
}

// Put stores r, replacing a record of the same id and key, and removes what
// the bounds no longer allow, oldest first, in the same transaction. It is
// durable when it returns (one bbolt commit, fsynced): a client may send
// previous_response_id the moment the response ends. A zero CreatedAt is
// stamped with the store's clock.
func (s *Store) Put(r Record) error {
	if r.ID == "" || len(r.ID) > MaxIDLen {
		return fmt.Errorf("storing response: %w: id of %d bytes", ErrInvalid, len(r.ID))
	}
	// A shape check, not a validation: the gateway built both itself, and
	// a full json.Valid of 100 KB on the request path buys little. History
	// validates when the record is used.
	if !startsWith(r.Input, '[') || !startsWith(r.Response, '{') {
		return fmt.Errorf("storing response %s: %w: input must be a JSON array and response an object", r.ID, ErrInvalid)
	}
	if r.CreatedAt.IsZero() {
		r.CreatedAt = s.opt.Now()
	}
	if n := encodedLen(&r); s.opt.MaxBytes > 0 && int64(n) > s.opt.MaxBytes {
		return fmt.Errorf("storing response %s: %w: %d bytes, the bound is %d", r.ID, ErrTooLarge, n, s.opt.MaxBytes)
	}
	v := encode(&r)
	err := s.update(func(t *txn) error {
		cutoff := s.cutoff()
		if err := t.remove([]byte(r.ID), r.KeyID, cutoff); err != nil {
			return err
		}
		if err := t.recs.Put([]byte(r.ID), v); err != nil {
			return err
		}
		if err := t.byTime.Put(timeKey(unixNanos(r.CreatedAt), r.ID), nil); err != nil {
			return err
		}
		t.count++
		t.bytes += int64(len(v))
		if _, err := t.pruneExpired(cutoff, putExpiredChunk); err != nil {
			return err
		}
		_, err := t.pruneBounds(s.opt, -1)
		return err
	})
	if err != nil {
		return fmt.Errorf("storing response %s: %w", r.ID, err)
	}
	return nil
}

// Get returns the record id of key keyID.
func (s *Store) Get(id, keyID string) (Record, error) {
	if id == "" || len(id) > MaxIDLen {
		return Record{}, ErrNotFound
	}
	var r Record
	err := s.db.Bolt.View(func(tx *bolt.Tx) error {
		recs := s.node.GetBucket(tx, recordsBucket)
		if recs == nil {
			return ErrNotFound
		}
		h, err := s.visible(recs.Get([]byte(id)), keyID)
		if err != nil {
			return err
		}
		r, err = decode(id, h)
		return err
	})
	if errors.Is(err, ErrNotFound) {
		return Record{}, ErrNotFound
	}
	if err != nil {
		return Record{}, fmt.Errorf("reading response %s: %w", id, err)
	}
	return r, nil
}

// Delete removes the record id of key keyID.
func (s *Store) Delete(id, keyID string) error {
	if id == "" || len(id) > MaxIDLen {
		return ErrNotFound
	}
	err := s.update(func(t *txn) error {
		if _, err := s.visible(t.recs.Get([]byte(id)), keyID); err != nil {
			return err
		}
		return t.remove([]byte(id), keyID, s.cutoff())
	})
	if errors.Is(err, ErrNotFound) {
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("deleting response %s: %w", id, err)
	}
	return nil
}

// visible decodes the header of value v (nil when missing) if key keyID
// may see it now.
func (s *Store) visible(v []byte, keyID string) (header, error) {
	if v == nil {
		return header{}, ErrNotFound
	}
	h, err := decodeHeader(v)
	if err != nil {
		return header{}, err
	}
	if string(h.keyID) != keyID || h.created <= s.cutoff() {
		return header{}, ErrNotFound
	}
	return h, nil
}

// Prune removes the expired records, then the oldest beyond MaxRecords and
// MaxBytes, and returns how many it removed. Put prunes as it goes; call
// Prune now and then (an hourly timer) so that expired records leave the
// disk when nothing is being stored.
func (s *Store) Prune() (removed int, err error) {
	for {
		var n int
		err := s.update(func(t *txn) error {
			var err error
			if n, err = t.pruneExpired(s.cutoff(), pruneChunk); err != nil || n == pruneChunk {
				return err
			}
			m, err := t.pruneBounds(s.opt, pruneChunk-n)
			n += m
			return err
		})
		removed += n
		if err != nil {
			return removed, fmt.Errorf("pruning responses: %w", err)
		}
		if n < pruneChunk {
			return removed, nil
		}
	}
}

// Stats is what the store holds.
type Stats struct {
	Records int
	Bytes   int64 // the sum of the stored values' lengths
}

// Stats returns the record count and bytes, as kept in the meta bucket.
func (s *Store) Stats() (st Stats, err error) {
	err = s.db.Bolt.View(func(tx *bolt.Tx) error {
		if m := s.node.GetBucket(tx, metaBucket); m != nil {
			st.Records, st.Bytes = int(getUint(m, metaCount)), getUint(m, metaBytes)
		}
		return nil
	})
	return st, err
}

// cutoff is the newest creation time (unix nanos) that has expired now;
// math.MinInt64 when there is no TTL.
func (s *Store) cutoff() int64 {
	if s.opt.TTL < 0 {
		return -1 << 63
	}
	return s.opt.Now().Add(-s.opt.TTL).UnixNano()
}

func startsWith(b []byte, c byte) bool {
	b = bytes.TrimLeft(b, " \t\r\n")
	return len(b) > 0 && b[0] == c
}

func timeKey(nanos int64, id string) []byte {
	k := make([]byte, 8, 8+len(id))
	binary.BigEndian.PutUint64(k, uint64(nanos))
	return append(k, id...)
}

func getUint(b *bolt.Bucket, key []byte) int64 {
	if v := b.Get(key); len(v) == 8 {
		return int64(binary.BigEndian.Uint64(v))
	}
	return 0
}
