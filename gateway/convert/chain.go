package convert

// Chain runs two stream converters in a row: the upstream's events go into
// first, what first emits goes into second, and what second emits goes to the
// client. The Responses API reaches Anthropic through Chat Completions this
// way (Responses ⇄ Chat ⇄ Messages, docs/decisions.md "Three protocols"), so
// each lossy spot stays in one pairwise converter.
//
// The commit point, the end and the failure events are second's (they are in
// the client's protocol); the usage is first's, which read it from the
// upstream itself.
func Chain(first, second StreamConverter) StreamConverter {
	return &chain{first: first, second: second}
}

type chain struct {
	first, second StreamConverter
}

func (c *chain) Convert(name string, data []byte) ([]Event, error) {
	mid, err := c.first.Convert(name, data)
	if err != nil {
		return nil, err
	}
	if len(mid) == 1 { // the common case: one event in, one out
		return c.second.Convert(mid[0].Name, mid[0].Data)
	}
	var out []Event
	for _, ev := range mid {
		outs, err := c.second.Convert(ev.Name, ev.Data)
		if err != nil {
			return nil, err
		}
		out = append(out, outs...)
	}
	return out, nil
}

func (c *chain) Started() bool { return c.second.Started() }

// Done is second's end; when first ended without making second end (an
// upstream stream that stopped without its final event in the middle
// protocol), the proxy sees the upstream's EOF and calls Fail.
func (c *chain) Done() bool { return c.second.Done() }

func (c *chain) Fail(message string) []Event { return c.second.Fail(message) }

func (c *chain) Usage() Usage {
	if u := c.first.Usage(); u != (Usage{}) {
		return u
	}
	return c.second.Usage()
}
