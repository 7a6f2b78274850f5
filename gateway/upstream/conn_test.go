package upstream

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelswitch/modelswitch/gateway/config"
)

// TestCopyConnSendsBodiesWithoutANewBuffer: what net/http does with a body
// past its write buffer (io.Copy of a LimitedReader into the connection)
// arrives whole and allocates no copy buffer per body; a bare *net.TCPConn
// allocates 32 KB each time.
func TestCopyConnSendsBodiesWithoutANewBuffer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	received := make(chan int64, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			received <- -1
			return
		}
		n, _ := io.Copy(io.Discard, c)
		received <- n
	}()
	raw, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	body := bytes.Repeat([]byte("x"), 76<<10)
	var src bytes.Reader
	var lr io.LimitedReader
	send := func(w io.Writer) {
		src.Reset(body)
		lr = io.LimitedReader{R: &src, N: int64(len(body))}
		if _, err := io.Copy(w, &lr); err != nil {
			t.Fatal(err)
		}
	}
	perBody := func(w io.Writer) uint64 {
		send(w) // warm the pool
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		const n = 20
		for range n {
			send(w)
		}
		runtime.ReadMemStats(&after)
		return (after.TotalAlloc - before.TotalAlloc) / n
	}
	bare, wrapped := perBody(raw), perBody(copyConn{raw})
	raw.Close()
	if got, want := <-received, int64(42*len(body)); got != want {
		t.Errorf("received %d bytes, want %d", got, want)
	}
	// Under -race sync.Pool drops a share of its Puts on purpose, so the bound
	// is a fraction of the bare figure rather than zero.
	if wrapped*2 > bare || bare < 32<<10 {
		t.Errorf("bytes allocated per 76 KB body: copyConn %d (want under half the bare conn's), *net.TCPConn %d (the 32 KB this avoids)", wrapped, bare)
	}
}

// TestTransportDialsCopyConns: the provider transport's connections are copyConns.
func TestTransportDialsCopyConns(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	tr := NewTransport(&config.Provider{Name: "p", BaseURL: "http://" + ln.Addr().String()})
	c, err := tr.DialContext(context.Background(), "tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, ok := c.(copyConn); !ok {
		t.Errorf("the transport dials %T, want copyConn", c)
	}
}

// countingHolder counts what a request body's holder is told.
type countingHolder struct{ holds, releases atomic.Int32 }

func (h *countingHolder) Hold()    { h.holds.Add(1) }
func (h *countingHolder) Release() { h.releases.Add(1) }

// TestBodyHeldUntilTheTransportIsDone: an upstream that answers 500 without
// reading a 4 MB body makes RoundTrip return while the transport is still
// writing it; the body stays held until the transport closes it, and every
// hold is released exactly once.
func TestBodyHeldUntilTheTransportIsDone(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"error":{"message":"no"}}`, http.StatusInternalServerError)
	}))
	defer srv.Close()
	c := New(&config.Provider{Name: "p", BaseURL: srv.URL + "/v1"}, nil)
	big := bytes.Repeat([]byte("x"), 4<<20)
	heldAtReturn := 0
	const n = 10
	for range n {
		var h countingHolder
		_, err := c.Do(context.Background(), Request{Endpoint: ChatCompletions, Parts: [][]byte{[]byte(`{"a":"`), big, []byte(`"}`)}, Holder: &h})
		var ue *Error
		if !errors.As(err, &ue) || ue.Status != 500 {
			t.Fatalf("Do = %v, want the 500", err)
		}
		if h.holds.Load() > h.releases.Load() {
			heldAtReturn++
		}
		deadline := time.Now().Add(5 * time.Second)
		for h.releases.Load() != h.holds.Load() || h.holds.Load() == 0 {
			if time.Now().After(deadline) {
				t.Fatalf("holds %d, releases %d: the transport never let the body go", h.holds.Load(), h.releases.Load())
			}
			time.Sleep(time.Millisecond)
		}
	}
	t.Logf("body still held when Do returned: %d of %d", heldAtReturn, n)
}
