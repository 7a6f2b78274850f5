package admin

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/modelswitch/modelswitch/gateway/logs"
	"github.com/modelswitch/modelswitch/gateway/sse"
)

// Limits of GET /api/logs.
const (
	DefaultLogsLimit = 200
	MaxLogsLimit     = 2000 // larger limits are cut to this
)

const (
	defaultKeepAlive = 15 * time.Second
	streamBuffer     = 256              // entries a slow stream may lag before it loses some
	streamWriteLimit = 30 * time.Second // a client that takes longer to accept one event is gone
)

// LogsAPI serves the debug ring: GET /api/logs and GET /api/logs/stream.
// Query parameters for both: level (minimum: DEBUG, INFO, WARN, ERROR; the
// seed's WARNING and CRITICAL too), request_id, key (a key id), model and
// since (a seq: only newer entries). A non-admin key only sees entries
// logged with its own key id.
type LogsAPI struct {
	Ring *logs.Ring
	// KeepAlive is the interval of ": keep-alive" comments on a stream; 0 = 15 s.
	KeepAlive time.Duration
	// Stop, when closed, ends open streams: http.Server.Shutdown waits for
	// handlers but does not cancel their requests. Nil = never.
	Stop <-chan struct{}
}

// logsPage is the body of GET /api/logs. Total is len(Entries), as in the seed.
type logsPage struct {
	Entries []logs.Entry `json:"entries"`
	Total   int          `json:"total"`
}

// List is GET /api/logs: the matching entries, newest first; limit is
// 1..2000 (default 200; the seed's name tail is accepted too).
func (a LogsAPI) List(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f, err := parseLogFilter(q)
	if err != nil {
		return err
	}
	if f.Limit, err = parseLimit(q); err != nil {
		return err
	}
	entries := []logs.Entry{}
	if scopeToCaller(r, &f) {
		entries = a.Ring.Query(f)
	}
	return WriteJSON(w, http.StatusOK, logsPage{Entries: entries, Total: len(entries)})
}

// Stream is GET /api/logs/stream, a live tail as Server-Sent Events: each
// matching entry is "id: <seq>", "event: log" and the entry as JSON data.
// With since (or a reconnecting EventSource's Last-Event-ID) the entries
// after it that the ring still holds are sent first, oldest first. The
// stream ends when the client leaves, a write stalls or Stop is closed.
// Entries the client is too slow for are skipped (their seqs are missing).
func (a LogsAPI) Stream(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	if id := r.Header.Get("Last-Event-ID"); q.Get("since") == "" && id != "" {
		if _, err := strconv.ParseUint(id, 10, 64); err == nil { // not ours otherwise: ignore it
			q.Set("since", id)
		}
	}
	f, err := parseLogFilter(q)
	if err != nil {
		return err
	}
	visible := scopeToCaller(r, &f)
	ch, cancel := a.Ring.Subscribe(streamBuffer) // before the backlog, so nothing falls in between
	defer cancel()

	rc := http.NewResponseController(w)
	defer rc.SetWriteDeadline(time.Time{}) // the connection may serve another request
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if err := rc.Flush(); err != nil {
		return nil // not flushable or already gone: nothing more can be sent
	}

	last := f.Since // the newest seq sent; live entries up to it are duplicates
	if visible && f.Since > 0 {
		backlog := a.Ring.Query(f)
		for i := len(backlog) - 1; i >= 0; i-- {
			if writeEntry(w, rc, backlog[i]) != nil {
				return nil
			}
			last = backlog[i].Seq
		}
	}
	keepAlive := a.KeepAlive
	if keepAlive <= 0 {
		keepAlive = defaultKeepAlive
	}
	tick := time.NewTicker(keepAlive)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return nil
		case <-a.Stop:
			return nil
		case e, ok := <-ch:
			if !ok {
				return nil
			}
			if !visible || e.Seq <= last || !f.Match(e) {
				continue
			}
			if writeEntry(w, rc, e) != nil {
				return nil
			}
			last = e.Seq
		case <-tick.C:
			_ = rc.SetWriteDeadline(time.Now().Add(streamWriteLimit))
			if sse.WriteComment(w, "keep-alive") != nil || rc.Flush() != nil {
				return nil
			}
		}
	}
}

// writeEntry sends e as one event in a single Write and flushes it.
func writeEntry(w http.ResponseWriter, rc *http.ResponseController, e logs.Entry) error {
	data, err := json.Marshal(e)
	if err != nil { // an attribute JSON cannot encode; send the entry without them
		e.Attrs = map[string]any{"error": "attributes not encodable: " + err.Error()}
		if data, err = json.Marshal(e); err != nil {
			return nil
		}
	}
	b := make([]byte, 0, len(data)+48)
	b = append(b, "id: "...)
	b = strconv.AppendUint(b, e.Seq, 10)
	b = append(b, "\nevent: log\ndata: "...)
	b = append(b, data...) // json.Marshal output has no line breaks
	b = append(b, "\n\n"...)
	_ = rc.SetWriteDeadline(time.Now().Add(streamWriteLimit)) // ErrNotSupported: no deadline
	if _, err := w.Write(b); err != nil {
		return err
	}
	return rc.Flush()
}

// parseLogFilter reads the parameters common to List and Stream.
func parseLogFilter(q url.Values) (logs.Filter, error) {
	f := logs.Filter{RequestID: q.Get("request_id"), KeyID: q.Get("key"), Model: q.Get("model")}
	if s := q.Get("level"); s != "" {
		l, ok := parseLevel(s)
		if !ok {
			return f, BadParam("level", "must be DEBUG, INFO, WARN or ERROR")
		}
		f.Level = l
	}
	if s := q.Get("since"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return f, BadParam("since", "must be a non-negative integer (an entry's seq)")
		}
		f.Since = n
	}
	return f, nil
}

func parseLevel(s string) (slog.Level, bool) {
	switch strings.ToUpper(s) {
	case "DEBUG":
		return slog.LevelDebug, true
	case "INFO":
		return slog.LevelInfo, true
	case "WARN", "WARNING":
		return slog.LevelWarn, true
	case "ERROR", "CRITICAL":
		return slog.LevelError, true
	}
	return 0, false
}

func parseLimit(q url.Values) (int, error) {
	name := "limit"
	s := q.Get(name)
	if s == "" {
		name = "tail"
		if s = q.Get(name); s == "" {
			return DefaultLogsLimit, nil
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, BadParam(name, "must be a positive integer")
	}
	return min(n, MaxLogsLimit), nil
}

// scopeToCaller restricts f to the caller's own key unless it is an admin,
// and reports false when the caller may see nothing that f asks for.
func scopeToCaller(r *http.Request, f *logs.Filter) bool {
	key, admin := Caller(r)
	if admin {
		return true
	}
	if key == nil || f.KeyID != "" && f.KeyID != key.ID {
		return false
	}
	f.KeyID = key.ID
	return true
}
