package logs

import (
	"testing"

	"go.uber.org/goleak"
)

// lumberjack v2.2.1 starts a cleanup goroutine per Logger that Close does
// not stop (see doc.go); everything else must be gone when tests end.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreAnyFunction("gopkg.in/natefinch/lumberjack%2ev2.(*Logger).millRun"))
}
