package upstream

import (
	"context"
	"errors"
	"time"
)

// How an attempt's end is treated (DESIGN §7). One table, used by the router
// through Error's IsRetryable, Outcome and CoolFor:
//
//	what happened                          falls over  breaker   the client sees
//	connection refused / reset / DNS       yes         failure   (next adapter)
//	timeout: connect, first byte, idle     yes         failure   (next adapter)
//	408, 5xx, 529                          yes         failure   (next adapter)
//	401, 402, 403, 404 (provider's key,    yes         failure   (next adapter)
//	  account or model is wrong)
//	429                                    yes         cooled    (next adapter); the adapter rests
//	                                                             for Retry-After (default: no rest)
//	400, 405, 409, 413, 415, 422           no          success   the upstream's status and body
//	  (the request itself is at fault)
//	in-band error before first content     yes         failure   (next adapter)
//	error after the first content          no          failure   an error event in its protocol
//	the client went away                   —           neutral   nothing (recorded as 499)
//	queue full / queue timeout             yes         neutral   (next adapter)
//	every adapter failed                   —           —         503 + Retry-After naming each attempt
func clientFault(status int) bool {
	switch status {
	case 400, 405, 409, 413, 415, 422:
		return true
	}
	return false
}

// Neutral reports an outcome that says nothing about the provider's health:
// the client cancelled, or the upstream asked us to slow down (router.Neutral).
func (e *Error) Neutral() bool {
	return e.Status == 429 || errors.Is(e.Err, context.Canceled)
}

// CoolFor is how long the adapter should rest: the upstream's Retry-After on a 429.
func (e *Error) CoolFor() time.Duration {
	if e.Status == 429 && e.RetryAfter > 0 {
		return time.Duration(e.RetryAfter) * time.Second
	}
	return 0
}
