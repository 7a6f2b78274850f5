package router

import (
	"context"
	"errors"
	"testing"
)

type fakeErr struct{ retry bool }

func (e fakeErr) Error() string     { return "fake" }
func (e fakeErr) IsRetryable() bool { return e.retry }

func TestTry(t *testing.T) {
	targets := []Target{{0, "a", "m1"}, {1, "b", "m2"}, {2, "c", "m3"}}
	tests := []struct {
		name      string
		results   map[string]error
		wantTried []string
		wantErr   string // "" = success; "exhausted"; "fake"
	}{
		{"first wins", map[string]error{}, []string{"a"}, ""},
		{"fall over on retryable", map[string]error{"a": fakeErr{true}}, []string{"a", "b"}, ""},
		{"stop on client error", map[string]error{"a": fakeErr{false}}, []string{"a"}, "fake"},
		{"skip disabled", map[string]error{"a": &Skip{"disabled"}, "b": fakeErr{true}}, []string{"a", "b", "c"}, ""},
		{"all fail", map[string]error{"a": fakeErr{true}, "b": fakeErr{true}, "c": fakeErr{true}}, []string{"a", "b", "c"}, "exhausted"},
		{"plain error is final", map[string]error{"a": errors.New("boom")}, []string{"a"}, "boom"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var tried []string
			attempts, err := Try(context.Background(), targets, func(t Target) error {
				tried = append(tried, t.Provider)
				return tc.results[t.Provider]
			})
			if len(tried) != len(tc.wantTried) || len(attempts) != len(tried) {
				t.Fatalf("tried %v (attempts %d), want %v", tried, len(attempts), tc.wantTried)
			}
			for i := range tried {
				if tried[i] != tc.wantTried[i] {
					t.Fatalf("tried %v, want %v", tried, tc.wantTried)
				}
			}
			var ex *ExhaustedError
			switch tc.wantErr {
			case "":
				if err != nil {
					t.Fatalf("err = %v", err)
				}
			case "exhausted":
				if !errors.As(err, &ex) || len(ex.Attempts) != 3 {
					t.Fatalf("err = %v, want exhausted with 3 attempts", err)
				}
			default:
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
			}
		})
	}
}

func TestTryStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	_, err := Try(ctx, []Target{{0, "a", "m"}, {1, "b", "m"}}, func(Target) error {
		n++
		cancel()
		return fakeErr{true}
	})
	if n != 1 || !errors.Is(err, context.Canceled) {
		t.Fatalf("tried %d, err %v; want 1 try and context.Canceled", n, err)
	}
}
