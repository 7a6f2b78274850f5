package jsonbody

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unsafe"
)

func TestPatch(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		edits []Edit
		want  string // exact output
	}{
		{name: "replace first", in: `{"model":"a","x":1}`, edits: []Edit{{"model", Quote("b")}}, want: `{"model":"b","x":1}`},
		{name: "replace escaped key", in: `{"\u006dodel" : "a" }`, edits: []Edit{{"model", Quote("b")}}, want: `{"\u006dodel" : "b" }`},
		{name: "replace longer nested", in: `{"a":{"b":[1,2]},"c":2}`, edits: []Edit{{"a", []byte("null")}}, want: `{"a":null,"c":2}`},
		{name: "insert into empty", in: `{}`, edits: []Edit{{"model", Quote("m")}}, want: `{"model":"m"}`},
		{name: "insert into empty with space", in: " { \n } ", edits: []Edit{{"model", Quote("m")}}, want: ` {"model":"m" ` + "\n } "},
		{name: "insert before members", in: "{\n  \"a\": 1\n}", edits: []Edit{{"stream", []byte("true")}}, want: "{\"stream\":true,\n  \"a\": 1\n}"},
		{name: "insert quotes key", in: `{"a":1}`, edits: []Edit{{`k"<>`, []byte("1")}}, want: `{"k\"<>":1,"a":1}`},
		{name: "delete first", in: `{"a":1,"b":2,"c":3}`, edits: []Edit{{Key: "a"}}, want: `{"b":2,"c":3}`},
		{name: "delete middle", in: `{"a":1, "b":2, "c":3}`, edits: []Edit{{Key: "b"}}, want: `{"a":1, "c":3}`},
		{name: "delete last", in: `{"a":1,"b":2,"c":3}`, edits: []Edit{{Key: "c"}}, want: `{"a":1,"b":2}`},
		{name: "delete only", in: "{ \"a\":1 }\n", edits: []Edit{{Key: "a"}}, want: "{ }\n"},
		{name: "delete all", in: `{"a":1,"b":2}`, edits: []Edit{{Key: "a"}, {Key: "b"}}, want: `{}`},
		{name: "delete first two pretty", in: "{\n \"a\": 1,\n \"b\": 2,\n \"c\": 3\n}", edits: []Edit{{Key: "a"}, {Key: "b"}}, want: "{\n \"c\": 3\n}"},
		{name: "delete absent", in: `{"a":1}`, edits: []Edit{{Key: "zz"}}, want: `{"a":1}`},
		{name: "delete and insert", in: `{"a":1}`, edits: []Edit{{Key: "a"}, {"b", []byte("2")}}, want: `{"b":2}`},
		{name: "several", in: `{"model":"x","stream":false,"n":1,"tools":[]}`,
			edits: []Edit{{"model", Quote("y")}, {Key: "tools"}, {"stream_options", []byte(`{"include_usage":true}`)}, {"stream", []byte("true")}},
			want:  `{"stream_options":{"include_usage":true},"model":"y","stream":true,"n":1}`},
		{name: "last edit wins", in: `{"a":1}`, edits: []Edit{{"a", []byte("2")}, {Key: "a"}, {"a", []byte("3")}}, want: `{"a":3}`},
		{name: "last edit deletes", in: `{"a":1,"b":2}`, edits: []Edit{{"a", []byte("2")}, {Key: "a"}}, want: `{"b":2}`},
		{name: "no edits", in: `{"a":1}`, want: `{"a":1}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := []byte(tt.in)
			o := mustScan(t, tt.in)
			got := Patch(body, o, tt.edits...)
			if string(got) != tt.want {
				t.Fatalf("Patch = %q\n         want %q", got, tt.want)
			}
			if len(got) != cap(got) || string(body) != tt.in {
				t.Fatalf("len %d cap %d; body modified: %v", len(got), cap(got), string(body) != tt.in)
			}
			if len(got) > 0 && len(body) > 0 && &got[0] == &body[0] {
				t.Fatal("result aliases body")
			}
			checkPatched(t, tt.in, got, tt.edits)
		})
	}
}

// checkPatched decodes in and out with encoding/json and checks that out is
// in with the edits applied, and that out scans.
func checkPatched(t testing.TB, in string, out []byte, edits []Edit) {
	t.Helper()
	if _, err := Scan(out); err != nil {
		t.Fatalf("patched body does not scan: %v\n%s", err, out)
	}
	var want, got map[string]any
	if err := json.Unmarshal([]byte(in), &want); err != nil {
		t.Fatal(err)
	}
	for _, e := range edits {
		if len(e.Value) == 0 {
			delete(want, e.Key)
			continue
		}
		var v any
		if err := json.Unmarshal(e.Value, &v); err != nil {
			t.Fatal(err)
		}
		want[e.Key] = v
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("patched body: %v\n%s", err, out)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("patched body decodes to %v, want %v", got, want)
	}
}

func TestSetDelete(t *testing.T) {
	in := `{"model":"claude-x","messages":[{"role":"user","content":"{\"model\":\"evil\"}"}],"stream":true}`
	o := mustScan(t, in)
	got := Set([]byte(in), o, "model", Quote("gpt-5"))
	if want := `{"model":"gpt-5","messages":[{"role":"user","content":"{\"model\":\"evil\"}"}],"stream":true}`; string(got) != want {
		t.Errorf("Set = %s", got)
	}
	got = Delete([]byte(in), o, "stream")
	if want := `{"model":"claude-x","messages":[{"role":"user","content":"{\"model\":\"evil\"}"}]}`; string(got) != want {
		t.Errorf("Delete = %s", got)
	}
}

func TestPatchManyEdits(t *testing.T) {
	in := `{"a":1,"b":2}`
	var edits []Edit
	for _, k := range []string{"c", "d", "e", "f", "g", "h", "i", "j", "k", "l"} {
		edits = append(edits, Edit{k, []byte(`"` + k + `"`)})
	}
	edits = append(edits, Edit{Key: "a"})
	got := Patch([]byte(in), mustScan(t, in), edits...)
	checkPatched(t, in, got, edits)
}

func TestPatchWrongObject(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("Patch with a foreign Object did not panic")
		}
	}()
	o := mustScan(t, `{"a":1,"b":2}`)
	Patch([]byte(`{}`), o, Edit{Key: "a"})
}

func TestAppendPatch(t *testing.T) {
	in := `{"model":"a","stream":false}`
	o := mustScan(t, in)
	edits := []Edit{{"model", Quote("b")}, {Key: "stream"}}
	want := `{"model":"b"}`
	for _, dst := range [][]byte{nil, {}, []byte("xy"), make([]byte, 2, 64)} {
		prefix := string(dst)
		got := AppendPatch(dst, []byte(in), o, edits...)
		if string(got) != prefix+want {
			t.Errorf("AppendPatch(%q) = %q", prefix, got)
		}
		if cap(dst) >= len(prefix)+len(want) && &got[0] != &dst[:1][0] {
			t.Errorf("AppendPatch(%q) reallocated although dst had room", prefix)
		}
		if cap(dst) < len(prefix)+len(want) && cap(got) != len(got) {
			t.Errorf("AppendPatch(%q) grew to cap %d, want exactly %d", prefix, cap(got), len(got))
		}
	}
}

func TestObjectScanReuse(t *testing.T) {
	var o Object
	if err := o.Scan([]byte(`{"\u0061":1,"b":2}`)); err != nil {
		t.Fatal(err)
	}
	if err := o.Scan([]byte(`{"a":1,"a":2}`)); err == nil || len(o.Members()) != 0 {
		t.Fatalf("duplicate: %v, %d members", err, len(o.Members()))
	}
	body := []byte(`{"c":3,"a":1}`)
	if err := o.Scan(body); err != nil {
		t.Fatal(err)
	}
	if v, ok := o.Get("a"); !ok || string(v.Raw(body)) != "1" || len(o.Members()) != 2 {
		t.Fatalf("Get(a) = %v %v after reuse", v, ok)
	}
	if _, ok := o.Get("b"); ok {
		t.Fatal("stale member after reuse")
	}
}

func TestPatchPartsAliasTheBody(t *testing.T) {
	body := []byte(`{"model":"a","messages":[{"role":"user","content":"` + strings.Repeat("x", 1000) + `"}],"stream":true}`)
	o, err := Scan(body)
	if err != nil {
		t.Fatal(err)
	}
	edits := []Edit{{Key: "model", Value: Quote("upstream-model")}, {Key: "stream_options", Value: []byte(`{"include_usage":true}`)}}
	parts, n := PatchParts(nil, body, o, edits...)
	want := Patch(body, o, edits...)
	if got := bytes.Join(parts, nil); !bytes.Equal(got, want) || n != len(want) {
		t.Fatalf("joined parts %q (n %d), want %q", got, n, want)
	}
	copied := 0 // bytes in pieces that do not point into body
	lo := uintptr(unsafe.Pointer(&body[0]))
	for _, p := range parts {
		if at := uintptr(unsafe.Pointer(&p[0])); at < lo || at >= lo+uintptr(len(body)) {
			copied += len(p)
		}
	}
	if copied > 64 {
		t.Errorf("%d bytes of the pieces are copies; only the edits should be", copied)
	}
}
