package proxy

import (
	"context"
	"log/slog"
	"time"

	"github.com/modelswitch/modelswitch/gateway/auth"
	"github.com/modelswitch/modelswitch/gateway/conversations"
	"github.com/modelswitch/modelswitch/gateway/convert"
	"github.com/modelswitch/modelswitch/gateway/protocol"
	"github.com/modelswitch/modelswitch/gateway/router"
	"github.com/modelswitch/modelswitch/gateway/usage"
)

// UsageSink stores usage rows (package usage's Recorder).
type UsageSink interface{ Record(usage.Record) }

// ConversationSink stores conversation records (package conversations' Writer).
type ConversationSink interface{ Write(conversations.Record) }

// MetricsSink counts requests and attempts (package metrics).
type MetricsSink interface {
	Request(*usage.Record)
	Attempt(provider, outcome string)
}

// trace collects what one request did, for the usage row, the conversation
// record and the metrics. It is owned by the handler goroutine.
type trace struct {
	start         time.Time
	family        protocol.Family
	key           *auth.Key
	requestID     string
	in            *inbound
	modelName     string
	route         string // why modelName serves the client's model name, when not by its name ("alias claude-*haiku*")
	provider      string
	upstreamModel string
	attempts      []router.Attempt
	status        int
	err           string
	firstContent  time.Time
	upstreamBody  []byte         // the winning attempt's request
	output        convert.Output // what the client received
	usage         convert.Usage
	hasUsage      bool
}

// refuse records a request the gateway answered itself with an error.
func (t *trace) refuse(e *protocol.Error) { t.status, t.err = e.Status, e.Message }

// record hands the finished request to the sinks.
func (h *Handler) record(t *trace) {
	end := time.Now()
	if t.status == 0 {
		t.status = 200
	}
	u := t.usage
	if !t.hasUsage && t.output.HasUsage {
		u = t.output.Usage
	}
	rec := usage.Record{RequestID: t.requestID, Time: t.start, Model: t.modelName, Provider: t.provider,
		UpstreamModel: t.upstreamModel, Protocol: t.family.String(), Status: t.status, Attempts: countTried(t.attempts),
		Error: t.err, InputTokens: u.Input, OutputTokens: u.Output, CacheReadTokens: u.CacheRead,
		CacheWriteTokens: u.CacheWrite, CacheWrite1hTokens: u.CacheWrite1h, ReasoningTokens: u.Reasoning, Estimated: u.Estimated,
		LatencyMs: end.Sub(t.start).Milliseconds()}
	if t.key != nil {
		rec.KeyID, rec.KeyName = t.key.ID, t.key.Name
	}
	if t.in != nil {
		rec.Stream = t.in.stream
	}
	if rec.Provider == "" && len(t.attempts) > 0 { // failed: name the last adapter tried
		last := t.attempts[len(t.attempts)-1].Target
		rec.Provider, rec.UpstreamModel = last.Provider, last.Model
	}
	if !t.firstContent.IsZero() {
		rec.TTFTMs = t.firstContent.Sub(t.start).Milliseconds()
	}
	h.price(&rec)
	h.logRequest(&rec, t)
	if h.Usage != nil {
		h.Usage.Record(rec)
	}
	if h.Metrics != nil {
		h.Metrics.Request(&rec)
		for _, a := range t.attempts {
			h.Metrics.Attempt(a.Target.Provider, attemptOutcome(a))
		}
	}
	if h.Conversations != nil && t.in != nil {
		h.Conversations.Write(conversationRecord(&rec, t))
	}
}

// releaseBody lets the handler's hold on the request body go.
func (t *trace) releaseBody() {
	if t.in != nil && t.in.held != nil {
		t.in.held.Release()
	}
}

func countTried(attempts []router.Attempt) int {
	n := 0
	for _, a := range attempts {
		if !a.Skipped {
			n++
		}
	}
	return n
}

func attemptOutcome(a router.Attempt) string {
	switch {
	case a.Skipped:
		return "skipped"
	case a.Err != nil:
		return "failure"
	}
	return "success"
}

func conversationRecord(rec *usage.Record, t *trace) conversations.Record {
	c := conversations.Record{ID: rec.RequestID, Time: rec.Time, KeyID: rec.KeyID, KeyName: rec.KeyName,
		Model: rec.Model, Provider: rec.Provider, UpstreamModel: rec.UpstreamModel, Protocol: rec.Protocol,
		Stream: rec.Stream, Status: rec.Status, Error: rec.Error, LatencyMs: rec.LatencyMs, TTFTMs: rec.TTFTMs,
		Request: t.in.body, UpstreamRequest: t.upstreamBody, Release: t.in.held.recordRelease(),
		Usage: conversations.Usage{Input: rec.InputTokens, Output: rec.OutputTokens, CacheRead: rec.CacheReadTokens,
			CacheWrite: rec.CacheWriteTokens, Reasoning: rec.ReasoningTokens, Estimated: rec.Estimated},
		Output: conversations.Output{Text: t.output.Text, Thinking: t.output.Thinking, StopReason: t.output.StopReason},
	}
	if t.route != "" {
		c.RequestedModel, c.Route = t.in.model, t.route
	}
	for _, tc := range t.output.ToolCalls {
		c.Output.ToolCalls = append(c.Output.ToolCalls, conversations.ToolCall{ID: tc.ID, Name: tc.Name, Arguments: tc.Arguments})
	}
	for _, a := range t.attempts {
		ca := conversations.Attempt{Provider: a.Target.Provider, Model: a.Target.Model, Skipped: a.Skipped}
		if a.Err != nil {
			ca.Error = a.Err.Error()
		}
		c.Attempts = append(c.Attempts, ca)
	}
	return c
}

// logRequest writes one line per request: INFO when it succeeded, WARN
// otherwise, with what the admin UI's Logs tab shows and filters on.
func (h *Handler) logRequest(rec *usage.Record, t *trace) {
	level := slog.LevelInfo
	if !rec.Success() {
		level = slog.LevelWarn
	}
	if !h.Log.Enabled(context.Background(), level) {
		return
	}
	attrs := []slog.Attr{slog.String("request_id", rec.RequestID), slog.String("key_id", rec.KeyID),
		slog.String("model", rec.Model), slog.String("provider", rec.Provider), slog.Int("status", rec.Status),
		slog.Int64("latency_ms", rec.LatencyMs), slog.Bool("stream", rec.Stream),
		slog.Int("input_tokens", rec.InputTokens), slog.Int("output_tokens", rec.OutputTokens)}
	if t.route != "" {
		attrs = append(attrs, slog.String("requested_model", t.in.model), slog.String("route", t.route))
	}
	if rec.Error != "" {
		attrs = append(attrs, slog.String("error", rec.Error))
	}
	if len(t.attempts) > 1 || (len(t.attempts) == 1 && t.attempts[0].Err != nil) {
		tried := make([]string, 0, len(t.attempts))
		for _, a := range t.attempts {
			s := a.Target.String() + ": ok"
			if a.Err != nil {
				s = a.Target.String() + ": " + a.Err.Error()
			}
			tried = append(tried, s)
		}
		attrs = append(attrs, slog.Any("attempts", tried))
	}
	h.Log.LogAttrs(context.Background(), level, rec.Protocol+" request", attrs...)
}
