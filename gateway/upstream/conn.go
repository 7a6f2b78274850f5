package upstream

import (
	"context"
	"io"
	"net"
	"sync"
)

// copyConn is a connection to an upstream whose ReadFrom copies through a
// pooled buffer. net/http sends a request body larger than the transport's
// write buffer with io.Copy into the connection; *net.TCPConn's ReadFrom,
// having no file to splice or sendfile, falls back to io.Copy with a fresh
// 32 KB buffer, once per request: 14 % of the bytes the gateway allocated on
// the 76 KB Claude Code lane (issue 16). HTTP/2 upstreams write bodies from
// their own pooled buffers and never come here.
type copyConn struct{ net.Conn }

var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// ReadFrom copies r to the connection through a pooled buffer.
func (c copyConn) ReadFrom(r io.Reader) (int64, error) {
	bp := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(bp)
	return io.CopyBuffer(writerOnly{c.Conn}, r, *bp)
}

// writerOnly hides the connection's own ReadFrom from io.CopyBuffer.
type writerOnly struct{ io.Writer }

// dialCopyConn wraps dial's connections in copyConn.
func dialCopyConn(dial func(ctx context.Context, network, addr string) (net.Conn, error)) func(context.Context, string, string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return copyConn{c}, nil
	}
}
