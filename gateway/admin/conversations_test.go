package admin

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/gorilla/mux"
	"go.uber.org/goleak"

	"github.com/modelswitch/modelswitch/gateway/auth"
	"github.com/modelswitch/modelswitch/gateway/config"
	"github.com/modelswitch/modelswitch/gateway/conversations"
	"github.com/modelswitch/modelswitch/gateway/store"
)

var (
	convAdmin = &auth.Key{ID: "key_root", Name: "root", Roles: []string{config.RoleAdmin}}
	convAnna  = &auth.Key{ID: "key_anna", Name: "anna", Roles: []string{config.RoleUser}}
	convBen   = &auth.Key{ID: "key_ben", Name: "ben", Roles: []string{config.RoleUser}}
)

// convDay0 is the time of record 0; record i is i days later. 20:00 UTC is
// the next day in Asia/Shanghai.
var convDay0 = time.Date(2026, 4, 27, 20, 0, 0, 0, time.UTC)

// convLog opens a conversation log with six records: even ones anna's,
// odd ones ben's; models glm-5, claude-sonnet, gpt-5 in turn; record 4 failed.
func convLog(t *testing.T) *conversations.Writer {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	w, err := conversations.NewWriter(conversations.Options{Dir: t.TempDir(), DB: db})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = w.Close(); _ = db.Close() })
	for i := range 6 {
		k := []*auth.Key{convAnna, convBen}[i%2]
		r := conversations.Record{ID: fmt.Sprintf("req_%d", i), Time: convDay0.AddDate(0, 0, i), KeyID: k.ID, KeyName: k.Name,
			Model: []string{"glm-5", "claude-sonnet", "gpt-5"}[i%3], Provider: "p", Status: 200,
			Request: json.RawMessage(`{"messages":[]}`), Output: conversations.Output{Text: "hi"}}
		if i == 4 {
			r.Status, r.Error = 502, "upstream failed"
		}
		w.Write(r)
	}
	w.Sync()
	return w
}

// convNoLeaks checks, after the test's cleanups (which close the log), that
// it left no goroutine behind.
func convNoLeaks(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, ignore) })
}

// convDo serves one request as key k (nil: no key).
func convDo(api *ConversationsAPI, method, target string, k *auth.Key) *httptest.ResponseRecorder {
	r := mux.NewRouter()
	api.Register(r)
	req := httptest.NewRequest(method, target, nil)
	if k != nil {
		req = req.WithContext(auth.WithKey(req.Context(), k))
	}
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, req)
	return rec
}

type convPage struct {
	Items []struct {
		ID string `json:"id"`
	} `json:"items"`
	Total    int `json:"total"`
	Page     int `json:"page"`
	PageSize int `json:"page_size"`
}

type convError struct {
	Error struct {
		Message string `json:"message"`
		Fields  []struct {
			Field string `json:"field"`
		} `json:"fields"`
	} `json:"error"`
}

