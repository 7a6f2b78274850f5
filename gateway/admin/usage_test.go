package admin

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/gorilla/mux"

	"github.com/modelswitch/modelswitch/gateway/auth"
	"github.com/modelswitch/modelswitch/gateway/store"
	"github.com/modelswitch/modelswitch/gateway/usage"
)

var (
	usageAdmin = &auth.Key{ID: "key_root", Roles: []string{"admin"}}
	usageUser  = &auth.Key{ID: "key_x", Roles: []string{"user"}}
	shanghai   = mustZone("Asia/Shanghai")
	// usageNow is 2026-03-10 20:00 UTC: already 03-11 in Shanghai.
	usageNow = time.Date(2026, 3, 10, 20, 0, 0, 0, time.UTC)
)

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// paramSpy records the Params it is asked for.
type paramSpy struct{ got *usage.Params }

func (s *paramSpy) Summary(p usage.Params) (*usage.Report, error) {
	s.got = &p
	return &usage.Report{Groups: []usage.Group{}}, nil
}

// serveUsage runs one request through a router with the usage routes.
func serveUsage(api *UsageAPI, key *auth.Key, target string) *httptest.ResponseRecorder {
	r := mux.NewRouter()
	api.Register(r)
	req := httptest.NewRequest(http.MethodGet, target, nil)
	if key != nil {
		req = req.WithContext(auth.WithKey(req.Context(), key))
	}
	w := httptest.NewRecorder()
	r.ServeHTTP(w, req)
	return w
}

func newUsageAPI(q UsageQuerier) *UsageAPI {
	return &UsageAPI{Q: q, Location: func() *time.Location { return shanghai }, Now: func() time.Time { return usageNow }}
}

func day(y int, m time.Month, d int, loc *time.Location) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

