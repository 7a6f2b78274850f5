package convert

import "encoding/json"

// openAIUsage covers the usage shapes OpenAI-compatible servers send.
type openAIUsage struct {
	PromptTokens        int `json:"prompt_tokens"`
	CompletionTokens    int `json:"completion_tokens"`
	PromptTokensDetails struct {
		CachedTokens     int `json:"cached_tokens"`
		CacheWriteTokens int `json:"cache_write_tokens"`
	} `json:"prompt_tokens_details"`
	CompletionTokensDetails struct {
		ReasoningTokens int `json:"reasoning_tokens"`
	} `json:"completion_tokens_details"`
	// Variants seen on DeepSeek and others.
	PromptCacheHitTokens int `json:"prompt_cache_hit_tokens"`
	CacheCreationTokens  int `json:"cache_creation_input_tokens"`
}

// UsageFromOpenAI normalises an OpenAI usage object. prompt_tokens includes
// cached tokens there, so they are subtracted to get Anthropic-style input.
func UsageFromOpenAI(raw json.RawMessage) (Usage, bool) {
	if len(raw) == 0 || string(raw) == "null" {
		return Usage{}, false
	}
	var u openAIUsage
	if u.decodeFast(raw) != nil { // see response_fast.go
		if u = (openAIUsage{}); json.Unmarshal(raw, &u) != nil {
			return Usage{}, false
		}
	}
	read := u.PromptTokensDetails.CachedTokens
	if read == 0 {
		read = u.PromptCacheHitTokens
	}
	write := u.PromptTokensDetails.CacheWriteTokens
	if write == 0 {
		write = u.CacheCreationTokens
	}
	in := u.PromptTokens - read - write
	if in < 0 {
		in = 0
	}
	return Usage{Input: in, Output: u.CompletionTokens, CacheRead: read, CacheWrite: write,
		Reasoning: u.CompletionTokensDetails.ReasoningTokens}, true
}

// anthropicUsage is Anthropic's usage object.
type anthropicUsage struct {
	InputTokens              int `json:"input_tokens"`
	OutputTokens             int `json:"output_tokens"`
	CacheReadInputTokens     int `json:"cache_read_input_tokens"`
	CacheCreationInputTokens int `json:"cache_creation_input_tokens"`
	// CacheCreation splits the writes by lifetime (extended cache TTL).
	CacheCreation struct {
		Ephemeral1h int `json:"ephemeral_1h_input_tokens"`
	} `json:"cache_creation"`
}

// UsageFromAnthropic reads an Anthropic usage object (already normalised).
func UsageFromAnthropic(raw json.RawMessage) (Usage, bool) {
	if len(raw) == 0 || string(raw) == "null" {
		return Usage{}, false
	}
	var u anthropicUsage
	if u.decodeFast(raw) != nil {
		if u = (anthropicUsage{}); json.Unmarshal(raw, &u) != nil {
			return Usage{}, false
		}
	}
	return Usage{Input: u.InputTokens, Output: u.OutputTokens, CacheRead: u.CacheReadInputTokens,
		CacheWrite: u.CacheCreationInputTokens, CacheWrite1h: u.CacheCreation.Ephemeral1h}, true
}

// AnthropicUsageJSON is the usage object Anthropic clients expect.
type AnthropicUsageJSON struct {
	InputTokens              int `json:"input_tokens"`
	OutputTokens             int `json:"output_tokens"`
	CacheReadInputTokens     int `json:"cache_read_input_tokens"`
	CacheCreationInputTokens int `json:"cache_creation_input_tokens"`
}

// Anthropic renders u for an Anthropic client.
func (u Usage) Anthropic() AnthropicUsageJSON {
	return AnthropicUsageJSON{u.Input, u.Output, u.CacheRead, u.CacheWrite}
}

// OpenAIUsageJSON is the usage object OpenAI clients expect.
type OpenAIUsageJSON struct {
	PromptTokens        int `json:"prompt_tokens"`
	CompletionTokens    int `json:"completion_tokens"`
	TotalTokens         int `json:"total_tokens"`
	PromptTokensDetails struct {
		CachedTokens int `json:"cached_tokens"`
	} `json:"prompt_tokens_details"`
	CompletionTokensDetails struct {
		ReasoningTokens int `json:"reasoning_tokens"`
	} `json:"completion_tokens_details"`
}

// OpenAI renders u for an OpenAI client: prompt tokens include cache reads and writes.
func (u Usage) OpenAI() OpenAIUsageJSON {
	var o OpenAIUsageJSON
	o.PromptTokens = u.Input + u.CacheRead + u.CacheWrite
	o.CompletionTokens = u.Output
	o.TotalTokens = o.PromptTokens + o.CompletionTokens
	o.PromptTokensDetails.CachedTokens = u.CacheRead
	o.CompletionTokensDetails.ReasoningTokens = u.Reasoning
	return o
}
