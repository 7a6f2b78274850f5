package gateway_test

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/modelswitch/modelswitch"

// goList returns the dependencies of pkgs (go list -deps).
func goList(t *testing.T, pkgs ...string) []string {
	t.Helper()
	args := append([]string{"list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}"}, pkgs...)
	out, err := exec.Command("go", args...).Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	return strings.Fields(string(out))
}

// TestGatewayHasNoGUIDependencies keeps gateway/... headless (DESIGN §3).
func TestGatewayHasNoGUIDependencies(t *testing.T) {
	for _, dep := range goList(t, "./...") {
		for _, banned := range []string{"github.com/wailsapp/", "github.com/getlantern/systray", module + "/app", module + "/frontend"} {
			if strings.HasPrefix(dep, banned) {
				t.Errorf("gateway depends on %s", dep)
			}
		}
	}
}

// TestLeavesUseOnlyTheStandardLibrary enforces conventions C2 for the leaf packages.
func TestLeavesUseOnlyTheStandardLibrary(t *testing.T) {
	for _, leaf := range []string{"./protocol/...", "./sse", "./jsonbody"} {
		for _, dep := range goList(t, leaf) {
			if !strings.HasPrefix(dep, module+"/gateway/protocol") && !strings.HasPrefix(dep, module+"/gateway/sse") &&
				!strings.HasPrefix(dep, module+"/gateway/jsonbody") {
				t.Errorf("%s depends on %s", leaf, dep)
			}
		}
	}
}

// TestRouterKnowsNoProtocol keeps routing protocol-agnostic (conventions C2).
func TestRouterKnowsNoProtocol(t *testing.T) {
	for _, dep := range goList(t, "./router") {
		if dep != module+"/gateway/router" && !strings.HasPrefix(dep, module+"/gateway/config") && strings.HasPrefix(dep, module) {
			t.Errorf("router depends on %s", dep)
		}
	}
}
