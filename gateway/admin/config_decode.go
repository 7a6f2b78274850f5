package admin

// Strict decoding of the configuration API's request bodies. A body is read
// field by field from a map of raw JSON values, so that every problem is a 400
// naming the field: a wrong type ("max_concurrent: must be an integer"), an
// unknown field (a typo would otherwise be dropped in silence), a bad value.
// Every problem of a body is reported at once, like config validation does.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/modelswitch/modelswitch/gateway/protocol"
)

// maxConfigBody bounds a request body (the server's max_body_mb applies first).
const maxConfigBody = 8 << 20

// fieldErrors collects the problems of one request body.
type fieldErrors []protocol.FieldError

func (e *fieldErrors) add(field, format string, args ...any) {
	*e = append(*e, protocol.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// err is nil without problems, else a 400 whose message names the first.
func (e fieldErrors) err() error {
	if len(e) == 0 {
		return nil
	}
	msg := e[0].Message
	if e[0].Field != "" {
		msg = e[0].Field + ": " + msg
	}
	if len(e) > 1 {
		msg += fmt.Sprintf(" (and %d more problems, see fields)", len(e)-1)
	}
	return &protocol.Error{Status: http.StatusBadRequest, Message: msg, Fields: e}
}

// object is one JSON object of a body. Reading a field marks it known; done
// reports the fields nobody read.
type object struct {
	at    string // prefix of its field names in errors: "" or e.g. "providers[1]."
	raw   map[string]json.RawMessage
	known map[string]bool
	errs  *fieldErrors
}

// readBody reads the request's JSON object. The returned errors collect the
// field problems found while reading it.
func readBody(r *http.Request) (*object, *fieldErrors, error) {
	b, err := io.ReadAll(io.LimitReader(r.Body, maxConfigBody+1))
	if err != nil {
		return nil, nil, protocol.Errorf(http.StatusBadRequest, "reading the body: "+err.Error())
	}
	if len(b) > maxConfigBody {
		return nil, nil, protocol.Errorf(http.StatusRequestEntityTooLarge, "the body is larger than 8 MiB")
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, nil, protocol.Errorf(http.StatusBadRequest, "the body is empty; send a JSON object")
	}
	if !json.Valid(b) {
		var v any
		err := json.Unmarshal(b, &v)
		return nil, nil, protocol.Errorf(http.StatusBadRequest, "invalid JSON in the body: "+err.Error())
	}
	errs := &fieldErrors{}
	o := newObject(b, "", "", errs)
	if o == nil {
		return nil, nil, errs.err()
	}
	return o, errs, nil
}

// newObject reads raw as an object; when it is not one it records a problem
// for field (at+name) and returns nil.
func newObject(raw json.RawMessage, at, name string, errs *fieldErrors) *object {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		if name == "" {
			errs.add("", "the body must be a JSON object, not %s", jsonKind(raw))
		} else {
			errs.add(at+name, "must be an object, not %s", jsonKind(raw))
		}
		return nil
	}
	if name != "" {
		at += name + "."
	}
	return &object{at: at, raw: m, known: map[string]bool{}, errs: errs}
}

// has reports whether the field is present, null included.
func (o *object) has(name string) bool {
	_, ok := o.raw[name]
	return ok
}

// null reports whether the field is present and null.
func (o *object) null(name string) bool {
	o.known[name] = true
	raw, ok := o.raw[name]
	return ok && isNull(raw)
}

// ignore marks read-only fields (those a GET returns) as known.
func (o *object) ignore(names ...string) {
	for _, n := range names {
		o.known[n] = true
	}
}

// done records every field that was not read as unknown.
func (o *object) done() {
	var unknown []string
	for k := range o.raw {
		if !o.known[k] {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		o.errs.add(o.at+k, "unknown field")
	}
}

// field decodes a present, non-null field into T; want describes T in the
// problem recorded when it does not fit.
func field[T any](o *object, name, want string) (*T, bool) {
	o.known[name] = true
	raw, ok := o.raw[name]
	if !ok || isNull(raw) {
		return nil, false
	}
	v := new(T)
	if err := json.Unmarshal(raw, v); err != nil {
		o.errs.add(o.at+name, "must be %s, not %s", want, jsonKind(raw))
		return nil, false
	}
	return v, true
}

func (o *object) str(name string) *string {
	v, _ := field[string](o, name, "a string")
	return v
}

func (o *object) integer(name string) *int {
	v, _ := field[int](o, name, "an integer")
	return v
}

// nonNegative reads an integer that must be ≥ 0.
func (o *object) nonNegative(name string) *int {
	v := o.integer(name)
	if v != nil && *v < 0 {
		o.errs.add(o.at+name, "must not be negative (got %d)", *v)
		return nil
	}
	return v
}

// seconds reads a number ≥ 0 (a duration in seconds).
func (o *object) seconds(name string) *float64 {
	v, _ := field[float64](o, name, "a number")
	if v != nil && *v < 0 {
		o.errs.add(o.at+name, "must not be negative (got %v)", *v)
		return nil
	}
	return v
}

func (o *object) boolean(name string) *bool {
	v, _ := field[bool](o, name, "true or false")
	return v
}

func (o *object) strings(name string) *[]string {
	v, _ := field[[]string](o, name, "a list of strings")
	if v != nil && *v == nil {
		*v = []string{}
	}
	return v
}

func (o *object) stringMap(name string) *map[string]string {
	v, _ := field[map[string]string](o, name, "an object whose values are strings")
	return v
}

// oneOf reads a string field that must be one of values (compared without case;
// the canonical spelling is returned).
func (o *object) oneOf(name string, values ...string) *string {
	v := o.str(name)
	if v == nil {
		return nil
	}
	for _, want := range values {
		if strings.EqualFold(*v, want) {
			return &want
		}
	}
	want := strings.Join(values[:len(values)-1], ", ") + " or " + values[len(values)-1]
	o.errs.add(o.at+name, "unknown value %q (want %s)", *v, want)
	return nil
}

// obj reads a nested object; nil when absent, null or not an object.
func (o *object) obj(name string) *object {
	o.known[name] = true
	raw, ok := o.raw[name]
	if !ok || isNull(raw) {
		return nil
	}
	return newObject(raw, o.at, name, o.errs)
}

// list reads a list of objects; ok is false when absent, null or not a list.
// Elements that are not objects are recorded and left out.
func (o *object) list(name string) (items []*object, ok bool) {
	raws, ok := field[[]json.RawMessage](o, name, "a list")
	if !ok {
		return nil, false
	}
	items = []*object{}
	for i, raw := range *raws {
		if it := newObject(raw, o.at, name+"["+strconv.Itoa(i)+"]", o.errs); it != nil {
			items = append(items, it)
		}
	}
	return items, true
}

// params reads a free-form object (adapter params) with its numbers as int
// when whole, as YAML would read them back.
func (o *object) params(name string) (map[string]any, bool) {
	o.known[name] = true
	raw, ok := o.raw[name]
	if !ok || isNull(raw) {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		o.errs.add(o.at+name, "must be an object, not %s", jsonKind(raw))
		return nil, false
	}
	return normalizeNumbers(m).(map[string]any), true
}

func normalizeNumbers(v any) any {
	switch t := v.(type) {
	case json.Number:
		if n, err := strconv.Atoi(t.String()); err == nil {
			return n
		}
		f, _ := t.Float64()
		return f
	case map[string]any:
		for k, e := range t {
			t[k] = normalizeNumbers(e)
		}
	case []any:
		for i, e := range t {
			t[i] = normalizeNumbers(e)
		}
	}
	return v
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

// jsonKind names the JSON type of raw for messages.
func jsonKind(raw json.RawMessage) string {
	s := bytes.TrimSpace(raw)
	if len(s) == 0 {
		return "nothing"
	}
	switch s[0] {
	case '{':
		return "an object"
	case '[':
		return "a list"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	if len(s) > 24 {
		s = s[:24]
	}
	return "the number " + string(s)
}
