// Package router walks a virtual model's adapters in priority order and falls
// over to the next one when an attempt fails in a way another upstream may not
// (connect errors, timeouts, 408/429/5xx). It knows nothing about bodies or
// protocols: the caller's attempt function does the exchange and returns an
// error that implements Retryable.
package router
