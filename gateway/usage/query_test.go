package usage

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/modelswitch/modelswitch/gateway/store"
)

// fiveRows spans two hours, two providers, two models and two keys.
var fiveRows = []row{
	{at: t0.Add(5 * time.Minute), model: "glm-5", provider: "zhipu", key: "key_a", up: "glm-5-air", status: 200, in: 100, out: 50, cr: 10, cw: 5, reasoning: 20, lat: 40, cost: 1_500_000},
	{at: t0.Add(10 * time.Minute), model: "glm-5", provider: "zhipu", key: "key_b", up: "glm-5-air", status: 200, in: 200, out: 100, lat: 120, ttft: 30, cost: 2_000_000},
	{at: t0.Add(70 * time.Minute), model: "glm-5", provider: "dashscope", key: "key_a", up: "qwen-max", status: 503, lat: 1000},
	{at: t0.Add(80 * time.Minute), model: "qwen", provider: "dashscope", key: "key_a", up: "qwen-max", status: 429, lat: 5},
	{at: t0.Add(90 * time.Minute), model: "qwen", provider: "dashscope", key: "key_b", up: "qwen-max", status: 0, lat: 130000},
}

func seeded(t *testing.T, rows ...row) (*store.DB, *Querier) {
	t.Helper()
	db := openDB(t)
	recordAll(t, db, Options{RetentionDays: -1}, rows...)
	return db, NewQuerier(db)
}

func TestSummaryArithmetic(t *testing.T) {
	_, q := seeded(t, fiveRows...)
	rep := mustSummary(t, q, Params{From: t0, To: t0.Add(2 * time.Hour), GroupBy: DimProvider})
	want := &Report{
		From: t0, To: t0.Add(2 * time.Hour), Timezone: "UTC", GroupBy: DimProvider, Total: 5,
		Totals: Metrics{Requests: 5, Successes: 2, Failures: 3, SuccessRate: 40, Status: Status{S2xx: 2, S4xx: 1, S5xx: 1, Other: 1},
			Streams: 1, InputTokens: 300, OutputTokens: 150, CacheReadTokens: 10, CacheWriteTokens: 5, ReasoningTokens: 20,
			TotalTokens: 465, AvgLatencyMs: 26233, P95LatencyMs: 120000, AvgTTFTMs: 30,
			Cost: ptr(0.0035), CostNanos: 3_500_000, Unpriced: 3},
		Groups: []Group{
			{Name: "dashscope", Metrics: Metrics{Requests: 3, Failures: 3, Status: Status{S4xx: 1, S5xx: 1, Other: 1},
				AvgLatencyMs: 43668, P95LatencyMs: 120000, Unpriced: 3}}, // no price: cost null, not 0
			{Name: "zhipu", Metrics: Metrics{Requests: 2, Successes: 2, SuccessRate: 100, Status: Status{S2xx: 2}, Streams: 1,
				InputTokens: 300, OutputTokens: 150, CacheReadTokens: 10, CacheWriteTokens: 5, ReasoningTokens: 20,
				TotalTokens: 465, AvgLatencyMs: 80, P95LatencyMs: 200, AvgTTFTMs: 30, Cost: ptr(0.0035), CostNanos: 3_500_000}},
		},
	}
	if diff := cmp.Diff(want, rep); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
}

func TestSummaryRollupsEqualRawRows(t *testing.T) {
	// Many rows in few rollups: the rollup sums must match the rows exactly.
	var rows []row
	for i := range 1200 {
		rows = append(rows, row{at: t0.Add(time.Duration(i) * 7 * time.Second), model: []string{"a", "b"}[i%2],
			provider: "p", key: "k", status: []int{200, 500, 200}[i%3], in: i, out: 2 * i, lat: int64(i)})
	}
	db, q := seeded(t, rows...)
	rep := mustSummary(t, q, Params{From: allFrom, To: allTo, GroupBy: DimModel})
	var in, out, lat, ok int64
	for _, r := range rawRows(t, db) {
		in, out, lat = in+int64(r.InputTokens), out+int64(r.OutputTokens), lat+r.LatencyMs
		if r.Success() {
			ok++
		}
	}
	got := rep.Totals
	if got.Requests != 1200 || got.InputTokens != in || got.OutputTokens != out || got.Successes != ok ||
		got.AvgLatencyMs != float64((lat+600)/1200) {
		t.Errorf("totals %+v; raw in %d out %d ok %d lat %d", got, in, out, ok, lat)
	}
	if len(rep.Groups) != 2 || rep.Groups[0].Requests != 600 || rep.Groups[1].Requests != 600 {
		t.Errorf("groups = %+v", rep.Groups)
	}
}

