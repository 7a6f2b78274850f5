package core

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/modelswitch/modelswitch/app/control"
	"github.com/modelswitch/modelswitch/gateway/config"
)

func TestGatewayStopStartKeepsControl(t *testing.T) {
	port := freePort(t)
	ws := testWorkspace(t, port)
	c, cl, _ := startCore(t, ws, t.TempDir()+"/settings.json")
	ctx := context.Background()
	health := fmt.Sprintf("http://127.0.0.1:%d/health", port)

	st, err := cl.Status(ctx)
	if err != nil || !st.Gateway.Running || st.Gateway.BaseURL != fmt.Sprintf("http://127.0.0.1:%d", port) || st.Version != "test" {
		t.Fatalf("status %+v %v", st.Gateway, err)
	}
	if st.Workspace != ws.Dir || st.PID != os.Getpid() || st.Today == nil || len(st.Models) != 1 {
		t.Errorf("status %+v", st)
	}
	if code, _ := get(t, health); code != 200 {
		t.Fatalf("health before stop: %d", code)
	}
	if code, body := apiGet(t, cl, "/api/whoami"); code != 200 || !contains(body, `"admin":true`) {
		t.Fatalf("whoami through the control channel: %d %s", code, body)
	}

	if st, err = cl.StopGateway(ctx); err != nil || st.Gateway.Running {
		t.Fatalf("stop: %+v %v", st.Gateway, err)
	}
	if code, _ := get(t, health); code != 0 {
		t.Errorf("the gateway still answers after stop: %d", code)
	}
	// The control channel and the admin API stay.
	if code, body := apiGet(t, cl, "/api/config/models"); code != 200 || !contains(body, "m1") {
		t.Errorf("admin API while stopped: %d %s", code, body)
	}
	if st, err = cl.StopGateway(ctx); err != nil || st.Gateway.Running {
		t.Errorf("second stop: %v", err)
	}

	if st, err = cl.StartGateway(ctx); err != nil || !st.Gateway.Running {
		t.Fatalf("start again: %+v %v", st.Gateway, err)
	}
	if code, _ := get(t, health); code != 200 {
		t.Errorf("health after restart: %d", code)
	}
	if _, err = cl.StartGateway(ctx); err != nil {
		t.Errorf("start while running: %v", err)
	}
	_ = c
}

func TestBusyPortNamesHolderAndFreePort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	ws := testWorkspace(t, port)
	_, cl, _ := startCore(t, ws, t.TempDir()+"/settings.json")
	ctx := context.Background()

	st, err := cl.Status(ctx)
	if err != nil || st.Gateway.Running {
		t.Fatalf("status %+v %v", st.Gateway, err)
	}
	wantHolder := "(pid " + strconv.Itoa(os.Getpid()) + ")"
	if !strings.Contains(st.Gateway.PortHolder, wantHolder) || st.Gateway.FreePort <= port {
		t.Errorf("holder %q free %d (port %d)", st.Gateway.PortHolder, st.Gateway.FreePort, port)
	}
	if !strings.Contains(st.Gateway.Error, "port "+strconv.Itoa(port)+" is already in use by") {
		t.Errorf("error %q", st.Gateway.Error)
	}
	_, err = cl.StartGateway(ctx)
	if control.StatusOf(err) != 409 || !strings.Contains(err.Error(), "is free") {
		t.Errorf("start on a busy port: %v", err)
	}
	ln.Close()
	if st, err = cl.StartGateway(ctx); err != nil || !st.Gateway.Running || st.Gateway.Error != "" {
		t.Errorf("start once free: %+v %v", st.Gateway, err)
	}
}

func TestInvalidConfigKeepsCoreUp(t *testing.T) {
	ws := testWorkspace(t, freePort(t))
	if err := os.WriteFile(ws.ConfigPath, []byte("models: [unclosed\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, cl, _ := startCore(t, ws, t.TempDir()+"/settings.json")
	ctx := context.Background()
	st, err := cl.Status(ctx)
	if err != nil || st.Gateway.Running || !strings.Contains(st.Gateway.Error, "config.yaml cannot be loaded") {
		t.Fatalf("status %+v %v", st.Gateway, err)
	}
	if code, body := apiGet(t, cl, "/api/config"); code != 503 || !contains(body, "config.yaml cannot be loaded") {
		t.Errorf("api: %d %s", code, body)
	}
	if _, err := cl.StartGateway(ctx); control.StatusOf(err) != 503 {
		t.Errorf("start with a broken config: %v", err)
	}
	port := freePort(t)
	if err := os.WriteFile(ws.ConfigPath, []byte(fmt.Sprintf(testConfig, port)), 0o600); err != nil {
		t.Fatal(err)
	}
	if st, err = cl.StartGateway(ctx); err != nil || !st.Gateway.Running {
		t.Errorf("start once fixed: %+v %v", st.Gateway, err)
	}
}

func TestNoAdminKey(t *testing.T) {
	cfg := &config.Config{APIKeys: []config.APIKey{{Key: "sk-user-key-1", Roles: []string{"user"}}, {Key: "sk-expired-admin", Roles: []string{"admin"}, ExpiresAt: "2001-01-01"}}}
	if k := adminKey(cfg, time.Now()); k != "" {
		t.Errorf("adminKey = %q", k)
	}
	cfg.APIKeys = append(cfg.APIKeys, config.APIKey{Key: "sk-good-admin-1", Roles: []string{"admin"}})
	if k := adminKey(cfg, time.Now()); k != "sk-good-admin-1" {
		t.Errorf("adminKey = %q", k)
	}
}

func TestWindowAndQuit(t *testing.T) {
	ws := testWorkspace(t, freePort(t))
	c, cl, win := startCore(t, ws, t.TempDir()+"/settings.json")
	ctx := context.Background()
	if err := cl.OpenWindow(ctx); err != nil {
		t.Fatal(err)
	}
	if st, _ := cl.Status(ctx); !st.WindowOpen {
		t.Error("window_open false after open")
	}
	if err := cl.Quit(ctx, control.QuitRequest{}); err != nil {
		t.Fatal(err)
	}
	<-c.Done()
	if opens, closed := win.count(); opens != 1 || closed != 1 {
		t.Errorf("window opens %d closes %d", opens, closed)
	}
	if _, err := cl.Status(ctx); err == nil {
		t.Error("the control channel answers after quit")
	}
	if _, err := os.Stat(c.SocketPath()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("control socket left behind: %v", err)
	}
}

func TestLanguage(t *testing.T) {
	ws := testWorkspace(t, freePort(t))
	env := map[string]string{"LANG": "zh_CN.UTF-8"}
	c, err := New(Options{Workspace: ws, Getenv: func(k string) string { return env[k] }, ClaudeSettings: t.TempDir() + "/s.json"})
	if err != nil {
		t.Fatal(err)
	}
	if l := c.Language(); l != "zh" {
		t.Errorf("LANG=zh_CN: %q", l)
	}
	env["LC_ALL"] = "C"
	if l := c.Language(); l != "en" {
		t.Errorf("LC_ALL=C: %q", l)
	}
	if err := c.SetLanguage(context.Background(), "zh"); err != nil {
		t.Fatal(err)
	}
	if l := c.Language(); l != "zh" {
		t.Errorf("stored zh: %q", l)
	}
	if err := c.SetLanguage(context.Background(), "fr"); control.StatusOf(err) != 400 {
		t.Errorf("fr: %v", err)
	}
}
