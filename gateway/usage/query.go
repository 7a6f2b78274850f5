package usage

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	"github.com/asdine/storm/v3"
	"github.com/modelswitch/modelswitch/gateway/store"
	bolt "go.etcd.io/bbolt"
)

// Interval is the step of a report's time series.
type Interval string

// The intervals; NoSeries leaves Report.Series empty.
const (
	NoSeries Interval = ""
	Hourly   Interval = "hour"
	Daily    Interval = "day" // calendar days in Params.Location
)

// Series limits: an hourly series covers at most 31 days, a daily one 401.
const (
	maxHourlyPoints = 31*24 + 2 // + a DST hour and a half-hour zone's rounding
	maxDailyHours   = 401 * 24
)

// Params selects and shapes a Summary.
type Params struct {
	// From and To bound the half-open range [From, To). Rollups are hourly in
	// UTC, so From is rounded down and To up to a whole UTC hour: exact for a
	// day in any zone whose offset is whole hours, approximated to the hour
	// in half-hour zones (e.g. Asia/Kolkata).
	From, To time.Time
	// Location is the zone of daily series buckets and of the report's times;
	// nil means UTC.
	Location *time.Location
	GroupBy  Dimension // the groups' dimension; "" for totals only
	// Item drills down: only rows whose GroupBy value is Item, grouped by
	// SubGroup (default: the first of provider, model, api_key not fixed).
	Item     string
	SubGroup Dimension
	Filters  map[Dimension]string // further rows-must-equal conditions
	KeyID    string               // only this key's rows (a non-admin caller's restriction)
	Interval Interval
}

// ParamError is a Params field the Querier cannot answer; Param is the
// field's query-parameter name.
type ParamError struct{ Param, Message string }

func (e *ParamError) Error() string { return e.Param + ": " + e.Message }

// Querier answers statistics from the hourly rollups only, so a query costs
// the number of (hour, model, provider, key, upstream model) combinations in
// its range, not the number of requests.
type Querier struct {
	db   *store.DB
	node storm.Node
}

// NewQuerier reads what a Recorder on the same db wrote.
func NewQuerier(db *store.DB) *Querier { return &Querier{db: db, node: db.From(Node)} }

// filter is the rows-must-equal conditions, by dimension index.
type filter struct {
	want       [nDims]string
	has        [nDims]bool
	impossible bool // two conditions on one dimension disagree
}

func (f *filter) set(d Dimension, v string) {
	i := d.index()
	if f.has[i] && f.want[i] != v {
		f.impossible = true
	}
	f.has[i], f.want[i] = true, v
}

func (f *filter) match(vals *[nDims][]byte) bool {
	for i := range vals {
		if f.has[i] && string(vals[i]) != f.want[i] {
			return false
		}
	}
	return true
}

// plan resolves p into a filter and the groups' dimension index (-1: none).
func plan(p *Params) (filter, int, error) {
	var f filter
	check := func(param string, d Dimension) error {
		if d != "" && d.index() < 0 {
			return &ParamError{param, fmt.Sprintf("unknown dimension %q (provider, model, api_key, upstream_model)", d)}
		}
		return nil
	}
	if err := check("group_by", p.GroupBy); err != nil {
		return f, 0, err
	}
	if err := check("sub_group", p.SubGroup); err != nil {
		return f, 0, err
	}
	for d, v := range p.Filters {
		if err := check("filter_"+string(d), d); err != nil {
			return f, 0, err
		}
		f.set(d, v)
	}
	if p.KeyID != "" {
		f.set(DimKey, p.KeyID)
	}
	if p.Item == "" {
		if p.SubGroup != "" {
			return f, 0, &ParamError{"sub_group", "needs an item to drill into"}
		}
		if p.GroupBy == "" {
			return f, -1, nil
		}
		return f, p.GroupBy.index(), nil
	}
	if p.GroupBy == "" {
		return f, 0, &ParamError{"group_by", "needed with an item"}
	}
	f.set(p.GroupBy, p.Item)
	if p.SubGroup == "" {
		for _, d := range []Dimension{DimProvider, DimModel, DimKey} {
			if d != p.GroupBy && !f.has[d.index()] {
				p.SubGroup = d
				break
			}
		}
		if p.SubGroup == "" {
			p.SubGroup = DimUpstreamModel
		}
	}
	if p.SubGroup == p.GroupBy {
		return f, 0, &ParamError{"sub_group", "must differ from group_by"}
	}
	return f, p.SubGroup.index(), nil
}

