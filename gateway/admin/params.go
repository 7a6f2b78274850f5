package admin

import (
	"net/url"
	"strconv"
	"time"
)

// zoneParam reads the tz query parameter (an IANA zone), falling back to def
// (nil = time.Local). Usage and conversations read dates the same way.
func zoneParam(q url.Values, def *time.Location) (*time.Location, error) {
	if tz := q.Get("tz"); tz != "" {
		loc, err := time.LoadLocation(tz)
		if err != nil {
			return nil, BadParam("tz", "unknown time zone "+strconv.Quote(tz))
		}
		return loc, nil
	}
	if def == nil {
		return time.Local, nil
	}
	return def, nil
}

// dateParam parses the YYYY-MM-DD query parameter name as midnight in loc;
// ok is false when it is absent.
func dateParam(q url.Values, name string, loc *time.Location) (t time.Time, ok bool, err error) {
	s := q.Get(name)
	if s == "" {
		return t, false, nil
	}
	t, err = time.ParseInLocation(time.DateOnly, s, loc)
	if err != nil {
		return t, false, BadParam(name, "must be a date YYYY-MM-DD")
	}
	return t, true, nil
}
