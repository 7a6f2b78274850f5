//go:build !linux

package core

// portHolder is only implemented from /proc (Linux); elsewhere the message
// names the port without its holder.
func portHolder(int) string { return "" }
