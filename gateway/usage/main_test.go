package usage

import (
	"os"
	"testing"
)

func TestMain(m *testing.M) {
	if path := os.Getenv(crashChildEnv); path != "" {
		crashChild(path) // records until the parent kills it
		os.Exit(3)
	}
	code := m.Run()
	closeBenchDB()
	os.Exit(code)
}