func TestUsageParams(t *testing.T) {
	tests := []struct {
		name, target string
		key          *auth.Key
		want         usage.Params
	}{
		{"default: today in the gateway zone, by provider", "/api/usage", usageAdmin,
			usage.Params{From: day(2026, 3, 11, shanghai), To: day(2026, 3, 12, shanghai), Location: shanghai, GroupBy: usage.DimProvider}},
		{"tz moves today", "/api/usage?tz=UTC&group_by=model&interval=hour", usageAdmin,
			usage.Params{From: day(2026, 3, 10, time.UTC), To: day(2026, 3, 11, time.UTC), Location: time.UTC, GroupBy: usage.DimModel, Interval: usage.Hourly}},
		{"inclusive range and filters", "/api/usage?date_from=2026-02-01&date_to=2026-02-28&filter_model=glm-5&filter_api_key=key_y", usageAdmin,
			usage.Params{From: day(2026, 2, 1, shanghai), To: day(2026, 3, 1, shanghai), Location: shanghai, GroupBy: usage.DimProvider,
				Filters: map[usage.Dimension]string{usage.DimModel: "glm-5", usage.DimKey: "key_y"}}},
		{"date sets both ends", "/api/usage?date=2026-01-05&interval=day", usageAdmin,
			usage.Params{From: day(2026, 1, 5, shanghai), To: day(2026, 1, 6, shanghai), Location: shanghai, GroupBy: usage.DimProvider, Interval: usage.Daily}},
		{"a non-admin is restricted to its key whatever it asks", "/api/usage?group_by=api_key&filter_api_key=key_root", usageUser,
			usage.Params{From: day(2026, 3, 11, shanghai), To: day(2026, 3, 12, shanghai), Location: shanghai, GroupBy: usage.DimKey,
				Filters: map[usage.Dimension]string{usage.DimKey: "key_root"}, KeyID: "key_x"}},
		{"detail: item with a slash, sub_group", "/api/usage/Qwen%2FQwen2.5-72B/detail?group_by=upstream_model&sub_group=api_key", usageAdmin,
			usage.Params{From: day(2026, 3, 11, shanghai), To: day(2026, 3, 12, shanghai), Location: shanghai, GroupBy: usage.DimUpstreamModel,
				Item: "Qwen/Qwen2.5-72B", SubGroup: usage.DimKey}},
		{"detail for a non-admin", "/api/usage/zhipu/detail", usageUser,
			usage.Params{From: day(2026, 3, 11, shanghai), To: day(2026, 3, 12, shanghai), Location: shanghai, GroupBy: usage.DimProvider,
				Item: "zhipu", KeyID: "key_x"}},
		{"a key's usage, by model", "/api/keys/key_y/usage?date_from=2026-03-01", usageAdmin,
			usage.Params{From: day(2026, 3, 1, shanghai), To: day(2026, 3, 12, shanghai), Location: shanghai, GroupBy: usage.DimModel, KeyID: "key_y"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spy := &paramSpy{}
			w := serveUsage(newUsageAPI(spy), tt.key, tt.target)
			if w.Code != http.StatusOK || spy.got == nil {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			if diff := cmp.Diff(tt.want, *spy.got, cmp.Comparer(func(a, b *time.Location) bool { return a.String() == b.String() })); diff != "" {
				t.Errorf("params (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUsageBadParams(t *testing.T) {
	q := usage.NewQuerier(openUsageDB(t))
	tests := []struct{ target, param string }{
		{"/api/usage?group_by=colour", "group_by"},
		{"/api/usage?group_by=provider%20DROP", "group_by"},
		{"/api/usage/zhipu/detail?sub_group=key_name", "sub_group"},
		{"/api/usage/zhipu/detail?sub_group=provider", "sub_group"}, // equals group_by
		{"/api/usage?sub_group=model", "sub_group"},
		{"/api/usage?date_from=2026-3-1", "date_from"},
		{"/api/usage?date_to=yesterday", "date_to"},
		{"/api/usage?date=2026-02-30", "date"},
		{"/api/usage?date_from=2026-03-02&date_to=2026-03-01", "date_to"},
		{"/api/usage?date_from=2025-01-01&date_to=2026-03-01", "date_to"},
		{"/api/usage?tz=Mars/Olympus_Mons", "tz"},
		{"/api/usage?tz=../../etc/passwd", "tz"},
		{"/api/usage?interval=week", "interval"},
		{"/api/usage?interval=hour&date_from=2026-01-01&date_to=2026-03-01", "interval"},
		{"/api/keys/key_y/usage?group_by=nope", "group_by"},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			w := serveUsage(newUsageAPI(q), usageAdmin, tt.target)
			var body struct {
				Error struct {
					Message string
					Fields  []struct{ Field string }
				}
			}
			if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || w.Code != http.StatusBadRequest {
				t.Fatalf("status %d, body %s", w.Code, w.Body)
			}
			if len(body.Error.Fields) != 1 || body.Error.Fields[0].Field != tt.param || !strings.HasPrefix(body.Error.Message, tt.param+": ") {
				t.Errorf("error = %+v, want one naming %s", body.Error, tt.param)
			}
		})
	}
	t.Run("a range of exactly 400 days is fine", func(t *testing.T) {
		if w := serveUsage(newUsageAPI(q), usageAdmin, "/api/usage?date_from=2025-02-05&date_to=2026-03-11"); w.Code != http.StatusOK {
			t.Errorf("status %d: %s", w.Code, w.Body)
		}
	})
}

func TestUsageAccess(t *testing.T) {
	api := newUsageAPI(&paramSpy{})
	tests := []struct {
		target string
		key    *auth.Key
		status int
	}{
		{"/api/usage", nil, http.StatusUnauthorized},
		{"/api/keys/key_x/usage", nil, http.StatusUnauthorized},
		{"/api/keys/key_x/usage", usageUser, http.StatusForbidden}, // even its own: keys are admin
		{"/api/keys/key_x/usage", usageAdmin, http.StatusOK},
		{"/api/usage", usageUser, http.StatusOK},
	}
	for _, tt := range tests {
		if w := serveUsage(api, tt.key, tt.target); w.Code != tt.status {
			t.Errorf("%s as %v: status %d, want %d", tt.target, tt.key, w.Code, tt.status)
		}
	}
}

func openUsageDB(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// seedUsage stores a few rows on 2026-03-11 (Shanghai) through a Recorder.
func seedUsage(t *testing.T) *usage.Querier {
	db := openUsageDB(t)
	rec := usage.NewRecorder(db, usage.Options{RetentionDays: -1})
	at := time.Date(2026, 3, 11, 2, 0, 0, 0, time.UTC)
	for _, r := range []usage.Record{
		{Time: at, KeyID: "key_x", KeyName: "xavier", Model: "glm-5", Provider: "zhipu", UpstreamModel: "glm-5", Status: 200, InputTokens: 10, OutputTokens: 5, LatencyMs: 100},
		{Time: at, KeyID: "key_x", KeyName: "xavier", Model: "qwen", Provider: "dashscope", UpstreamModel: "Qwen/Qwen2.5-72B", Status: 502, LatencyMs: 30},
		{Time: at, KeyID: "key_y", KeyName: "yvonne", Model: "glm-5", Provider: "zhipu", UpstreamModel: "glm-5", Status: 200, InputTokens: 100, OutputTokens: 50, LatencyMs: 300},
		{Time: at, KeyID: "key_y", KeyName: "yvonne", Model: "glm-5", Provider: "zhipu", UpstreamModel: "glm-5", Status: 200, InputTokens: 100, OutputTokens: 50, LatencyMs: 300},
	} {
		rec.Record(r)
	}
	rec.Close()
	return usage.NewQuerier(db)
}

// usageBody is the part of a report the JSON tests compare.
type usageBody struct {
	GroupBy  string `json:"group_by"`
	Item     string `json:"item"`
	SubGroup string `json:"sub_group"`
	Timezone string `json:"timezone"`
	From     string `json:"from"`
	Total    int    `json:"total"`
	Groups   []struct {
		Name          string  `json:"name"`
		KeyName       string  `json:"key_name"`
		TotalRequests int     `json:"total_requests"`
		SuccessCount  int     `json:"success_count"`
		FailCount     int     `json:"fail_count"`
		SuccessRate   float64 `json:"success_rate"`
		TokensIn      int     `json:"tokens_in"`
		TokensOut     int     `json:"tokens_out"`
		AvgLatencyMs  float64 `json:"avg_latency_ms"`
	} `json:"groups"`
}

func TestUsageJSON(t *testing.T) {
	api := newUsageAPI(seedUsage(t))
	tests := []struct {
		name, target string
		key          *auth.Key
		want         string // usageBody as JSON
	}{
		{"admin by key", "/api/usage?group_by=api_key", usageAdmin,
			`{"group_by":"api_key","timezone":"Asia/Shanghai","from":"2026-03-11T00:00:00+08:00","total":4,"groups":[
			 {"name":"key_x","key_name":"xavier","total_requests":2,"success_count":1,"fail_count":1,"success_rate":50,"tokens_in":10,"tokens_out":5,"avg_latency_ms":65},
			 {"name":"key_y","key_name":"yvonne","total_requests":2,"success_count":2,"success_rate":100,"tokens_in":200,"tokens_out":100,"avg_latency_ms":300}]}`},
		{"non-admin sees only its key", "/api/usage?group_by=api_key", usageUser,
			`{"group_by":"api_key","timezone":"Asia/Shanghai","from":"2026-03-11T00:00:00+08:00","total":2,"groups":[
			 {"name":"key_x","key_name":"xavier","total_requests":2,"success_count":1,"fail_count":1,"success_rate":50,"tokens_in":10,"tokens_out":5,"avg_latency_ms":65}]}`},
		{"non-admin drilling into another key gets nothing", "/api/usage/key_y/detail?group_by=api_key", usageUser,
			`{"group_by":"api_key","item":"key_y","sub_group":"provider","timezone":"Asia/Shanghai","from":"2026-03-11T00:00:00+08:00","total":0,"groups":[]}`},
		{"detail of an upstream model with a slash", "/api/usage/Qwen%2FQwen2.5-72B/detail?group_by=upstream_model", usageAdmin,
			`{"group_by":"upstream_model","item":"Qwen/Qwen2.5-72B","sub_group":"provider","timezone":"Asia/Shanghai","from":"2026-03-11T00:00:00+08:00","total":1,"groups":[
			 {"name":"dashscope","total_requests":1,"fail_count":1,"avg_latency_ms":30}]}`},
		{"yesterday in UTC is the same day", "/api/usage?tz=UTC&group_by=model", usageAdmin,
			`{"group_by":"model","timezone":"UTC","from":"2026-03-10T00:00:00Z","total":0,"groups":[]}`},
		{"a key's usage", "/api/keys/key_y/usage", usageAdmin,
			`{"group_by":"model","timezone":"Asia/Shanghai","from":"2026-03-11T00:00:00+08:00","total":2,"groups":[
			 {"name":"glm-5","total_requests":2,"success_count":2,"success_rate":100,"tokens_in":200,"tokens_out":100,"avg_latency_ms":300}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := serveUsage(api, tt.key, tt.target)
			if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "application/json" {
				t.Fatalf("status %d %q: %s", w.Code, w.Header().Get("Content-Type"), w.Body)
			}
			var got, want usageBody
			if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(tt.want), &want); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("body (-want +got):\n%s\n%s", diff, w.Body)
			}
		})
	}
}

func TestUsageJSONFieldNames(t *testing.T) {
	w := serveUsage(newUsageAPI(seedUsage(t)), usageAdmin, "/api/usage?group_by=model&interval=day")
	var body map[string]json.RawMessage
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	var totals map[string]any
	json.Unmarshal(body["totals"], &totals)
	for _, f := range []string{"total_requests", "success_count", "fail_count", "success_rate", "status", "tokens_in", "tokens_out",
		"cache_read_tokens", "cache_write_tokens", "reasoning_tokens", "total_tokens", "avg_latency_ms", "p95_latency_ms", "avg_ttft_ms"} {
		if _, ok := totals[f]; !ok {
			t.Errorf("totals lack %q: %s", f, body["totals"])
		}
	}
	var series []map[string]any
	if err := json.Unmarshal(body["series"], &series); err != nil || len(series) != 1 || series[0]["start"] != "2026-03-11T00:00:00+08:00" {
		t.Errorf("series = %s", body["series"])
	}
}
