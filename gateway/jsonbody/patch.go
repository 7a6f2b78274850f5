package jsonbody

// Edit is one change for Patch: set the top-level member Key to Value (raw
// JSON text), or delete it when Value is empty (nil). Key is the unescaped
// key and must be valid UTF-8.
type Edit struct {
	Key   string
	Value []byte
}

// Set returns a copy of body in which the top-level member key has the raw
// JSON value rawValue: its value is replaced, or, when absent, the member is
// inserted right after the opening '{'. o must come from Scan(body);
// rawValue must be valid JSON (use Quote for strings). An empty rawValue
// deletes the member, as in Patch.
func Set(body []byte, o *Object, key string, rawValue []byte) []byte {
	return Patch(body, o, Edit{Key: key, Value: rawValue})
}

// Delete returns a copy of body without the top-level member key, together
// with the comma that separated it from its neighbours. o must come from
// Scan(body). If there is no such member the copy equals body.
func Delete(body []byte, o *Object, key string) []byte {
	return Patch(body, o, Edit{Key: key})
}

// AppendPatch is like Patch but appends the result to dst (typically a
// pooled buffer) and returns the extended slice. It allocates only when dst
// lacks room, and then once, for exactly len(dst) plus the result's length.
// dst must not overlap body.
func AppendPatch(dst, body []byte, o *Object, edits ...Edit) []byte {
	var idxBuf [8]int
	idx := resolve(idxBuf[:0], body, o, edits)
	_, n := emit(nil, body, o, edits, idx, nil)
	if dst == nil || cap(dst)-len(dst) < n {
		grown := make([]byte, len(dst), len(dst)+n)
		copy(grown, dst)
		dst = grown
	}
	out, _ := emit(dst, body, o, edits, idx, nil)
	return out
}

// Patch applies all edits in one pass and returns the result in a new slice
// allocated once with its exact length; body is never modified and the
// result never aliases it. o must come from Scan(body). Replaced values keep
// their member's position and surrounding white space; inserted members go
// right after the opening '{', in the order of edits; a deleted member takes
// one separating comma with it. When several edits name the same key, the
// last one wins. Patch trusts each Value to be valid JSON.
//
// Patch allocates once more (a small index) when given more than eight
// edits.
func Patch(body []byte, o *Object, edits ...Edit) []byte {
	var idxBuf [8]int
	idx := resolve(idxBuf[:0], body, o, edits)
	_, n := emit(nil, body, o, edits, idx, nil)
	out, _ := emit(make([]byte, 0, n), body, o, edits, idx, nil)
	return out
}

// PatchParts is Patch without the copy: it appends to parts the pieces
// that, written in order, make Patch's result — slices of body between the
// edits and the edits' values — and returns the extended slice and the
// total length. The pieces alias body and the edits, which must stay
// unmodified while the pieces are in use. A pass-through request is sent to
// the upstream from these pieces instead of a patched copy of a 76 KB body
// (an allocation, its zeroing and a copy, all on the request path).
func PatchParts(parts [][]byte, body []byte, o *Object, edits ...Edit) ([][]byte, int) {
	var idxBuf [8]int
	idx := resolve(idxBuf[:0], body, o, edits)
	_, n := emit(nil, body, o, edits, idx, nil)
	emit(nil, body, o, edits, idx, &parts)
	return parts, n
}

const (
	absent     = -1 // the edit's key is not in the object
	superseded = -2 // a later edit names the same key
)

// resolve returns, per edit, the index of the member it changes, absent or
// superseded, appending to idx (allocating for more edits than it holds).
func resolve(idx []int, body []byte, o *Object, edits []Edit) []int {
	if len(body) != len(o.body) || o.open >= len(body) || o.close >= len(body) || body[o.open] != '{' || body[o.close] != '}' {
		panic("jsonbody: Patch called with an Object that was not scanned from this body")
	}
	for j := range edits {
		idx = append(idx, o.find(edits[j].Key))
		for k := j + 1; k < len(edits); k++ {
			if edits[k].Key == edits[j].Key {
				idx[j] = superseded
				break
			}
		}
	}
	return idx
}

// emit appends Patch's output to dst, or, when parts is set, its pieces to
// *parts (PatchParts), or, when both are nil, only returns its length. idx
// holds, per edit, the index of the member it changes, absent or
// superseded. The output lives in locals (not behind a pointer) so that
// appending needs no write barriers.
func emit(dst, body []byte, o *Object, edits []Edit, idx []int, parts *[][]byte) ([]byte, int) {
	count := dst == nil && parts == nil
	n := 0
	put := func(b []byte) {
		switch {
		case parts != nil:
			if len(b) > 0 {
				*parts = append(*parts, b)
			}
		case count:
			n += len(b)
		default:
			dst = append(dst, b...)
		}
	}
	putByte := func(c byte) {
		switch {
		case parts != nil:
			*parts = append(*parts, punctuation[c:c+1])
		case count:
			n++
		default:
			dst = append(dst, c)
		}
	}
	put(body[:o.open+1])
	inserted := false
	for j, e := range edits {
		if idx[j] != absent || len(e.Value) == 0 {
			continue
		}
		if inserted {
			putByte(',')
		}
		switch {
		case parts != nil:
			*parts = append(*parts, Quote(e.Key))
		case count:
			n += quotedLen(e.Key)
		default:
			dst = AppendQuote(dst, e.Key)
		}
		putByte(':')
		put(e.Value)
		inserted = true
	}
	ms := o.members
	if len(ms) == 0 {
		put(body[o.open+1:])
		return dst, n
	}
	kept := false
	for i := range ms {
		m := &ms[i]
		j := editFor(idx, i)
		if j >= 0 && len(edits[j].Value) == 0 {
			continue // deleted, with the separator before it or the one after
		}
		if !kept {
			if inserted {
				putByte(',')
			}
			put(body[o.open+1 : ms[0].Start]) // white space after '{'
		} else {
			put(body[ms[i-1].End:m.Start]) // exactly one comma
		}
		kept = true
		if j < 0 {
			put(body[m.Start:m.End])
			continue
		}
		put(body[m.Start:m.Value.Start])
		put(edits[j].Value)
		put(body[m.Value.End:m.End])
	}
	put(body[ms[len(ms)-1].End:]) // white space, '}' and what follows
	return dst, n
}

// punctuation holds the bytes emit writes on their own (',' and ':'), so a
// piece can be a slice of it: punctuation[c:c+1] is c.
var punctuation = func() (b [256]byte) {
	for i := range b {
		b[i] = byte(i)
	}
	return
}()

// editFor returns the index of the edit that applies to member i, or -1.
func editFor(idx []int, i int) int {
	for j, m := range idx {
		if m == i {
			return j
		}
	}
	return -1
}
