package convert

// The user and assistant turns of AnthropicToOpenAIRequest (split from
// anthropic_request.go to keep files short).

import (
	"fmt"
	"strings"
)

func (c *areqConv) user(blocks []areqBlock, path areqPath) error {
	var parts []areqPart
	answered := map[string]bool{}
	for j, b := range blocks {
		p := func() string { return fmt.Sprintf("%s.content[%d]", path(), j) }
		switch b.Type {
		case "text":
			if strings.TrimSpace(b.Text) != "" { // pitfall 17
				parts = append(parts, areqPart{Type: "text", Text: b.Text})
			}
		case "image":
			part, err := areqImage(b.Source, p()+".source")
			if err != nil {
				return err
			}
			parts = append(parts, part)
		case "document":
			text, err := areqDocument(b.Source, p())
			if err != nil {
				return err
			}
			if strings.TrimSpace(text) != "" {
				parts = append(parts, areqPart{Type: "text", Text: text})
			}
		case "tool_result":
			if !areqContains(c.pending, b.ToolUseID) || answered[b.ToolUseID] {
				return badRequest("%s: tool_result for tool_use_id %q has no matching tool_use in the preceding assistant message", p(), b.ToolUseID)
			}
			answered[b.ToolUseID] = true
			text, err := areqToolResult(b, p(), c.names, c.fast)
			if err != nil {
				return err
			}
			c.msgs = append(c.msgs, areqOutMsg{Role: "tool", ToolCallID: b.ToolUseID, Content: text})
		default:
			return areqBadBlock(b.Type, p(), "a user")
		}
	}
	var missing []string
	for _, id := range c.pending {
		if !answered[id] {
			missing = append(missing, id)
		}
	}
	c.pending = missing
	c.answerPending()
	if len(parts) == 0 {
		return nil
	}
	m := areqOutMsg{Role: "user", Content: parts}
	if texts, ok := areqOnlyText(parts); ok {
		m.Content = strings.Join(texts, "\n\n") // P2: never " "
	}
	c.msgs = append(c.msgs, m)
	return nil
}

func (c *areqConv) assistant(blocks []areqBlock, path areqPath, i int) error {
	c.answerPending()
	var texts, thinking []string
	m := areqOutMsg{Role: "assistant"}
	for j, b := range blocks {
		p := func() string { return fmt.Sprintf("%s.content[%d]", path(), j) }
		switch b.Type {
		case "text":
			if strings.TrimSpace(b.Text) != "" {
				texts = append(texts, b.Text)
			}
		case "thinking": // the signature is never sent (pitfalls 18, 26)
			if strings.TrimSpace(b.Thinking) != "" {
				thinking = append(thinking, b.Thinking)
			}
		case "redacted_thinking": // encrypted: nothing an OpenAI upstream can read
		case "tool_use":
			if b.ID == "" || b.Name == "" {
				return badRequest("%s: tool_use needs a non-empty id and name", p())
			}
			if areqContains(m.toolIDs, b.ID) {
				return badRequest("%s.id: duplicate tool_use id %q", p(), b.ID)
			}
			args, err := areqArguments(b.Input, func() string { return p() + ".input" })
			if err != nil {
				return err
			}
			m.ToolCalls = append(m.ToolCalls, areqOutCall{ID: b.ID, Type: "function",
				Function: areqFunc{Name: c.names.Upstream(b.Name), Arguments: &args}})
			m.toolIDs = append(m.toolIDs, b.ID)
		default:
			return areqBadBlock(b.Type, p(), "an assistant")
		}
	}
	if len(texts) == 0 && len(m.ToolCalls) == 0 {
		return nil // nothing an OpenAI upstream accepts (thinking alone is not a turn)
	}
	if len(texts) > 0 { // pitfall 16: all text first, then the tool calls
		m.Content = strings.Join(texts, "\n\n")
	}
	if c.opt.Reasoning == "reasoning_content" && len(thinking) > 0 {
		m.ReasoningContent = strings.Join(thinking, "\n\n")
	}
	c.msgs = append(c.msgs, m)
	c.pending, c.pendingAt = m.toolIDs, i
	return nil
}
