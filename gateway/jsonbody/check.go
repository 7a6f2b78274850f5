package jsonbody

import "sync"

// checkPool recycles the Objects of Check: validating an upstream response
// or a logged body needs the scan, not the members, and an Object is ~1 KB.
var checkPool = sync.Pool{New: func() any { return new(Object) }}

// Check reports whether body is exactly one JSON object as Scan accepts it
// (the same errors), without keeping its members and without allocating.
func Check(body []byte) error {
	o := checkPool.Get().(*Object)
	err := o.Scan(body)
	o.body, o.members, o.canon, o.index = nil, o.inline[:0], o.canon[:0], nil // hold no caller memory
	checkPool.Put(o)
	return err
}
