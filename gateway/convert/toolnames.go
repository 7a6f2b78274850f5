package convert

import (
	"crypto/sha256"
	"encoding/hex"
)

// maxToolName is OpenAI's limit on function names ([A-Za-z0-9_-]{1,64}).
const maxToolName = 64

// ToolNames maps client tool names to names an OpenAI-style upstream accepts
// and back (pitfall 23). Names that already fit are not in the map. A nil
// *ToolNames maps every name to itself.
type ToolNames struct {
	toUpstream map[string]string
	toClient   map[string]string
}

// Upstream returns the name to send upstream for a client's tool name,
// shortening it reversibly when needed.
func (n *ToolNames) Upstream(name string) string {
	if validToolName(name) {
		return name
	}
	if u, ok := n.toUpstream[name]; ok {
		return u
	}
	u := shortenToolName(name)
	if n.toUpstream == nil {
		n.toUpstream, n.toClient = map[string]string{}, map[string]string{}
	}
	n.toUpstream[name], n.toClient[u] = u, name
	return u
}

// Client returns the client's name for a name the upstream used.
func (n *ToolNames) Client(name string) string {
	if n == nil {
		return name
	}
	if c, ok := n.toClient[name]; ok {
		return c
	}
	return name
}

func validToolName(s string) bool {
	if s == "" || len(s) > maxToolName {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// shortenToolName keeps a readable prefix with invalid characters replaced and
// appends a hash of the full name, so distinct names stay distinct.
func shortenToolName(s string) string {
	sum := sha256.Sum256([]byte(s))
	suffix := "_" + hex.EncodeToString(sum[:4])
	keep := maxToolName - len(suffix)
	b := make([]byte, 0, maxToolName)
	for i := 0; i < len(s) && len(b) < keep; i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			c = '_'
		}
		b = append(b, c)
	}
	return string(b) + suffix
}