func TestSummaryDaysInTimezone(t *testing.T) {
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	kolkata, _ := time.LoadLocation("Asia/Kolkata")
	_, q := seeded(t,
		row{at: time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC), model: "m", status: 200},  // 03-10 18:00 Shanghai
		row{at: time.Date(2026, 3, 10, 17, 0, 0, 0, time.UTC), model: "m", status: 200},  // 03-11 01:00 Shanghai
		row{at: time.Date(2026, 3, 10, 18, 10, 0, 0, time.UTC), model: "m", status: 200}, // 03-10 23:40 Kolkata
		row{at: time.Date(2026, 3, 11, 2, 0, 0, 0, time.UTC), model: "m", status: 200},   // 03-11 10:00 Shanghai
	)
	day := func(loc *time.Location, d int) (time.Time, time.Time) {
		from := time.Date(2026, 3, d, 0, 0, 0, 0, loc)
		return from, from.AddDate(0, 0, 1)
	}
	tests := []struct {
		name string
		loc  *time.Location
		day  int
		want int64
	}{
		{"UTC 03-10", time.UTC, 10, 3},
		{"UTC 03-11", time.UTC, 11, 1},
		{"Shanghai 03-10", shanghai, 10, 1},
		{"Shanghai 03-11", shanghai, 11, 3},
		// Kolkata is UTC+5:30: its day [18:30Z, 18:30Z) is approximated to
		// [18:00Z, 18:00Z), so 18:10Z (23:40 local on the 10th) counts on the 11th.
		{"Kolkata 03-11, approximated to the hour", kolkata, 11, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from, to := day(tt.loc, tt.day)
			if got := mustSummary(t, q, Params{From: from, To: to, Location: tt.loc}).Total; got != tt.want {
				t.Errorf("requests = %d, want %d", got, tt.want)
			}
		})
	}
	t.Run("daily series starts at local midnight", func(t *testing.T) {
		from, _ := day(shanghai, 10)
		rep := mustSummary(t, q, Params{From: from, To: from.AddDate(0, 0, 2), Location: shanghai, Interval: Daily})
		var got []string
		for _, p := range rep.Series {
			got = append(got, p.Start.Format(time.RFC3339)+"="+string(rune('0'+p.Requests)))
		}
		if want := []string{"2026-03-10T00:00:00+08:00=1", "2026-03-11T00:00:00+08:00=3"}; !cmp.Equal(got, want) {
			t.Errorf("series = %v, want %v", got, want)
		}
	})
}

func TestSummaryHourlySeries(t *testing.T) {
	_, q := seeded(t, fiveRows...)
	rep := mustSummary(t, q, Params{From: t0.Add(-time.Hour), To: t0.Add(3 * time.Hour), Interval: Hourly})
	var got []int64
	for i, p := range rep.Series {
		if !p.Start.Equal(t0.Add(time.Duration(i-1) * time.Hour)) {
			t.Errorf("point %d starts %v", i, p.Start)
		}
		got = append(got, p.Requests)
	}
	if want := []int64{0, 2, 3, 0}; !cmp.Equal(got, want) {
		t.Errorf("hourly requests = %v, want %v", got, want)
	}
}

func TestSummaryDrillDownAndFilters(t *testing.T) {
	_, q := seeded(t, fiveRows...)
	type g struct {
		Name    string
		KeyName string
		N       int64
	}
	tests := []struct {
		name   string
		p      Params
		want   []g
		total  int64
		subDim Dimension
	}{
		{"drill provider → default model", Params{GroupBy: DimProvider, Item: "dashscope"}, []g{{"qwen", "", 2}, {"glm-5", "", 1}}, 3, DimModel},
		{"drill provider → api_key with names", Params{GroupBy: DimProvider, Item: "dashscope", SubGroup: DimKey},
			[]g{{"key_a", "name-key_a", 2}, {"key_b", "name-key_b", 1}}, 3, DimKey},
		{"drill model → default provider", Params{GroupBy: DimModel, Item: "glm-5"}, []g{{"zhipu", "", 2}, {"dashscope", "", 1}}, 3, DimProvider},
		{"second level: filter + drill", Params{GroupBy: DimModel, Item: "glm-5", Filters: map[Dimension]string{DimProvider: "zhipu"}},
			[]g{{"key_a", "name-key_a", 1}, {"key_b", "name-key_b", 1}}, 2, DimKey},
		{"key restriction", Params{GroupBy: DimProvider, KeyID: "key_b"}, []g{{"dashscope", "", 1}, {"zhipu", "", 1}}, 2, ""},
		{"key restriction wins over a filter", Params{GroupBy: DimProvider, KeyID: "key_b", Filters: map[Dimension]string{DimKey: "key_a"}}, nil, 0, ""},
		{"upstream model", Params{GroupBy: DimUpstreamModel}, []g{{"qwen-max", "", 3}, {"glm-5-air", "", 2}}, 5, ""},
		{"unknown item", Params{GroupBy: DimModel, Item: "nope"}, nil, 0, DimProvider},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.p.From, tt.p.To = allFrom, allTo
			rep := mustSummary(t, q, tt.p)
			var got []g
			for _, x := range rep.Groups {
				got = append(got, g{x.Name, x.KeyName, x.Requests})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("groups (-want +got):\n%s", diff)
			}
			if rep.Total != tt.total || rep.SubGroup != tt.subDim {
				t.Errorf("total %d sub_group %q, want %d %q", rep.Total, rep.SubGroup, tt.total, tt.subDim)
			}
		})
	}
}

