//go:build !unix

package control

// withUmask just runs f where there is no umask (Windows: a unix socket's
// access is decided by the ACL of its directory, not by mode bits).
func withUmask(_ int, f func() error) error { return f() }
