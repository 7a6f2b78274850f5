// Package server is the composition root of the gateway: it builds the
// configuration snapshot, wires the proxy and the guards onto a gorilla/mux
// router, and owns the listener and its graceful shutdown. It is the only
// package that knows every concrete type; the packages below it declare what
// they need.
//
// Middleware order, outermost first: request id → panic recovery → host check
// (DNS rebinding) → CORS → body limit → access guard → routes. Every error any
// of them writes is in the route's protocol shape (package protocol).
package server
