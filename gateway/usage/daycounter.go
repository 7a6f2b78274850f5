package usage

import (
	"errors"
	"fmt"
	"time"

	"github.com/asdine/storm/v3"
	"github.com/modelswitch/modelswitch/gateway/store"
)

// DayCounter keeps the limiter's daily counters (auth.DayCounts) in the
// database, so daily limits survive restarts. The server adapts it to
// auth.DayStore; this package stays free of gateway imports other than store.
//
// Save commits its own small transaction (one fsync): call it from the
// limiter's periodic persist, never per request.
type DayCounter struct{ node storm.Node }

// dayCounts is the stored form; one value, replaced by every Save.
type dayCounts struct {
	Day    string         `json:"day"`
	Counts map[string]int `json:"counts"`
}

const dayKey = "current"

// NewDayCounter stores the counters in db's Node bucket.
func NewDayCounter(db *store.DB) *DayCounter { return &DayCounter{node: db.From(Node)} }

// Load returns the last saved day (YYYY-MM-DD) and counts; nothing saved yet
// is an empty day, an empty map and no error.
func (d *DayCounter) Load() (day string, counts map[string]int, err error) {
	var dc dayCounts
	switch err := d.node.Get(dayBucket, dayKey, &dc); {
	case errors.Is(err, storm.ErrNotFound):
		return "", map[string]int{}, nil
	case err != nil:
		return "", nil, fmt.Errorf("loading day counts: %w", err)
	}
	if _, err := time.Parse(time.DateOnly, dc.Day); err != nil && dc.Day != "" {
		return "", nil, fmt.Errorf("loading day counts: bad day %q", dc.Day)
	}
	if dc.Counts == nil {
		dc.Counts = map[string]int{}
	}
	return dc.Day, dc.Counts, nil
}

// Save replaces the stored counters.
func (d *DayCounter) Save(day string, counts map[string]int) error {
	if _, err := time.Parse(time.DateOnly, day); err != nil && day != "" {
		return fmt.Errorf("saving day counts: bad day %q", day)
	}
	if err := d.node.Set(dayBucket, dayKey, dayCounts{Day: day, Counts: counts}); err != nil {
		return fmt.Errorf("saving day counts: %w", err)
	}
	return nil
}
