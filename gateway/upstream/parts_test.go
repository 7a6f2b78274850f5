package upstream

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/modelswitch/modelswitch/gateway/config"
)

func TestDoSendsPartsAsOneSizedBody(t *testing.T) {
	type seen struct {
		body     string
		length   int64
		chunked  bool
		ctHeader string
	}
	got := make(chan seen, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- seen{string(b), r.ContentLength, len(r.TransferEncoding) > 0, r.Header.Get("Content-Type")}
		w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	c := New(&config.Provider{Name: "p", Provider: "openai", BaseURL: srv.URL}, nil)
	big := strings.Repeat("x", 100<<10) // larger than the transport's write buffer
	parts := [][]byte{[]byte(`{"model":`), []byte(`"up"`), []byte(`,"pad":"` + big + `"}`)}
	resp, err := c.Do(context.Background(), Request{Endpoint: ChatCompletions, Parts: parts})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	s := <-got
	want := `{"model":"up","pad":"` + big + `"}`
	if s.body != want || s.length != int64(len(want)) || s.chunked || s.ctHeader != "application/json" {
		t.Errorf("upstream saw %d bytes (equal: %v), Content-Length %d, chunked %v, Content-Type %q",
			len(s.body), s.body == want, s.length, s.chunked, s.ctHeader)
	}
	if string(parts[1]) != `"up"` || len(parts) != 3 {
		t.Error("Do consumed the caller's parts")
	}
}