func TestSummaryParamErrors(t *testing.T) {
	_, q := seeded(t)
	tests := []struct {
		name  string
		p     Params
		param string
	}{
		{"unknown group_by", Params{GroupBy: "bogus"}, "group_by"},
		{"unknown sub_group", Params{GroupBy: DimModel, Item: "x", SubGroup: "key"}, "sub_group"},
		{"sub_group without item", Params{GroupBy: DimModel, SubGroup: DimProvider}, "sub_group"},
		{"item without group_by", Params{Item: "x"}, "group_by"},
		{"sub_group equals group_by", Params{GroupBy: DimModel, Item: "x", SubGroup: DimModel}, "sub_group"},
		{"unknown filter", Params{Filters: map[Dimension]string{"colour": "red"}}, "filter_colour"},
		{"unknown interval", Params{Interval: "week"}, "interval"},
		{"hourly series too long", Params{Interval: Hourly, To: t0.AddDate(0, 0, 40)}, "interval"},
		{"daily series too long", Params{Interval: Daily, To: t0.AddDate(0, 0, 500)}, "interval"},
		{"reversed range", Params{To: t0.Add(-time.Hour)}, "date_to"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.p.To.IsZero() {
				tt.p.To = t0.Add(time.Hour)
			}
			tt.p.From = t0
			_, err := q.Summary(tt.p)
			var pe *ParamError
			if !errors.As(err, &pe) || pe.Param != tt.param {
				t.Errorf("err = %v, want a ParamError on %s", err, tt.param)
			}
		})
	}
}

func TestSummaryEmptyDatabase(t *testing.T) {
	q := NewQuerier(openDB(t))
	rep := mustSummary(t, q, Params{From: t0, To: t0.Add(24 * time.Hour), GroupBy: DimModel, Interval: Hourly})
	if rep.Total != 0 || rep.Groups == nil || len(rep.Groups) != 0 || len(rep.Series) != 24 {
		t.Errorf("empty report = %+v", rep)
	}
}

func TestRecent(t *testing.T) {
	_, q := seeded(t, fiveRows...)
	ids := func(rs []Record) (out []string) {
		for _, r := range rs {
			out = append(out, r.KeyID+"@"+r.Time.Format("15:04"))
		}
		return out
	}
	tests := []struct {
		key   string
		limit int
		want  []string
	}{
		{"key_a", 2, []string{"key_a@13:20", "key_a@13:10"}},
		{"key_b", 0, []string{"key_b@13:30", "key_b@12:10"}},
		{"", 3, []string{"key_b@13:30", "key_a@13:20", "key_a@13:10"}},
		{"key_z", 5, nil},
	}
	for _, tt := range tests {
		got, err := q.Recent(tt.key, tt.limit)
		if err != nil || !cmp.Equal(ids(got), tt.want) {
			t.Errorf("Recent(%q, %d) = %v, %v; want %v", tt.key, tt.limit, ids(got), err, tt.want)
		}
	}
}

func TestDayCounter(t *testing.T) {
	db := openDB(t)
	d := NewDayCounter(db)
	day, counts, err := d.Load()
	if err != nil || day != "" || counts == nil || len(counts) != 0 {
		t.Fatalf("empty Load = %q %v %v", day, counts, err)
	}
	steps := []struct {
		day     string
		counts  map[string]int
		wantErr bool
	}{
		{"2026-03-10", map[string]int{"key_a": 3, "key_b": 1}, false},
		{"2026-03-11", map[string]int{"key_a": 1}, false},
		{"11/03/2026", map[string]int{"key_a": 9}, true},
	}
	want := steps[0]
	for _, st := range steps {
		err := d.Save(st.day, st.counts)
		if (err != nil) != st.wantErr {
			t.Fatalf("Save(%q) err = %v", st.day, err)
		}
		if err == nil {
			want = st
		}
		// A new DayCounter on the same database sees what was saved last.
		day, counts, err := NewDayCounter(db).Load()
		if err != nil || day != want.day || !cmp.Equal(counts, want.counts) {
			t.Errorf("after Save(%q): Load = %q %v %v", st.day, day, counts, err)
		}
	}
}

func ptr(v float64) *float64 { return &v }
