package proxy

import (
	"github.com/modelswitch/modelswitch/gateway/config"
	"github.com/modelswitch/modelswitch/gateway/convert"
	"github.com/modelswitch/modelswitch/gateway/protocol"
	"github.com/modelswitch/modelswitch/gateway/upstream"
)

// lane is how a request travels to one upstream: byte pass-through when the
// client and the upstream speak the same protocol, else one of six
// conversions. The Responses API reaches Anthropic through Chat Completions
// (two pairwise converters in a row, docs/decisions.md "Three protocols").
type lane uint8

const (
	passThrough          lane = iota // same protocol: bytes with model (and params) rewritten
	anthropicToOpenAI                // Anthropic client, Chat Completions upstream
	openAIToAnthropic                // Chat Completions client, Anthropic upstream
	responsesToOpenAI                // Responses client, Chat Completions upstream
	responsesToAnthropic             // Responses client, Anthropic upstream (via Chat)
	openAIToResponses                // Chat Completions client, Responses upstream
	anthropicToResponses             // Anthropic client, Responses upstream (via Chat)
)

var lanes = map[[2]string]lane{
	{"anthropic", config.ProtocolOpenAI}:    anthropicToOpenAI,
	{"openai", config.ProtocolAnthropic}:    openAIToAnthropic,
	{"responses", config.ProtocolOpenAI}:    responsesToOpenAI,
	{"responses", config.ProtocolAnthropic}: responsesToAnthropic,
	{"openai", config.ProtocolResponses}:    openAIToResponses,
	{"anthropic", config.ProtocolResponses}: anthropicToResponses,
}

// laneFor: a client family's name is the name of the upstream protocol it
// speaks (protocol.Family.String).
func laneFor(client protocol.Family, upstreamProtocol string) lane {
	return lanes[[2]string{client.String(), upstreamProtocol}] // passThrough when absent
}

func endpointFor(upstreamProtocol string) string {
	switch upstreamProtocol {
	case config.ProtocolAnthropic:
		return upstream.Messages
	case config.ProtocolResponses:
		return upstream.Responses
	}
	return upstream.ChatCompletions
}

// convertRequest converts the client's original body for a converted lane.
// The middle step of a two-step lane keeps the defaults: what opt says is
// about the upstream, which only the last step talks to.
func (ex *exchange) convertRequest(l lane, opt convert.Options) (body []byte, names *convert.ToolNames, err error) {
	in := ex.in.body
	mid := convert.Options{UpstreamModel: opt.UpstreamModel, IncludeUsage: true}
	switch l {
	case anthropicToOpenAI:
		return convert.AnthropicToOpenAIRequest(in, opt)
	case openAIToAnthropic:
		body, err = convert.OpenAIToAnthropicRequest(in, opt)
	case responsesToOpenAI:
		if err = ex.responsesOnly(); err == nil {
			body, err = convert.ResponsesRequestToChat(ex.rs.req, opt)
		}
	case responsesToAnthropic:
		if err = ex.responsesOnly(); err == nil {
			if body, err = convert.ResponsesRequestToChat(ex.rs.req, mid); err == nil {
				body, err = convert.OpenAIToAnthropicRequest(body, opt)
			}
		}
	case openAIToResponses:
		body, err = convert.ChatToResponsesRequest(in, opt)
	case anthropicToResponses:
		if body, names, err = convert.AnthropicToOpenAIRequest(in, mid); err == nil {
			body, err = convert.ChatToResponsesRequest(body, opt)
		}
	}
	return body, names, err
}

// convertResponse turns a whole upstream answer into the client's protocol.
func (ex *exchange) convertResponse(out *outbound, b []byte) ([]byte, error) {
	model := ex.in.model
	var err error
	if ex.rs != nil {
		ex.rs.whole = nil // not an earlier attempt's
	}
	switch out.lane {
	case anthropicToOpenAI:
		b, _, err = convert.OpenAIToAnthropicResponse(b, out.names, model)
	case openAIToAnthropic:
		b, _, err = convert.AnthropicToOpenAIResponse(b, model)
	case responsesToOpenAI:
		b, ex.rs.whole, _, err = convert.ChatToResponsesResponse(b, ex.respMeta())
	case responsesToAnthropic:
		if b, _, err = convert.AnthropicToOpenAIResponse(b, model); err == nil {
			b, ex.rs.whole, _, err = convert.ChatToResponsesResponse(b, ex.respMeta())
		}
	case openAIToResponses:
		b, _, err = convert.ResponsesToChatResponse(b, model)
	case anthropicToResponses:
		if b, _, err = convert.ResponsesToChatResponse(b, model); err == nil {
			b, _, err = convert.OpenAIToAnthropicResponse(b, out.names, model)
		}
	}
	return b, err
}

// newStreamConverter returns the stream state machine for the lane.
func (ex *exchange) newStreamConverter(out *outbound) convert.StreamConverter {
	model, estimate := ex.in.model, len(ex.in.body)/4
	switch out.lane {
	case anthropicToOpenAI:
		return convert.NewAnthropicStream(model, out.names, estimate)
	case openAIToAnthropic:
		return convert.NewOpenAIStream(model, includeUsage(ex.in))
	case responsesToOpenAI:
		ex.rs.stream = convert.NewResponsesStream(ex.respMeta())
		return ex.rs.stream
	case responsesToAnthropic:
		ex.rs.stream = convert.NewResponsesStream(ex.respMeta())
		return convert.Chain(convert.NewOpenAIStream(model, true), ex.rs.stream)
	case openAIToResponses:
		return convert.NewChatStreamFromResponses(model, includeUsage(ex.in))
	case anthropicToResponses:
		return convert.Chain(convert.NewChatStreamFromResponses(model, true), convert.NewAnthropicStream(model, out.names, estimate))
	}
	return nil
}
