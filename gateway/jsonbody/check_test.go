package jsonbody

import (
	"testing"
)

func TestCheckAgreesWithScan(t *testing.T) {
	for _, body := range []string{`{}`, `{"a":[1,2,{"b":null}]}`, `{"a":1,"a":2}`, `{"a":[1,]}`, `[1]`, ``, `{"a":"\x01"}`,
		string(body1K), string(body76K)} {
		_, serr := Scan([]byte(body))
		cerr := Check([]byte(body))
		if (serr == nil) != (cerr == nil) || serr != nil && serr.Error() != cerr.Error() {
			t.Errorf("%.40q: Check %v, Scan %v", body, cerr, serr)
		}
	}
	if n := testing.AllocsPerRun(100, func() { _ = Check(body1K) }); n != 0 {
		t.Errorf("Check allocates %.0f times per call", n)
	}
}
