package core

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/modelswitch/modelswitch/app/control"
)

func adapterPriorities(st control.Status) string {
	var parts []string
	for _, a := range st.Models[0].Adapters {
		p := a.ID + "=" + strconv.Itoa(a.Priority)
		if a.Primary {
			p += "*"
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, " ")
}

func TestPinAndAuto(t *testing.T) {
	ws := testWorkspace(t, freePort(t))
	original, _ := os.ReadFile(ws.ConfigPath)
	_, cl, _ := startCore(t, ws, t.TempDir()+"/settings.json")
	ctx := context.Background()

	st, err := cl.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// up2 appears twice, so its adapters are named provider/model_name.
	if got := adapterPriorities(st); got != "up1=1* up2/b=2 up2/c=1" {
		t.Fatalf("before: %s", got)
	}
	if st.Models[0].Pinned != "" {
		t.Errorf("pinned before any pin: %q", st.Models[0].Pinned)
	}

	st, err = cl.Route(ctx, control.RouteRequest{Model: "m1", Adapter: "up2/c"})
	if err != nil {
		t.Fatal(err)
	}
	if got := adapterPriorities(st); got != "up1=2 up2/b=3 up2/c=1*" || st.Models[0].Pinned != "up2/c" {
		t.Fatalf("after pin: %s pinned %q", got, st.Models[0].Pinned)
	}
	text, _ := os.ReadFile(ws.ConfigPath)
	if !strings.Contains(string(text), "priority: 3 # backup") || !strings.Contains(string(text), "# test workspace") {
		t.Errorf("comments lost or priority not written:\n%s", text)
	}
	// Pin another: it moves to the front; the record keeps the user's order for "auto".
	if st, err = cl.Route(ctx, control.RouteRequest{Model: "m1", Adapter: "up2", ModelName: "b"}); err != nil {
		t.Fatal(err)
	}
	if got := adapterPriorities(st); got != "up1=3 up2/b=1* up2/c=2" || st.Models[0].Pinned != "up2/b" {
		t.Fatalf("second pin: %s pinned %q", got, st.Models[0].Pinned)
	}

	if st, err = cl.Route(ctx, control.RouteRequest{Model: "m1", Adapter: "auto"}); err != nil {
		t.Fatal(err)
	}
	if got := adapterPriorities(st); got != "up1=1* up2/b=2 up2/c=1" || st.Models[0].Pinned != "" {
		t.Fatalf("after auto: %s pinned %q", got, st.Models[0].Pinned)
	}
	if text, _ := os.ReadFile(ws.ConfigPath); string(text) != string(original) {
		t.Errorf("auto did not give back the file byte for byte:\n%s\nwant\n%s", text, original)
	}
	// Auto again: nothing to do.
	if _, err = cl.Route(ctx, control.RouteRequest{Model: "m1", Adapter: "auto"}); err != nil {
		t.Errorf("second auto: %v", err)
	}
}

func TestRouteErrors(t *testing.T) {
	ws := testWorkspace(t, freePort(t))
	_, cl, _ := startCore(t, ws, t.TempDir()+"/settings.json")
	ctx := context.Background()
	for _, tc := range []struct {
		req  control.RouteRequest
		code int
		msg  string
	}{
		{control.RouteRequest{Model: "nope", Adapter: "up1"}, 404, `no model "nope"`},
		{control.RouteRequest{Model: "m1", Adapter: "up9"}, 404, "it has: up1, up2/b, up2/c"},
		{control.RouteRequest{Model: "m1", Adapter: "up2"}, 400, "more than once"},
	} {
		_, err := cl.Route(ctx, tc.req)
		if control.StatusOf(err) != tc.code || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%+v: %v", tc.req, err)
		}
	}
}

func TestStalePinShowsAuto(t *testing.T) {
	ws := testWorkspace(t, freePort(t))
	_, cl, _ := startCore(t, ws, t.TempDir()+"/settings.json")
	ctx := context.Background()
	if _, err := cl.Route(ctx, control.RouteRequest{Model: "m1", Adapter: "up1"}); err != nil {
		t.Fatal(err)
	}
	// The user reorders the chain by hand: the pin no longer describes it.
	text, _ := os.ReadFile(ws.ConfigPath)
	edited := strings.Replace(string(text), "model_name: c\n        priority: 2", "model_name: c\n        priority: 0", 1)
	if edited == string(text) {
		t.Fatalf("test edit did not apply:\n%s", text)
	}
	if err := os.WriteFile(ws.ConfigPath, []byte(edited), 0o600); err != nil {
		t.Fatal(err)
	}
	c := mustReload(t, cl)
	if c.Models[0].Pinned != "" {
		t.Errorf("a pin whose adapter is no longer first still shows: %q", c.Models[0].Pinned)
	}
}

// mustReload asks the admin API to reload config.yaml and returns the status.
func mustReload(t *testing.T, cl *control.Client) control.Status {
	t.Helper()
	st, err := cl.StopGateway(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st, err = cl.StartGateway(context.Background()); err != nil { // Start re-reads the file
		t.Fatal(err)
	}
	return st
}
