package presets

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"time"
)

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// Check reports every problem of p: what the data files promise (issue 17)
// is that every URL parses, every model has a window and an output limit,
// every Claude Code tier names a listed model, every price is in a stated
// currency and every preset says where its facts came from.
func (p *Preset) Check() error {
	var errs []error
	bad := func(format string, a ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{p.ID}, a...)...))
	}
	if !idPattern.MatchString(p.ID) {
		bad("id must be lower-case letters, digits and dashes")
	}
	if p.Name == "" {
		bad("name is missing")
	}
	for what, u := range map[string]string{"homepage": p.Homepage, "keys_url": p.KeysURL} {
		if u != "" && !isHTTPURL(u) {
			bad("%s %q is not an http(s) URL", what, u)
		}
	}
	e := p.Endpoints
	if e.OpenAI == "" && e.Anthropic == "" && e.Responses == "" {
		bad("no endpoint")
	}
	for what, u := range map[string]string{"openai": e.OpenAI, "anthropic": e.Anthropic, "responses": e.Responses} {
		if u != "" && !isHTTPURL(u) {
			bad("endpoint %s %q is not an http(s) URL", what, u)
		}
	}
	seen := map[string]bool{}
	priced := false
	for _, m := range p.Models {
		switch {
		case m.ID == "":
			bad("a model without an id")
		case seen[m.ID]:
			bad("model %q listed twice", m.ID)
		}
		seen[m.ID] = true
		if m.Context <= 0 || m.MaxOutput <= 0 {
			bad("model %q needs context and max_output (tokens)", m.ID)
		}
		if m.MaxOutput > m.Context {
			bad("model %q: max_output %d above its context %d", m.ID, m.MaxOutput, m.Context)
		}
		if m.Price != nil {
			priced = true
			if err := m.Price.check(); err != nil {
				bad("model %q: %v", m.ID, err)
			}
		}
	}
	if priced && p.Currency != "USD" && p.Currency != "CNY" {
		bad("currency %q: prices need USD or CNY", p.Currency)
	}
	tiers := map[string]string{"opus": p.ClaudeCode.Opus, "sonnet": p.ClaudeCode.Sonnet, "haiku": p.ClaudeCode.Haiku}
	for tier, id := range tiers {
		if id != "" && !seen[id] {
			bad("claude_code %s names %q, which is not in models", tier, id)
		}
		if id == "" && len(p.Models) > 0 {
			bad("claude_code %s is missing", tier)
		}
	}
	if len(p.Sources) == 0 {
		bad("no sources")
	}
	for _, s := range p.Sources {
		if !isHTTPURL(s.URL) {
			bad("source %q is not an http(s) URL", s.URL)
		}
		if _, err := time.Parse(time.DateOnly, s.Read); err != nil {
			bad("source %s: read %q is not a date (YYYY-MM-DD)", s.URL, s.Read)
		}
		if s.Facts == "" {
			bad("source %s does not say which facts it gave", s.URL)
		}
	}
	return errors.Join(errs...)
}

func (pr *Price) check() error {
	vals := []float64{pr.Input, pr.Output}
	for _, v := range []*float64{pr.CacheRead, pr.CacheWrite, pr.CacheWrite1h} {
		if v != nil {
			vals = append(vals, *v)
		}
	}
	for _, v := range vals {
		if v < 0 || v > 10000 {
			return fmt.Errorf("price %v per million tokens is out of range", v)
		}
	}
	if pr.Output == 0 && pr.Input == 0 {
		return errors.New("a price of 0 for input and output: omit the price instead (no price is not free)")
	}
	return nil
}

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
