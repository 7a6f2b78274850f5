package usage

import (
	"encoding/binary"
	"errors"
	"math"
	"time"
)

// LatencyBounds are the exclusive upper bounds, in milliseconds, of the
// latency histogram kept in every hourly rollup. A latency falls in the first
// bucket whose bound exceeds it; anything at or above the last bound falls in
// one more overflow bucket, so a histogram has len(LatencyBounds)+1 counts.
var LatencyBounds = [...]int64{50, 100, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000, 10000, 20000, 30000, 60000, 120000}

const nBuckets = len(LatencyBounds) + 1

// Counter slots of a rollup, in their stored order. New slots are appended
// only: encoded rollups carry their slot count, so older rows decode with the
// missing slots at zero.
const (
	cRequests = iota
	cSuccesses
	cFailures
	cStatus2xx
	cStatus3xx
	cStatus4xx
	cStatus5xx
	cStatusOther // no HTTP status or 1xx/6xx and beyond
	cStreams
	cEstimated
	cInput
	cOutput
	cCacheRead
	cCacheWrite
	cReasoning
	cLatencySum // ms
	cTTFTSum    // ms, over rows with a TTFT
	cTTFTCount
	cHist // nBuckets latency histogram slots follow
)

// Slots added after the histogram (issue 17).
const (
	cCost         = cHist + nBuckets + iota // nanos of the gateway currency, over priced requests
	cPriced                                 // requests with a price
	cCacheWrite1h                           // part of cCacheWrite
	nCounters
)

// counters is one rollup's sums. Every slot is a plain sum, so rollups of any
// hours and dimensions merge by adding slot by slot.
type counters [nCounters]uint64

// rollupVersion prefixes an encoded rollup.
const rollupVersion = 1

func nonNeg(v int64) uint64 {
	if v < 0 {
		return 0
	}
	return uint64(v)
}

// add counts one record.
func (c *counters) add(r *Record) {
	c[cRequests]++
	if r.Success() {
		c[cSuccesses]++
	} else {
		c[cFailures]++
	}
	switch r.Status / 100 {
	case 2:
		c[cStatus2xx]++
	case 3:
		c[cStatus3xx]++
	case 4:
		c[cStatus4xx]++
	case 5:
		c[cStatus5xx]++
	default:
		c[cStatusOther]++
	}
	if r.Stream {
		c[cStreams]++
	}
	if r.Estimated {
		c[cEstimated]++
	}
	c[cInput] += nonNeg(int64(r.InputTokens))
	c[cOutput] += nonNeg(int64(r.OutputTokens))
	c[cCacheRead] += nonNeg(int64(r.CacheReadTokens))
	c[cCacheWrite] += nonNeg(int64(r.CacheWriteTokens))
	c[cReasoning] += nonNeg(int64(r.ReasoningTokens))
	c[cCacheWrite1h] += nonNeg(int64(r.CacheWrite1hTokens))
	if r.Priced {
		c[cCost] += uint64(r.PricedCost())
		c[cPriced]++
	}
	lat := nonNeg(r.LatencyMs)
	c[cLatencySum] += lat
	c[cHist+bucketOf(int64(lat))]++
	if r.TTFTMs > 0 {
		c[cTTFTSum] += uint64(r.TTFTMs)
		c[cTTFTCount]++
	}
}

// merge adds o into c.
func (c *counters) merge(o *counters) {
	for i := range c {
		c[i] += o[i]
	}
}

// bucketOf returns the histogram bucket of a latency in ms.
func bucketOf(ms int64) int {
	for i, b := range LatencyBounds {
		if ms < b {
			return i
		}
	}
	return len(LatencyBounds)
}

