package convert

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// chatChunkReader decodes the chat.completion.chunk payloads of one stream
// for the converters that read Chat streams (AnthropicStream and
// ResponsesStream): in place when it can (anthropic_stream_fast.go), else
// with a json.Decoder kept between chunks, which unlike json.Unmarshal
// reuses its state. The chunk it returns is valid until the next read.
type chatChunkReader struct {
	chunk o2aChunk
	dec   *json.Decoder // reads chunks from rd
	rd    bytes.Reader
	fed   int64 // bytes given to dec
}

// read decodes data, which is trimmed and not empty. A field of an
// unexpected type is skipped (UnmarshalTypeError), the rest kept, as
// encoding/json does; anything but one JSON object is an error.
func (r *chatChunkReader) read(data []byte) (*o2aChunk, error) {
	c := &r.chunk
	c.reset()
	if c.decodeFast(data) == nil {
		return c, nil
	}
	c.reset()
	if r.dec == nil {
		r.dec, r.fed = json.NewDecoder(&r.rd), 0
	}
	r.rd.Reset(data)
	r.fed += int64(len(data))
	err := r.dec.Decode(c)
	r.rd.Reset(nil) // data is the caller's
	if data[0] != '{' || r.dec.InputOffset() != r.fed || err != nil && !errors.As(err, new(*json.UnmarshalTypeError)) {
		r.dec = nil
		return nil, fmt.Errorf("upstream sent a chunk that is not one JSON object: %.200q", data)
	}
	return c, nil
}