// Summary reports totals, groups and an optional series over p's range.
func (q *Querier) Summary(p Params) (*Report, error) {
	loc := p.Location
	if loc == nil {
		loc = time.UTC
	}
	if p.To.Before(p.From) {
		return nil, &ParamError{"date_to", "before the start of the range"}
	}
	f, g, err := plan(&p)
	if err != nil {
		return nil, err
	}
	fromH, toH := hourOf(p.From), hourOf(p.To)
	if !hourTime(toH).Equal(p.To) {
		toH++
	}
	series, pointOf, err := newSeries(p.Interval, fromH, toH, loc)
	if err != nil {
		return nil, err
	}
	rep := &Report{
		From: hourTime(fromH).In(loc), To: hourTime(toH).In(loc), Timezone: loc.String(),
		GroupBy: p.GroupBy, Item: p.Item, SubGroup: p.SubGroup, Interval: p.Interval,
		Groups: []Group{},
	}
	var totals counters
	groups := map[string]*counters{}
	var names map[string]string
	if !f.impossible {
		err = q.db.Bolt.View(func(tx *bolt.Tx) error {
			b := q.node.GetBucket(tx, hourlyBucket)
			if b == nil {
				return nil
			}
			var vals [nDims][]byte
			var row counters
			c := b.Cursor()
			for k, v := c.Seek(binary.BigEndian.AppendUint32(nil, fromH)); k != nil; k, v = c.Next() {
				h, ok := splitRollupKey(k, &vals)
				if !ok {
					continue
				}
				if h >= toH {
					break
				}
				if !f.match(&vals) {
					continue
				}
				row = counters{}
				if row.decodeAdd(v) != nil {
					continue
				}
				totals.merge(&row)
				if g >= 0 {
					gc := groups[string(vals[g])]
					if gc == nil {
						gc = new(counters)
						groups[string(vals[g])] = gc
					}
					gc.merge(&row)
				}
				if series != nil {
					series.merge(pointOf[h-fromH], &row)
				}
			}
			if g == DimKey.index() {
				names = keyNames(q.node.GetBucket(tx, keyNamesBucket), groups)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("reading usage rollups: %w", err)
		}
	}
	rep.Totals = totals.metrics()
	rep.Total = rep.Totals.Requests
	for name, c := range groups {
		rep.Groups = append(rep.Groups, Group{Name: name, KeyName: names[name], Metrics: c.metrics()})
	}
	sortGroups(rep.Groups)
	rep.Series = series.points()
	return rep, nil
}

func keyNames(b *bolt.Bucket, groups map[string]*counters) map[string]string {
	if b == nil {
		return nil
	}
	m := make(map[string]string, len(groups))
	for id := range groups {
		if v := b.Get([]byte(id)); v != nil {
			m[id] = string(v)
		}
	}
	return m
}

// seriesAcc is a series being summed: counters per point and each point's start.
type seriesAcc struct {
	sums   []counters
	starts []time.Time
}

func (s *seriesAcc) points() []Point {
	if s == nil {
		return nil
	}
	pts := make([]Point, len(s.sums))
	for i := range pts {
		pts[i] = Point{Start: s.starts[i], Metrics: s.sums[i].metrics()}
	}
	return pts
}

func (s *seriesAcc) merge(i int32, c *counters) { s.sums[i].merge(c) }

// newSeries lays out the points of [fromH, toH) and maps each hour to its
// point; a daily point is a calendar day in loc (a DST day has 23 or 25 hours).
func newSeries(iv Interval, fromH, toH uint32, loc *time.Location) (*seriesAcc, []int32, error) {
	n := int(toH - fromH)
	switch iv {
	case NoSeries:
		return nil, nil, nil
	case Hourly:
		if n > maxHourlyPoints {
			return nil, nil, &ParamError{"interval", "an hourly series covers at most 31 days; use day"}
		}
	case Daily:
		if n > maxDailyHours {
			return nil, nil, &ParamError{"interval", "a daily series covers at most 400 days"}
		}
	default:
		return nil, nil, &ParamError{"interval", fmt.Sprintf("unknown interval %q (hour, day)", iv)}
	}
	s := &seriesAcc{}
	pointOf := make([]int32, n)
	for i := range n {
		start := hourTime(fromH + uint32(i)).In(loc)
		if iv == Daily {
			y, m, d := start.Date()
			start = time.Date(y, m, d, 0, 0, 0, 0, loc)
		}
		if len(s.starts) == 0 || !s.starts[len(s.starts)-1].Equal(start) {
			s.starts = append(s.starts, start)
		}
		pointOf[i] = int32(len(s.starts) - 1)
	}
	s.sums = make([]counters, len(s.starts))
	return s, pointOf, nil
}

// Recent returns up to limit raw rows, newest first; with keyID only that
// key's. It walks back from the newest row and gives up after scanning
// 100 000 rows, so a rarely used key may get fewer than limit.
func (q *Querier) Recent(keyID string, limit int) ([]Record, error) {
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 1000)
	out := []Record{}
	err := q.db.Bolt.View(func(tx *bolt.Tx) error {
		b := q.node.GetBucket(tx, rowsBucket)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		scanned := 0
		for k, v := c.Last(); k != nil && len(out) < limit && scanned < 100000; k, v = c.Prev() {
			scanned++
			var r Record
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("decoding usage row %x: %w", k, err)
			}
			if keyID == "" || r.KeyID == keyID {
				out = append(out, r)
			}
		}
		return nil
	})
	return out, err
}
