package auth

import "context"

type ctxKey struct{}

// WithKey returns ctx carrying the authenticated key.
func WithKey(ctx context.Context, k *Key) context.Context {
	return context.WithValue(ctx, ctxKey{}, k)
}

// KeyFrom returns the authenticated key of a request, or nil on a public route.
func KeyFrom(ctx context.Context) *Key {
	k, _ := ctx.Value(ctxKey{}).(*Key)
	return k
}
