package core

import (
	"net"
	"strconv"
)

// nextFreePort is the first port after port (up to 100 further) that host
// can bind now, or 0.
func nextFreePort(host string, port int) int {
	for p := port + 1; p <= port+100 && p <= 65535; p++ {
		ln, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(p)))
		if err == nil {
			ln.Close()
			return p
		}
	}
	return 0
}