func TestConversationsList(t *testing.T) {
	convNoLeaks(t)
	api := &ConversationsAPI{Store: convLog(t), Location: time.UTC}
	tests := []struct {
		name   string
		query  string
		key    *auth.Key
		status int
		ids    []string // newest first
		total  int
		page   [2]int // page, page_size
		field  string // the parameter a 400 names
	}{
		{"admin sees all", "", convAdmin, 200, []string{"req_5", "req_4", "req_3", "req_2", "req_1", "req_0"}, 6, [2]int{1, 50}, ""},
		{"admin filters by key", "?key=key_anna", convAdmin, 200, []string{"req_4", "req_2", "req_0"}, 3, [2]int{1, 50}, ""},
		{"a user sees only its own", "", convBen, 200, []string{"req_5", "req_3", "req_1"}, 3, [2]int{1, 50}, ""},
		{"a user asking for another key sees nothing", "?key=key_anna", convBen, 200, []string{}, 0, [2]int{1, 50}, ""},
		{"a user's filters apply to its own", "?model=glm-5", convAnna, 200, []string{"req_0"}, 1, [2]int{1, 50}, ""},
		{"status error", "?status=error", convAdmin, 200, []string{"req_4"}, 1, [2]int{1, 50}, ""},
		{"q matches the model", "?q=SONNET", convAdmin, 200, []string{"req_4", "req_1"}, 2, [2]int{1, 50}, ""},
		{"q matches the key name", "?q=ann", convAdmin, 200, []string{"req_4", "req_2", "req_0"}, 3, [2]int{1, 50}, ""},
		{"dates in Location (UTC)", "?date_from=2026-04-28&date_to=2026-04-29", convAdmin, 200, []string{"req_2", "req_1"}, 2, [2]int{1, 50}, ""},
		{"dates in tz", "?date_from=2026-04-28&date_to=2026-04-29&tz=Asia/Shanghai", convAdmin, 200, []string{"req_1", "req_0"}, 2, [2]int{1, 50}, ""},
		{"pagination", "?page=2&page_size=4", convAdmin, 200, []string{"req_1", "req_0"}, 6, [2]int{2, 4}, ""},
		{"page not a number", "?page=abc", convAdmin, 400, nil, 0, [2]int{}, "page"},
		{"page zero", "?page=0", convAdmin, 400, nil, 0, [2]int{}, "page"},
		{"page_size over 200", "?page_size=201", convAdmin, 400, nil, 0, [2]int{}, "page_size"},
		{"bad status", "?status=fine", convAdmin, 400, nil, 0, [2]int{}, "status"},
		{"bad date", "?date_from=2026-13-01", convAdmin, 400, nil, 0, [2]int{}, "date_from"},
		{"dates reversed", "?date_from=2026-04-29&date_to=2026-04-28", convAdmin, 400, nil, 0, [2]int{}, "date_to"},
		{"bad tz", "?tz=Mars/Olympus", convAdmin, 400, nil, 0, [2]int{}, "tz"},
		{"no key", "", nil, 401, nil, 0, [2]int{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := convDo(api, http.MethodGet, "/api/conversations"+tt.query, tt.key)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			if tt.status != http.StatusOK {
				var e convError
				if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error.Message == "" {
					t.Fatalf("error body %s (%v)", rec.Body, err)
				}
				if tt.field != "" && (len(e.Error.Fields) != 1 || e.Error.Fields[0].Field != tt.field) {
					t.Errorf("error %s does not name %s", rec.Body, tt.field)
				}
				return
			}
			var p convPage
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
				t.Fatal(err)
			}
			got := []string{}
			for _, it := range p.Items {
				got = append(got, it.ID)
			}
			if diff := cmp.Diff(tt.ids, got); diff != "" || p.Total != tt.total || [2]int{p.Page, p.PageSize} != tt.page {
				t.Errorf("ids (-want +got):\n%s total %d page %d/%d; want %d %v", diff, p.Total, p.Page, p.PageSize, tt.total, tt.page)
			}
		})
	}
}

func TestConversationsGetRebuildStats(t *testing.T) {
	convNoLeaks(t)
	log := convLog(t)
	api := &ConversationsAPI{Store: log}
	tests := []struct {
		name, method, path string
		key                *auth.Key
		status             int
		body               string // a substring of the response
	}{
		{"admin reads any record", "GET", "/api/conversations/req_1", convAdmin, 200, `"id":"req_1"`},
		{"the record is complete", "GET", "/api/conversations/req_1", convAdmin, 200, `"request":{"messages":[]}`},
		{"a user reads its own", "GET", "/api/conversations/req_1", convBen, 200, `"key_id":"key_ben"`},
		{"another key's record is 404", "GET", "/api/conversations/req_0", convBen, 404, `not found`},
		{"unknown record", "GET", "/api/conversations/req_99", convAdmin, 404, `"conversation \"req_99\" not found"`},
		{"stats", "GET", "/api/conversations/index/stats", convAdmin, 200, `"records":6`},
		{"a user may not read the index's stats", "GET", "/api/conversations/index/stats", convAnna, 403, `admin`},
		{"a user may not rebuild", "POST", "/api/conversations/rebuild", convAnna, 403, `admin`},
		{"admin rebuilds", "POST", "/api/conversations/rebuild", convAdmin, 202, `{"status":"started"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := convDo(api, tt.method, tt.path, tt.key)
			if rec.Code != tt.status || !strings.Contains(rec.Body.String(), tt.body) {
				t.Errorf("%d %s; want %d with %s", rec.Code, rec.Body, tt.status, tt.body)
			}
		})
	}
	for deadline := time.Now().Add(10 * time.Second); log.Stats().Rebuilding; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the rebuild does not end")
		}
	}
	if st := log.Stats(); st.Records != 6 || st.LastRebuild.IsZero() {
		t.Errorf("after the rebuild: %+v", st)
	}

	busy := &ConversationsAPI{Store: busyStore{log}}
	if rec := convDo(busy, "POST", "/api/conversations/rebuild", convAdmin); rec.Code != http.StatusConflict {
		t.Errorf("rebuild while one runs: %d %s, want 409", rec.Code, rec.Body)
	}
}

// busyStore is a log whose rebuild is always already running.
type busyStore struct{ *conversations.Writer }

func (busyStore) StartRebuild() error { return conversations.ErrRebuildRunning }
