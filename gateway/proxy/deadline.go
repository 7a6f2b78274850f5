package proxy

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/modelswitch/modelswitch/gateway/upstream"
)

// deadline cancels an attempt when it stays silent too long: until the first
// byte for every request, then between stream events. A fired deadline turns
// the cancellation into a readable timeout reason.
type deadline struct {
	t      *time.Timer
	cancel context.CancelFunc
	limit  time.Duration
	fired  chan struct{}
}

func newDeadline(cancel context.CancelFunc, d time.Duration) *deadline {
	dl := &deadline{limit: d, cancel: cancel, fired: make(chan struct{})}
	dl.t = time.AfterFunc(d, func() { close(dl.fired); cancel() })
	return dl
}

func (d *deadline) reset(limit time.Duration) {
	d.limit = limit
	d.t.Reset(limit)
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