// percentile estimates the p-th percentile (0 < p ≤ 1) of latency from the
// histogram: it finds the bucket holding the ceil(p·n)-th sample and
// interpolates linearly inside it. The overflow bucket has no upper bound, so
// a percentile there is reported as the last bound (a lower bound).
func (c *counters) percentile(p float64) float64 {
	var n uint64
	for i := range nBuckets {
		n += c[cHist+i]
	}
	if n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(p * float64(n)))
	if rank < 1 {
		rank = 1
	}
	var cum uint64
	for i := range nBuckets {
		k := c[cHist+i]
		if cum+k < rank {
			cum += k
			continue
		}
		lo := int64(0)
		if i > 0 {
			lo = LatencyBounds[i-1]
		}
		if i == len(LatencyBounds) {
			return float64(lo)
		}
		hi := LatencyBounds[i]
		return math.Round(float64(lo) + float64(hi-lo)*float64(rank-cum)/float64(k))
	}
	return float64(LatencyBounds[len(LatencyBounds)-1])
}

// appendEncoded appends the stored form: a version byte, the slot count and
// every slot as a uvarint (most slots are small, so a rollup is ~50 bytes).
func (c *counters) appendEncoded(b []byte) []byte {
	b = append(b, rollupVersion, byte(nCounters))
	for _, v := range c {
		b = binary.AppendUvarint(b, v)
	}
	return b
}

var errBadRollup = errors.New("usage: malformed rollup value")

// decodeAdd adds an encoded rollup into c.
func (c *counters) decodeAdd(b []byte) error {
	if len(b) < 2 || b[0] != rollupVersion {
		return errBadRollup
	}
	n := int(b[1])
	b = b[2:]
	for i := range n {
		v, k := binary.Uvarint(b)
		if k <= 0 {
			return errBadRollup
		}
		b = b[k:]
		if i < nCounters {
			c[i] += v
		}
	}
	return nil
}

// Dimension is a column that usage can be grouped or filtered by.
type Dimension string

// The dimensions of a rollup key, in their stored order.
const (
	DimModel         Dimension = "model"          // the virtual model
	DimProvider      Dimension = "provider"       // the adapter that answered
	DimKey           Dimension = "api_key"        // the key ID
	DimUpstreamModel Dimension = "upstream_model" // the provider's model name
)

var dims = [...]Dimension{DimModel, DimProvider, DimKey, DimUpstreamModel}

const nDims = len(dims)

// ParseDimension returns the Dimension named s and whether it is one.
func ParseDimension(s string) (Dimension, bool) {
	for _, d := range dims {
		if string(d) == s {
			return d, true
		}
	}
	return "", false
}

func (d Dimension) index() int {
	for i, x := range dims {
		if x == d {
			return i
		}
	}
	return -1
}

// hourOf is the rollup hour of t: hours since the Unix epoch in UTC,
// clamped to the uint32 range the key uses.
func hourOf(t time.Time) uint32 {
	h := t.Unix() / 3600
	if t.Unix() < 0 {
		return 0
	}
	if h > math.MaxUint32 {
		return math.MaxUint32
	}
	return uint32(h)
}

// hourTime is the start of a rollup hour.
func hourTime(h uint32) time.Time { return time.Unix(int64(h)*3600, 0).UTC() }

// appendRollupKey appends the key of r's rollup: the hour as 4 big-endian
// bytes (so a cursor walks hours in order), then model, provider, key ID and
// upstream model, each as a uvarint length and the bytes.
func appendRollupKey(b []byte, r *Record) []byte {
	b = binary.BigEndian.AppendUint32(b, hourOf(r.Time))
	for _, s := range [nDims]string{r.Model, r.Provider, r.KeyID, r.UpstreamModel} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	return b
}

// splitRollupKey returns the hour and the dimension values (aliasing key).
func splitRollupKey(key []byte, vals *[nDims][]byte) (uint32, bool) {
	if len(key) < 4 {
		return 0, false
	}
	h := binary.BigEndian.Uint32(key)
	key = key[4:]
	for i := range vals {
		n, k := binary.Uvarint(key)
		if k <= 0 || uint64(len(key)-k) < n {
			return 0, false
		}
		vals[i] = key[k : k+int(n)]
		key = key[k+int(n):]
	}
	return h, true
}
