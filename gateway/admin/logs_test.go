package admin

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/modelswitch/modelswitch/gateway/auth"
	"github.com/modelswitch/modelswitch/gateway/config"
	"github.com/modelswitch/modelswitch/gateway/logs"
	"github.com/modelswitch/modelswitch/gateway/sse"
)

var (
	adminKey = &auth.Key{ID: "key_admin", Roles: []string{config.RoleAdmin}}
	aliceKey = &auth.Key{ID: "key_alice", Roles: []string{config.RoleUser}}
)

// logRing returns a ring (room for 3000) with five entries, seqs 1..5, and
// a logger for more.
func logRing(t *testing.T) (*logs.Ring, *slog.Logger) {
	t.Helper()
	r := logs.NewRing(3000)
	log := slog.New(r.Handler(slog.LevelDebug))
	log.Debug("d1", "request_id", "r1", "key_id", aliceKey.ID, "model", "m1")
	log.Info("i2", "request_id", "r1", "key_id", aliceKey.ID, "model", "m2")
	log.Warn("w3", "request_id", "r2", "key_id", "key_bob", "model", "m1")
	log.Error("e4", "request_id", "r2", "key_id", aliceKey.ID, "model", "m1")
	log.Info("i5", "key", adminKey)
	return r, log
}

func asKey(r *http.Request, k *auth.Key) *http.Request {
	if k == nil {
		return r
	}
	return r.WithContext(auth.WithKey(r.Context(), k))
}

