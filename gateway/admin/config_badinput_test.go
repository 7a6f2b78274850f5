package admin

import (
	"net/http"
	"strings"
	"testing"

	"github.com/modelswitch/modelswitch/gateway/protocol"
)

type errorBody struct {
	Error struct {
		Message string                `json:"message"`
		Fields  []protocol.FieldError `json:"fields"`
	} `json:"error"`
}

// TestBadInput: every bad request gets the right status and a message naming
// the problem, and the file on disk is not touched.
func TestBadInput(t *testing.T) {
	h := newHarness(t, fixtureYAML)
	ci, admin := findKey(t, h, "ci"), findKey(t, h, "admin")
	longName := `{"name": "dup", "roles": ["user"]}`
	if rec := h.do("POST", "/api/keys", longName); rec.Code != http.StatusCreated {
		t.Fatalf("setup: %d %s", rec.Code, rec.Body)
	}
	cases := []struct {
		name, method, target, body string
		status                     int
		message                    []string // all in the error message
		field                      string   // a field of the error, when set
	}{
		{"malformed JSON", "POST", "/api/config/providers", `{"name": "x",`, 400, []string{"invalid JSON"}, ""},
		{"not an object", "POST", "/api/keys", `["name"]`, 400, []string{"must be a JSON object", "a list"}, ""},
		{"empty body", "PUT", "/api/config/models/glm-5", ``, 400, []string{"body is empty"}, ""},
		{"duplicate provider", "POST", "/api/config/providers", `{"name": "dashscope", "base_url": "http://x/v1"}`, 409,
			[]string{`provider "dashscope" already exists`}, ""},
		{"provider without base_url", "POST", "/api/config/providers", `{"name": "x"}`, 400, []string{"base_url", "required"}, "base_url"},
		{"wrong type", "POST", "/api/config/providers", `{"name": "x", "base_url": "http://x/v1", "max_concurrent": "4"}`, 400,
			[]string{"max_concurrent", "must be an integer", "a string"}, "max_concurrent"},
		{"fraction for an integer", "PUT", "/api/config/providers/dashscope", `{"max_queue_size": 1.5}`, 400,
			[]string{"max_queue_size: must be an integer, not the number 1.5"}, "max_queue_size"},
		{"wrong nested type", "PUT", "/api/config/providers/dashscope", `{"timeouts": {"idle": "long"}}`, 400,
			[]string{"timeouts.idle: must be a number"}, "timeouts.idle"},
		{"unknown field", "PUT", "/api/config/providers/dashscope", `{"enabeld": false}`, 400, []string{"enabeld", "unknown field"}, "enabeld"},
		{"unknown protocol", "PUT", "/api/config/providers/dashscope", `{"provider": "gemini"}`, 400, []string{"provider", `unknown value "gemini"`}, "provider"},
		{"negative", "PUT", "/api/config/providers/dashscope", `{"max_concurrent": -1}`, 400, []string{"max_concurrent", "negative"}, ""},
		{"masked key on create", "POST", "/api/config/providers", `{"name": "x", "base_url": "http://x/v1", "api_key": "sk-****abcd"}`, 400,
			[]string{"api_key", "masked"}, "api_key"},
		{"invalid base_url (validation)", "PUT", "/api/config/providers/dashscope", `{"base_url": "ftp:/nowhere"}`, 400,
			[]string{"base_url", "not an http"}, "providers[1].base_url"},
		{"unknown provider", "PUT", "/api/config/providers/nope", `{"enabled": true}`, 404, []string{`provider "nope" does not exist`}, ""},
		{"rename onto another", "PUT", "/api/config/providers/staging", `{"name": "dashscope"}`, 409, []string{"already exists"}, ""},
		{"delete unknown provider", "DELETE", "/api/config/providers/nope", ``, 404, []string{"nope"}, ""},
		{"delete provider in use", "DELETE", "/api/config/providers/dashscope", ``, 409, []string{`"glm-5", "qwen-plus"`, "force=true"}, "models.glm-5"},
		{"bad force", "DELETE", "/api/config/providers/staging?force=maybe", ``, 400, []string{"force"}, "force"},
		{"toggle unknown provider", "PATCH", "/api/config/providers/nope/toggle", ``, 404, []string{"nope"}, ""},
		{"test unknown provider", "POST", "/api/config/providers/nope/test", ``, 404, []string{"nope"}, ""},
		{"model on a missing provider", "POST", "/api/config/models",
			`{"name": "m", "adapters": [{"adapter": "nope", "model_name": "x"}]}`, 400, []string{`provider "nope" does not exist`}, "adapters[0].adapter"},
		{"model update onto a missing provider", "PUT", "/api/config/models/glm-5",
			`{"adapters": [{"adapter": "dashscope", "model_name": "x"}, {"adapter": "gone", "model_name": "y"}]}`, 400,
			[]string{`provider "gone" does not exist`}, "adapters[1].adapter"},
		{"duplicate model", "POST", "/api/config/models", `{"name": "glm-5", "adapters": []}`, 409, []string{`model "glm-5" already exists`}, ""},
		{"model without name", "POST", "/api/config/models", `{"adapters": []}`, 400, []string{"name", "required"}, "name"},
		{"adapter without model_name", "POST", "/api/config/models", `{"name": "m", "adapters": [{"adapter": "dashscope"}]}`, 400,
			[]string{"adapters[0].model_name", "required"}, "adapters[0].model_name"},
		{"adapter not an object", "POST", "/api/config/models", `{"name": "m", "adapters": ["dashscope"]}`, 400,
			[]string{"adapters[0]", "must be an object"}, "adapters[0]"},
		{"unknown mode", "PUT", "/api/config/models/glm-5", `{"mode": "fastest"}`, 400, []string{"mode", `"fastest"`}, "mode"},
		{"rename model onto another", "PUT", "/api/config/models/glm-5", `{"name": "claude"}`, 409, []string{"already exists"}, ""},
		{"unknown model", "DELETE", "/api/config/models/nope", ``, 404, []string{`model "nope" does not exist`}, ""},
		{"bad test type", "POST", "/api/config/models/glm-5/test?test_type=vision", ``, 400, []string{"test_type"}, "test_type"},
		{"test unknown model", "POST", "/api/config/models/nope/test", ``, 404, []string{"nope"}, ""},
		{"unknown role", "POST", "/api/keys", `{"name": "x", "roles": ["superuser"]}`, 400, []string{`unknown role "superuser"`}, "roles"},
		{"expiry not a date", "POST", "/api/keys", `{"name": "x", "expires_at": "next tuesday"}`, 400,
			[]string{"expires_at", `"next tuesday" is not a date`}, "expires_at"},
		{"expiry of the wrong type", "PUT", "/api/keys/" + ci, `{"expires_at": 20261231}`, 400, []string{"expires_at: must be a string"}, "expires_at"},
		{"roles not a list", "PUT", "/api/keys/" + ci, `{"roles": "admin"}`, 400, []string{"roles: must be a list of strings"}, "roles"},
		{"allowed model that does not exist", "PUT", "/api/keys/" + ci, `{"allowed_models": ["glm-5", "gpt-9"]}`, 400,
			[]string{`model "gpt-9" does not exist`}, "allowed_models"},
		{"secret on create", "POST", "/api/keys", `{"name": "x", "key": "sk-mine"}`, 400, []string{"key", "chosen by the gateway"}, "key"},
		{"secret on update", "PUT", "/api/keys/" + ci, `{"key": "sk-new-secret-value"}`, 400, []string{"key", "cannot be changed"}, "key"},
		{"duplicate key name", "POST", "/api/keys", `{"name": "ci"}`, 409, []string{`"ci" already exists`}, ""},
		{"rename key onto another", "PUT", "/api/keys/" + ci, `{"name": "dup"}`, 409, []string{`"dup" already exists`}, ""},
		{"unknown key id", "PUT", "/api/keys/key_000000000000", `{"name": "x"}`, 404, []string{`"key_000000000000" does not exist`}, ""},
		{"delete unknown key", "DELETE", "/api/keys/key_000000000000", ``, 404, []string{"key_000000000000"}, ""},
		{"toggle unknown key", "PATCH", "/api/keys/key_nope/toggle", ``, 404, []string{"key_nope"}, ""},
		{"lock-out by delete", "DELETE", "/api/keys/" + admin, ``, 409, []string{"no enabled key with the admin role"}, ""},
		{"lock-out by toggle", "PATCH", "/api/keys/" + admin + "/toggle", ``, 409, []string{"admin role"}, ""},
		{"lock-out by roles", "PUT", "/api/keys/" + admin, `{"roles": ["user"]}`, 409, []string{"admin role"}, ""},
		{"whole: several problems", "PUT", "/api/config", `{"gateway": {"port": 70000, "log_bodies": "some"}, "providers": [{"base_url": "http://x/v1"}]}`, 400,
			[]string{"gateway.log_bodies", "(and 2 more problems"}, "gateway.port"},
		{"whole: new key without secret", "PUT", "/api/config", `{"api_keys": [{"name": "x"}]}`, 400, []string{"api_keys[0].key", "needs its secret"}, "api_keys[0].key"},
		{"whole: duplicate provider", "PUT", "/api/config", `{"providers": [{"name": "a", "base_url": "http://a/v1"}, {"name": "a", "base_url": "http://b/v1"}]}`, 400,
			[]string{`duplicate provider name "a"`}, "providers[1].name"},
		{"whole: dangling adapter (validation)", "PUT", "/api/config", `{"providers": []}`, 400,
			[]string{"does not exist"}, "models.glm-5.adapters[0].adapter"},
		{"whole: unknown section", "PUT", "/api/config", `{"gateways": {}}`, 400, []string{"gateways", "unknown field"}, "gateways"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := h.file()
			rec := h.do(tc.method, tc.target, tc.body)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, rec.Body)
			}
			if after := h.file(); after != before {
				t.Errorf("the file changed:\n%s", after)
			}
			e := decode[errorBody](t, rec)
			for _, m := range tc.message {
				if !strings.Contains(e.Error.Message, m) {
					t.Errorf("message %q lacks %q", e.Error.Message, m)
				}
			}
			if tc.field == "" {
				return
			}
			var fields []string
			for _, f := range e.Error.Fields {
				fields = append(fields, f.Field)
			}
			if !strings.Contains(strings.Join(fields, " ")+" ", tc.field+" ") {
				t.Errorf("fields %q lack %q", fields, tc.field)
			}
		})
	}
}
