package mock_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"

	"github.com/modelswitch/modelswitch/bench/bodies"
	"github.com/modelswitch/modelswitch/bench/mock"
)

const want5 = "tok0 tok1 tok2 tok3 tok4 "

// TestResponsesStream reads the mock's Responses stream event by event: each
// data line decodes as the official SDK's ResponseStreamEventUnion, its type
// is the event: name, sequence numbers count from 0, the events come in
// OpenAI's order with one delta per token, and only the delta lines carry
// the token markers the load generator counts.
func TestResponsesStream(t *testing.T) {
	srv := httptest.NewServer(&mock.Server{Chunks: 5})
	defer srv.Close()
	for _, body := range [][]byte{bodies.ResponsesSmall("m", true), bodies.Codex("m", true)} {
		resp, err := http.Post(srv.URL+"/v1/responses", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
			t.Fatalf("Content-Type %q", ct)
		}
		var types []string
		var name, deltas string
		var final responses.Response
		markers := 0
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			line := sc.Text()
			if v, ok := strings.CutPrefix(line, "event: "); ok {
				name = v
				continue
			}
			data, ok := strings.CutPrefix(line, "data: ")
			if !ok {
				continue
			}
			var ev responses.ResponseStreamEventUnion
			if err := json.Unmarshal([]byte(data), &ev); err != nil {
				t.Fatalf("%s: %v", data, err)
			}
			if ev.Type != name {
				t.Errorf("event: %s carries type %s", name, ev.Type)
			}
			if ev.SequenceNumber != int64(len(types)) {
				t.Errorf("%s: sequence_number %d, want %d", ev.Type, ev.SequenceNumber, len(types))
			}
			types = append(types, ev.Type)
			if strings.Contains(data, mock.ResponsesChunkMarker) {
				markers++
			}
			switch ev.Type {
			case "response.output_text.delta":
				deltas += ev.AsResponseOutputTextDelta().Delta
			case "response.output_text.done":
				if got := ev.AsResponseOutputTextDone().Text; got != want5 {
					t.Errorf("output_text.done text %q", got)
				}
			case "response.completed":
				final = ev.AsResponseCompleted().Response
			}
		}
		resp.Body.Close()
		wantTypes := []string{"response.created", "response.in_progress", "response.output_item.added", "response.content_part.added"}
		for range 5 {
			wantTypes = append(wantTypes, "response.output_text.delta")
		}
		wantTypes = append(wantTypes, "response.output_text.done", "response.content_part.done", "response.output_item.done", "response.completed")
		if strings.Join(types, " ") != strings.Join(wantTypes, " ") {
			t.Errorf("events %v\nwant %v", types, wantTypes)
		}
		if deltas != want5 || markers != 5 {
			t.Errorf("deltas %q, %d lines with %s", deltas, markers, mock.ResponsesChunkMarker)
		}
		if final.Status != "completed" || final.OutputText() != want5 || final.Usage.InputTokens != 12 ||
			final.Usage.InputTokensDetails.CachedTokens != 4 || final.Usage.OutputTokens != 5 || final.Usage.TotalTokens != 17 {
			t.Errorf("response.completed: status %s, text %q, usage %+v", final.Status, final.OutputText(), final.Usage)
		}
	}
}

// TestResponsesSDK sends a whole and a streamed request with the official
// Go SDK, whose stream reader checks the SSE framing itself.
func TestResponsesSDK(t *testing.T) {
	srv := httptest.NewServer(&mock.Server{Chunks: 5})
	defer srv.Close()
	c := openai.NewClient(option.WithBaseURL(srv.URL+"/v1/"), option.WithAPIKey("k"), option.WithMaxRetries(0))
	p := responses.ResponseNewParams{Model: "m", Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("hi")}}
	r, err := c.Responses.New(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if r.OutputText() != want5 || r.Usage.InputTokensDetails.CachedTokens != 4 || r.Output[0].ID != "msg_mock" {
		t.Errorf("whole: text %q, usage %+v", r.OutputText(), r.Usage)
	}
	s := c.Responses.NewStreaming(context.Background(), p)
	var text, final string
	for s.Next() {
		switch ev := s.Current(); ev.Type {
		case "response.output_text.delta":
			text += ev.Delta
		case "response.completed":
			final = ev.Response.OutputText()
		}
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	if text != want5 || final != want5 {
		t.Errorf("stream: deltas %q, completed %q", text, final)
	}
}
