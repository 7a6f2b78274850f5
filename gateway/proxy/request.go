package proxy

import (
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/modelswitch/modelswitch/gateway/jsonbody"
	"github.com/modelswitch/modelswitch/gateway/protocol"
)

// inbound is a client's request as far as the gateway needs to know it.
type inbound struct {
	family protocol.Family
	body   []byte
	obj    *jsonbody.Object
	model  string // as the client wrote it
	stream bool
}

// readBody reads the whole request body; the server's MaxBytesReader turns an
// oversize body into a 413 here.
func readBody(r *http.Request) ([]byte, *protocol.Error) {
	size := r.ContentLength
	if size < 0 || size > 1<<20 {
		size = 4096
	}
	buf := make([]byte, 0, size+1)
	for {
		n, err := r.Body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return nil, protocol.Errorf(http.StatusRequestEntityTooLarge,
					fmt.Sprintf("request body is larger than the limit of %d MiB (gateway.max_body_mb)", mbe.Limit>>20))
			}
			return nil, protocol.Errorf(http.StatusBadRequest, "reading request body: "+err.Error())
		}
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
	}
}

// parseInbound validates the parts of the body the gateway relies on: a JSON
// object with a string "model", an optional boolean "stream" and, when
// needMessages, a "messages" array. The rest is the upstream's business.
func parseInbound(r *http.Request, f protocol.Family, needMessages bool) (*inbound, *protocol.Error) {
	body, perr := readBody(r)
	if perr != nil {
		return nil, perr
	}
	// Only the top level is checked here (DESIGN §16: no whole-body
	// validation on pass-through). The converters decode the whole body and
	// refuse what is not JSON with a *convert.RequestError of their own.
	obj, err := jsonbody.ScanTop(body)
	if err != nil {
		return nil, protocol.Errorf(http.StatusBadRequest, "invalid request body: "+err.Error())
	}
	in := &inbound{family: f, body: body, obj: obj}
	mv, ok := obj.Get("model")
	if !ok {
		return nil, protocol.Errorf(http.StatusBadRequest, `"model" is required`)
	}
	if in.model, err = mv.String(body); err != nil {
		return nil, protocol.Errorf(http.StatusBadRequest, `"model" `+err.Error())
	}
	if in.model == "" {
		return nil, protocol.Errorf(http.StatusBadRequest, `"model" must not be empty`)
	}
	if sv, ok := obj.Get("stream"); ok && sv.Kind != jsonbody.KindNull {
		if in.stream, err = sv.Bool(body); err != nil {
			return nil, protocol.Errorf(http.StatusBadRequest, `"stream" `+err.Error())
		}
	}
	if needMessages {
		msgs, ok := obj.Get("messages")
		if !ok {
			return nil, protocol.Errorf(http.StatusBadRequest, `"messages" is required`)
		}
		if msgs.Kind != jsonbody.KindArray {
			kerr := &jsonbody.KindError{Want: jsonbody.KindArray, Got: msgs.Kind}
			return nil, protocol.Errorf(http.StatusBadRequest, `"messages" `+kerr.Error())
		}
	}
	return in, nil
}
