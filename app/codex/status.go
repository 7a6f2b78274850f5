package codex

import (
	"strings"
	"time"

	"github.com/modelswitch/modelswitch/app/agentconfig"
	"github.com/pelletier/go-toml/v2"
)

// settings are the provider and model Codex will use, as config.toml says.
type settings struct {
	provider, baseURL, model string
	providerSet              bool
}

// effective reads the model_provider and model in force (an active
// profile's win over the top-level keys) and that provider's base_url.
func effective(sem map[string]any) settings {
	var out settings
	str := func(path ...string) (string, bool) {
		v, ok := lookup(sem, path...)
		s, _ := v.(string)
		return s, ok
	}
	out.provider, out.providerSet = str("model_provider")
	out.model, _ = str("model")
	if p, ok := str("profile"); ok {
		if v, set := str("profiles", p, "model_provider"); set {
			out.provider, out.providerSet = v, true
		}
		if v, set := str("profiles", p, "model"); set {
			out.model = v
		}
	}
	if out.provider != "" {
		out.baseURL, _ = str("model_providers", out.provider, "base_url")
	}
	return out
}

// Status reads the live config.toml (never a cache), so a tray checkbox
// built on it shows what Codex will actually use.
func (s *Switch) Status() (Status, error) {
	path := s.cfg.ConfigPath
	out := Status{Path: path}
	st, err := loadState(s.cfg.StatePath)
	if err != nil {
		return out, err
	}
	f, err := agentconfig.Read(path)
	if err != nil {
		return out, wrap(err)
	}
	var sem map[string]any
	if err := toml.Unmarshal(f.Text, &sem); err != nil {
		return out, parseError(path, err)
	}
	ours := ""
	if s.cfg.BaseURL != "" {
		ours = providerURL(s.cfg.BaseURL)
	}
	if st != nil && st.Config == path {
		ours = st.Ours[keyBaseURL.ID].str()
	}
	now := effective(sem)
	out.Exists, out.Recorded = f.Exists, st != nil
	out.Provider, out.BaseURL, out.Model = now.provider, now.baseURL, now.model
	out.Enabled = now.provider == ProviderID && ours != "" && sameURL(now.baseURL, ours)
	out.Foreign = now.providerSet && !out.Enabled
	out.ModelSet = out.Enabled && st != nil && now.model == st.Ours[keyModel.ID].str()
	return out, nil
}

// Enabled reports whether the live config.toml points Codex at the
// gateway; false when it cannot be read or parsed.
func (s *Switch) Enabled() bool {
	st, err := s.Status()
	return err == nil && st.Enabled
}

// Warning returns an error when Codex points at the gateway but the
// gateway does not answer (see CheckGateway); nil otherwise.
func (s *Switch) Warning(timeout time.Duration) error {
	st, err := s.Status()
	if err != nil || !st.Enabled {
		return err
	}
	return CheckGateway(st.BaseURL, timeout)
}

// CheckGateway asks the gateway behind a Codex base_url (…/v1) whether it
// runs (GET /health) and returns an error meant for the user when nothing
// answers with 2xx within timeout: every Codex request would then fail.
func CheckGateway(baseURL string, timeout time.Duration) error {
	root := strings.TrimSuffix(strings.TrimRight(baseURL, "/"), "/v1")
	return wrap(agentconfig.CheckGateway("Codex", baseURL, root, timeout))
}

func sameURL(a, b string) bool {
	return strings.TrimRight(a, "/") == strings.TrimRight(b, "/")
}