func TestLogsList(t *testing.T) {
	ring, log := logRing(t)
	for range 2100 {
		log.Debug("filler", "model", "many")
	}
	api := LogsAPI{Ring: ring}
	for _, tc := range []struct {
		name, query string
		key         *auth.Key
		status      int
		want        []uint64 // seqs, newest first (status 200)
		count       int      // instead of want, for the limit cases
		badParam    string   // the field named by a 400
	}{
		{name: "filters", query: "?model=m1&level=warn", key: adminKey, status: 200, want: []uint64{4, 3}},
		{name: "level is case-insensitive, seed names too", query: "?level=WARNING&model=m1", key: adminKey, status: 200, want: []uint64{4, 3}},
		{name: "request id and key", query: "?request_id=r2&key=key_alice", key: adminKey, status: 200, want: []uint64{4}},
		{name: "key of an auth.Key attribute", query: "?key=key_admin", key: adminKey, status: 200, want: []uint64{5}},
		{name: "since", query: "?since=3&limit=5&model=m1", key: adminKey, status: 200, want: []uint64{4}},
		{name: "default limit", query: "", key: adminKey, status: 200, count: DefaultLogsLimit},
		{name: "limit over the maximum is cut", query: "?limit=99999", key: adminKey, status: 200, count: MaxLogsLimit},
		{name: "seed's tail", query: "?tail=3", key: adminKey, status: 200, count: 3},
		{name: "non-admin sees only its own", query: "?model=m1", key: aliceKey, status: 200, want: []uint64{4, 1}},
		{name: "non-admin asking for another key", query: "?key=key_bob", key: aliceKey, status: 200, want: []uint64{}},
		{name: "no key at all", query: "", key: nil, status: 200, want: []uint64{}},
		{name: "non-numeric limit", query: "?limit=ten", key: adminKey, status: 400, badParam: "limit"},
		{name: "zero limit", query: "?limit=0", key: adminKey, status: 400, badParam: "limit"},
		{name: "bad tail", query: "?tail=-1", key: adminKey, status: 400, badParam: "tail"},
		{name: "bad since", query: "?since=yesterday", key: adminKey, status: 400, badParam: "since"},
		{name: "bad level", query: "?level=loud", key: adminKey, status: 400, badParam: "level"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			HandlerFunc(api.List).ServeHTTP(rec, asKey(httptest.NewRequest("GET", "/api/logs"+tc.query, nil), tc.key))
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, rec.Body)
			}
			if tc.status != 200 {
				var body struct {
					Error struct {
						Fields []struct{ Field string } `json:"fields"`
					} `json:"error"`
				}
				if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || len(body.Error.Fields) != 1 || body.Error.Fields[0].Field != tc.badParam {
					t.Errorf("400 body %s does not name %q", rec.Body, tc.badParam)
				}
				return
			}
			var page struct {
				Entries []logs.Entry `json:"entries"`
				Total   *int         `json:"total"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &page); err != nil || page.Entries == nil || page.Total == nil || *page.Total != len(page.Entries) {
				t.Fatalf("body %.300s: %v", rec.Body, err)
			}
			if tc.want == nil {
				if len(page.Entries) != tc.count || page.Entries[0].Seq != 2105 {
					t.Errorf("%d entries from %d, want %d from the newest", len(page.Entries), page.Entries[0].Seq, tc.count)
				}
				return
			}
			got := make([]uint64, len(page.Entries))
			for i, e := range page.Entries {
				got[i] = e.Seq
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("seqs (-want +got):\n%s", diff)
			}
		})
	}
}

// streamServer serves api.Stream as key k and reports each return of the handler.
func streamServer(t *testing.T, api LogsAPI, k *auth.Key) (srv *httptest.Server, returned chan struct{}) {
	returned = make(chan struct{}, 1)
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() { returned <- struct{}{} }()
		HandlerFunc(api.Stream).ServeHTTP(w, asKey(r, k))
	}))
	return srv, returned
}

// openStream starts a stream; when it returns, the handler has subscribed.
func openStream(t *testing.T, srv *httptest.Server, query string, header http.Header) (*sse.Reader, context.CancelFunc) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/api/logs/stream"+query, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return sse.NewReader(resp.Body, 1<<20), func() { cancel(); resp.Body.Close() }
}

// nextLog reads the next "log" event (skipping comments) and returns its
// id and message.
func nextLog(t *testing.T, rd *sse.Reader) (id, msg string) {
	t.Helper()
	for {
		ev, err := rd.Next()
		if err != nil {
			t.Fatalf("reading the stream: %v", err)
		}
		if ev.Comment {
			continue
		}
		var e logs.Entry
		if ev.Name != "log" || json.Unmarshal(ev.Data, &e) != nil || strconv.FormatUint(e.Seq, 10) != ev.ID {
			t.Fatalf("unexpected event %q", ev.Raw)
		}
		return ev.ID, e.Message
	}
}

func waitReturn(t *testing.T, returned chan struct{}) {
	t.Helper()
	select {
	case <-returned:
	case <-time.After(10 * time.Second): // a hang guard, not a timing assertion
		t.Fatal("the stream handler did not return")
	}
}

func TestLogsStream(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	for _, tc := range []struct {
		name   string
		key    *auth.Key
		query  string
		header http.Header
		want   []string // "id message" of the first events, live ones logged as l6..l9
	}{
		{name: "live with a filter", key: adminKey, query: "?model=m1", want: []string{"6 l6", "8 l8"}},
		{name: "backlog after since, then live", key: adminKey, query: "?since=3", want: []string{"4 e4", "5 i5", "6 l6"}},
		{name: "Last-Event-ID resumes", key: adminKey, header: http.Header{"Last-Event-Id": {"4"}}, want: []string{"5 i5", "6 l6"}},
		{name: "non-admin sees only its own", key: aliceKey, query: "?since=1", want: []string{"2 i2", "4 e4", "7 l7"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ring, log := logRing(t)
			srv, returned := streamServer(t, LogsAPI{Ring: ring}, tc.key)
			defer srv.Close()
			rd, stop := openStream(t, srv, tc.query, tc.header)
			log.Info("l6", "model", "m1")
			log.Info("l7", "model", "m2", "key_id", aliceKey.ID)
			log.Info("l8", "model", "m1")
			var got []string
			for range tc.want {
				id, msg := nextLog(t, rd)
				got = append(got, id+" "+msg)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
			stop() // the client leaves: the handler must return
			waitReturn(t, returned)
		})
	}
}

func TestLogsStreamKeepAliveAndStop(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	ring, _ := logRing(t)
	stopAll := make(chan struct{})
	srv, returned := streamServer(t, LogsAPI{Ring: ring, KeepAlive: time.Millisecond, Stop: stopAll}, adminKey)
	defer srv.Close()
	rd, stop := openStream(t, srv, "", nil)
	defer stop()
	ev, err := rd.Next()
	if err != nil || !ev.Comment || string(ev.Raw) != ": keep-alive\n\n" {
		t.Fatalf("first event %q, %v; want a keep-alive comment", ev.Raw, err)
	}
	close(stopAll)
	waitReturn(t, returned)
	for {
		if _, err := rd.Next(); err != nil { // the response ends
			break
		}
	}
}

func TestLogsStreamBadParam(t *testing.T) {
	ring, _ := logRing(t)
	rec := httptest.NewRecorder()
	HandlerFunc(LogsAPI{Ring: ring}.Stream).ServeHTTP(rec, asKey(httptest.NewRequest("GET", "/api/logs/stream?level=x", nil), adminKey))
	if rec.Code != 400 || !strings.Contains(rec.Body.String(), `"field":"level"`) {
		t.Errorf("status %d, body %s", rec.Code, rec.Body)
	}
}
