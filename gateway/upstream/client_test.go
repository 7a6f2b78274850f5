package upstream

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/modelswitch/modelswitch/gateway/config"
)

func TestAPIRoot(t *testing.T) {
	for _, tc := range []struct{ protocol, base, want string }{
		{"openai", "https://dashscope.aliyuncs.com/compatible-mode/v1", "https://dashscope.aliyuncs.com/compatible-mode/v1/chat/completions"},
		{"openai", "https://open.bigmodel.cn/api/paas/v4/", "https://open.bigmodel.cn/api/paas/v4/chat/completions"},
		{"anthropic", "https://api.anthropic.com", "https://api.anthropic.com/v1/messages"},
		{"anthropic", "https://open.bigmodel.cn/api/anthropic", "https://open.bigmodel.cn/api/anthropic/v1/messages"},
		{"anthropic", "http://localhost:9000/v1/", "http://localhost:9000/v1/messages"},
	} {
		ep := ChatCompletions
		if tc.protocol == "anthropic" {
			ep = Messages
		}
		if got := apiRoot(tc.protocol, tc.base) + ep; got != tc.want {
			t.Errorf("%s %s: %s, want %s", tc.protocol, tc.base, got, tc.want)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{{"", 0}, {"7", 7}, {" 3 ", 3}, {"-1", 0}, {"soon", 0},
		{time.Now().Add(90 * time.Second).UTC().Format(http.TimeFormat), 90}} {
		got := parseRetryAfter(tc.in)
		if tc.want >= 60 && (got < tc.want-2 || got > tc.want+1) || tc.want < 60 && got != tc.want {
			t.Errorf("parseRetryAfter(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

func TestDoClassifies(t *testing.T) {
	for _, tc := range []struct {
		status    int
		retryable bool
	}{{400, false}, {401, true}, {404, true}, {413, false}, {422, false}, {409, false}, {408, true}, {429, true}, {500, true}, {503, true}, {529, true}} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(tc.status)
			w.Write([]byte(`{"error":{"message":"nope"}}`))
		}))
		c := New(&config.Provider{Name: "p", Provider: "openai", BaseURL: srv.URL}, nil)
		_, err := c.Do(context.Background(), Request{Endpoint: ChatCompletions, Body: []byte(`{}`)})
		var ue *Error
		if !errors.As(err, &ue) || ue.Status != tc.status || ue.Retryable != tc.retryable || ue.Error() != "p: HTTP "+strconv.Itoa(tc.status)+": nope" {
			t.Errorf("status %d: %#v (%v)", tc.status, ue, err)
		}
		srv.Close()
	}
}

func TestDoAuthHeaders(t *testing.T) {
	var got http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = r.Header.Clone() }))
	defer srv.Close()
	ctx := context.Background()
	New(&config.Provider{Name: "o", Provider: "openai", BaseURL: srv.URL, APIKey: "k1", CustomHeaders: map[string]string{"X-A": "b"}}, nil).
		Do(ctx, Request{Endpoint: ChatCompletions, Body: []byte(`{}`)})
	if got.Get("Authorization") != "Bearer k1" || got.Get("X-A") != "b" || got.Get("Accept-Encoding") != "" {
		t.Errorf("openai headers: %v", got)
	}
	New(&config.Provider{Name: "a", Provider: "anthropic", BaseURL: srv.URL, APIKey: "k2"}, nil).
		Do(ctx, Request{Endpoint: Messages, Body: []byte(`{}`)})
	if got.Get("X-Api-Key") != "k2" || got.Get("Anthropic-Version") != "2023-06-01" || got.Get("Authorization") != "" {
		t.Errorf("anthropic headers: %v", got)
	}
	New(&config.Provider{Name: "v", Provider: "openai", BaseURL: srv.URL}, nil).
		Do(ctx, Request{Endpoint: ChatCompletions, Body: []byte(`{}`)})
	if got.Get("Authorization") != "" {
		t.Errorf("empty key sent: %v", got)
	}
}

func TestDoConnectErrorIsRetryable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	_, err := New(&config.Provider{Name: "dead", Provider: "openai", BaseURL: url}, nil).
		Do(context.Background(), Request{Endpoint: ChatCompletions, Body: []byte(`{}`)})
	var ue *Error
	if !errors.As(err, &ue) || !ue.Retryable || ue.Status != 0 {
		t.Errorf("connect error: %#v", err)
	}
}

func TestClassification(t *testing.T) {
	for _, tc := range []struct {
		err       *Error
		retryable bool
		neutral   bool
		cool      time.Duration
	}{
		{&Error{Status: 500, Retryable: retryableStatus(500)}, true, false, 0},
		{&Error{Status: 400, Retryable: retryableStatus(400)}, false, false, 0},
		{&Error{Status: 401, Retryable: retryableStatus(401)}, true, false, 0},
		{&Error{Status: 429, Retryable: retryableStatus(429), RetryAfter: 7}, true, true, 7 * time.Second},
		{&Error{Status: 429, Retryable: retryableStatus(429)}, true, true, 0},
		{&Error{Retryable: true, Err: context.Canceled}, true, true, 0},
		{&Error{Retryable: true, Err: errors.New("connection refused")}, true, false, 0},
	} {
		if tc.err.IsRetryable() != tc.retryable || tc.err.Neutral() != tc.neutral || tc.err.CoolFor() != tc.cool {
			t.Errorf("%v: retryable %v neutral %v cool %v", tc.err, tc.err.IsRetryable(), tc.err.Neutral(), tc.err.CoolFor())
		}
	}
}
