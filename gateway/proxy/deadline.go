package proxy

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/modelswitch/modelswitch/gateway/upstream"
)

// deadline cancels an attempt when it stays silent too long: until the
// response headers (timeouts.first_byte, default the adapter's timeout), then
// for a whole non-stream body or until a stream's first content (what is left
// of the adapter's timeout, and the idle limit between events), then between
// stream events (timeouts.idle). A fired deadline turns
// the cancellation into a readable timeout reason.
type deadline struct {
	t      *time.Timer
	cancel context.CancelFunc
	limit  time.Duration
	fired  chan struct{}
	// end is when the adapter's total timeout runs out; it bounds every wait
	// until the exchange is committed.
	end time.Time
}

// newDeadline arms a timer for the first wait d, within a total budget.
func newDeadline(cancel context.CancelFunc, d, total time.Duration) *deadline {
	dl := &deadline{limit: d, cancel: cancel, fired: make(chan struct{}), end: time.Now().Add(total)}
	dl.t = time.AfterFunc(d, func() { close(dl.fired); cancel() })
	return dl
}

func (d *deadline) reset(limit time.Duration) {
	d.limit = limit
	d.t.Reset(limit)
}

// resetWithin re-arms the timer for a wait of at most limit that must also end
// within the total budget.
func (d *deadline) resetWithin(limit time.Duration) {
	if left := time.Until(d.end); left < limit {
		limit = max(left, time.Millisecond)
	}
	d.reset(limit)
}

// release ends the attempt's context: call it once the exchange is over.
func (d *deadline) release() {
	d.t.Stop()
	d.cancel()
}

func (d *deadline) timedOut() bool {
	select {
	case <-d.fired:
		return true
	default:
		return false
	}
}

// explain replaces a cancellation caused by the deadline with a timeout error
// that the router may fall over on.
func (d *deadline) explain(err error) error {
	if !d.timedOut() {
		return err
	}
	var ue *upstream.Error
	provider := ""
	if errors.As(err, &ue) {
		provider = ue.Provider
	}
	return &upstream.Error{Provider: provider, Retryable: true,
		Err: fmt.Errorf("timeout: no answer within %s", d.limit)}
}
