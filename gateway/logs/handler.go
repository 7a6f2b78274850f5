package logs

import (
	"context"
	"log/slog"
	"slices"
)

// ringHandler turns records into ring items. It sits behind a redactor, so
// the attributes it receives are resolved, masked and immutable.
type ringHandler struct {
	ring  *Ring
	level slog.Leveler
	goas  []groupOrAttrs // from WithGroup/WithAttrs, outermost first; never modified
}

// groupOrAttrs is one WithGroup (group != "") or one WithAttrs call.
type groupOrAttrs struct {
	group string
	attrs []slog.Attr
}

func (h *ringHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level.Level() }

func (h *ringHandler) WithAttrs(as []slog.Attr) slog.Handler {
	if len(as) == 0 {
		return h
	}
	return h.with(groupOrAttrs{attrs: slices.Clone(as)})
}

func (h *ringHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	return h.with(groupOrAttrs{group: name})
}

func (h *ringHandler) with(g groupOrAttrs) *ringHandler {
	return &ringHandler{ring: h.ring, level: h.level, goas: append(slices.Clip(h.goas), g)}
}

func (h *ringHandler) Handle(_ context.Context, r slog.Record) error {
	it := item{time: r.Time, level: r.Level, msg: r.Message}
	n := r.NumAttrs()
	for _, g := range h.goas {
		n += len(g.attrs)
	}
	if n == 0 {
		h.ring.add(it)
		return nil
	}
	// Build the innermost level (the record's attributes), then wrap it in
	// each WithGroup and prepend each WithAttrs, from the inside out.
	attrs := make([]slog.Attr, 0, n)
	r.Attrs(func(a slog.Attr) bool {
		attrs = appendAttr(attrs, a)
		return true
	})
	for i := len(h.goas) - 1; i >= 0; i-- {
		g := h.goas[i]
		if g.group == "" {
			attrs = slices.Insert(attrs, 0, g.attrs...)
		} else if len(attrs) > 0 {
			attrs = []slog.Attr{{Key: g.group, Value: slog.GroupValue(attrs...)}}
		}
	}
	it.attrs = lift(&it, attrs)
	h.ring.add(it)
	return nil
}

// appendAttr follows slog's rules: empty attributes are dropped and a group
// with an empty key is inlined.
func appendAttr(as []slog.Attr, a slog.Attr) []slog.Attr {
	if a.Equal(slog.Attr{}) {
		return as
	}
	if a.Value.Kind() == slog.KindGroup && a.Key == "" {
		for _, m := range a.Value.Group() {
			as = appendAttr(as, m)
		}
		return as
	}
	return append(as, a)
}

// lift moves the top-level request_id, key_id, model and provider attributes
// into it's fields and returns the rest (reusing as). An auth.Key logged as
// "key" ({id, name}) also provides the key id.
func lift(it *item, as []slog.Attr) []slog.Attr {
	rest := as[:0]
	for _, a := range as {
		switch a.Key {
		case "request_id":
			it.requestID = a.Value.String()
		case "key_id":
			it.keyID = a.Value.String()
		case "model":
			it.model = a.Value.String()
		case "provider":
			it.provider = a.Value.String()
		case "key":
			if it.keyID == "" && a.Value.Kind() == slog.KindGroup {
				for _, m := range a.Value.Group() {
					if m.Key == "id" {
						it.keyID = m.Value.String()
					}
				}
			}
			rest = append(rest, a)
		default:
			rest = append(rest, a)
		}
	}
	if len(rest) == 0 {
		return nil
	}
	return rest
}
