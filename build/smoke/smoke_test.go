//go:build desktopsmoke

package smoke

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/modelswitch/modelswitch/app/control"
)

const smokeConfig = `gateway:
  host: 127.0.0.1
  port: %d
providers:
  - name: up1
    provider: openai
    base_url: http://127.0.0.1:9/v1
    api_key: x
  - name: up2
    provider: openai
    base_url: http://127.0.0.1:9/v1
    api_key: x
  - name: live
    provider: openai
    base_url: %s/v1
    api_key: x
models:
  demo:
    adapters:
      - adapter: up1
        model_name: a
        priority: 1
      - adapter: up2
        model_name: b
        priority: 2
  echo:
    adapters:
      - adapter: live
        model_name: e
api_keys:
  - key: sk-smoke-admin
    name: admin
    roles: [admin]
`

// probe runs in the window's page: a POST with a JSON body through the
// window's /api (WebKit → AssetServer → control socket → core), then a
// whoami without any key, each reported to the window's log; last, it
// stores the UI language as the SPA does, which the window reports to the core.
const probe = `(function () {
  var log = function (m) { return fetch('/__modelswitch/log', {method: 'POST', body: m}); };
  fetch('/api/config/providers', {method: 'POST', headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({name: 'smoke-probe', provider: 'openai', base_url: 'http://127.0.0.1:9/v1', api_key: 'sk-probe-body-intact'})})
  .then(function (r) { return r.text().then(function (t) { return log('probe-post ' + r.status + ' ' + t); }); })
  .then(function () { return fetch('/api/whoami'); })
  .then(function (r) { return r.text().then(function (t) { return log('probe-whoami ' + r.status + ' ' + t); }); })
  .then(function () { localStorage.setItem('modelswitch.lang', 'en'); }) // the window's hook tells the core
  .catch(function (e) { log('probe-error ' + e); });
})();`

func TestDesktopSmoke(t *testing.T) {
	if os.Getenv("DISPLAY") == "" || os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		t.Skip("needs an X display and a session bus: run build/desktop-smoke.sh (make test-desktop)")
	}
	bin := repoPath(envOr("MS_BIN_DIR", "bin/desktop"))
	core := filepath.Join(bin, "modelswitch")
	for _, f := range []string{core, filepath.Join(bin, "modelswitch-ui")} {
		if _, err := os.Stat(f); err != nil {
			t.Fatalf("%v: build the desktop binaries first (make desktop)", err)
		}
	}
	ws, err := os.MkdirTemp("", "mssmoke") // short: unix socket paths are limited
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(ws) })
	home := t.TempDir()
	settings := filepath.Join(home, ".claude", "settings.json")
	port := freePort(t)
	live := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"c","object":"chat.completion","created":1,"model":"e","choices":[{"index":0,`+
			`"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}`)
	}))
	defer live.Close()
	if err := os.WriteFile(filepath.Join(ws, "config.yaml"), []byte(fmt.Sprintf(smokeConfig, port, live.URL)), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"HOME=" + home, "NO_AT_BRIDGE=1", "GDK_BACKEND=x11", "LANG=en_US.UTF-8", "LC_ALL=",
		"CLAUDE_CONFIG_DIR=", "CODEX_HOME=", "MODELSWITCH_UI=", "MODELSWITCH_UI_EVAL=" + probe}

	conn, err := dbus.SessionBus()
	if err != nil {
		t.Fatal(err)
	}
	start(t, nil, "status-notifier-watcher")
	eventually(t, 5*time.Second, func() string { return "no StatusNotifierWatcher on the bus" }, func() bool {
		_, err := registeredItems(conn)
		return err == nil
	})
	start(t, nil, "gtk-sni-tray-standalone", "--bottom") // a visible panel for the screenshot

	c := start(t, env, core, "--workspace", ws)
	cl := control.NewClient(filepath.Join(ws, "run", "control.sock"))
	defer cl.CloseIdle()
	ctx := context.Background()
	eventually(t, 15*time.Second, func() string { return "the core did not come up:\n" + c.out.String() }, func() bool {
		st, err := cl.Status(ctx)
		return err == nil && st.Gateway.Running
	})
	health := fmt.Sprintf("http://127.0.0.1:%d/health", port)

	// The tray: a StatusNotifierItem with our menu, "Open ModelSwitch…" first.
	var tray *trayItem
	eventually(t, 10*time.Second, func() string { return fmt.Sprintf("no tray item: %v", err) }, func() bool {
		tray, err = findTray(conn)
		return err == nil
	})
	var menu *menuItem
	// "Run as a background service" says why it is unavailable where there is
	// no systemd (this container, CI); elsewhere only its start is checked.
	svcLabel := "Run as a background service"
	_, noSystemd := os.Stat("/run/systemd/system")
	if noSystemd != nil {
		svcLabel += " (unavailable: no systemd or launchd found)"
	}
	wantTop := []string{"Open ModelSwitch…", "---", fmt.Sprintf("● Running on 127.0.0.1:%d", port), "Today: 0 requests · 0 tokens",
		"Stop gateway", "---", "Route", "Claude Code → ModelSwitch", "Codex → ModelSwitch", "---", "Copy base URL", "Open workspace folder", "Start at login",
		svcLabel, "---", "Quit"}
	eventually(t, 10*time.Second, func() string { return fmt.Sprintf("tray menu %q, want %q", menu.labels(), wantTop) }, func() bool {
		menu, err = tray.layout()
		if err != nil {
			return false
		}
		got := menu.labels()
		if noSystemd == nil && len(got) == len(wantTop) && strings.HasPrefix(got[13], svcLabel) {
			got[13] = svcLabel
		}
		return strings.Join(got, "|") == strings.Join(wantTop, "|")
	})
	if svc := menu.find("Run as a background service"); noSystemd != nil && (svc.Enabled || svc.Toggle != "checkmark") {
		t.Errorf("the service entry is not a disabled checkbox without systemd: %+v", svc)
	}
	t.Logf("RSS of the core with the tray, idle: %s", rss(c.cmd.Process.Pid))

	// Traffic: today's requests and tokens update in place in the tray.
	const requests = 200
	for i := 0; i < requests; i++ {
		req, _ := http.NewRequest("POST", fmt.Sprintf("http://127.0.0.1:%d/v1/chat/completions", port),
			strings.NewReader(`{"model":"echo","messages":[{"role":"user","content":"hello"}]}`))
		req.Header.Set("Authorization", "Bearer sk-smoke-admin")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("request %d through the gateway: %d", i, resp.StatusCode)
		}
	}
	waitLabel(t, tray, fmt.Sprintf("Today: %d requests · %d tokens", requests, 5*requests))
	id, _ := tray.prop("Id")
	status, _ := tray.prop("Status")
	items, _ := registeredItems(conn)
	t.Logf("tray item %s%s (registered: %q): Id=%v Status=%v, menu %q", tray.bus, tray.path, items, id, status, menu.labels())
	if cc := menu.find("Claude Code"); cc.Toggle != "checkmark" || cc.Checked {
		t.Errorf("Claude Code item: %+v", cc)
	}

	// "Open ModelSwitch…" spawns the window; its page posts through /api.
	clickLabel(t, tray, "Open ModelSwitch…")
	eventually(t, 20*time.Second, func() string { return "no window:\n" + c.out.String() }, func() bool {
		return windowState("ModelSwitch") == "IsViewable"
	})
	eventually(t, 20*time.Second, func() string { return "no probe report from the page:\n" + c.out.String() }, func() bool {
		return strings.Contains(c.out.String(), "probe-whoami")
	})
	out := c.out.String()
	if !strings.Contains(out, "probe-post 201") || strings.Contains(out, "probe-error") {
		t.Errorf("POST through the window's /api failed:\n%s", out)
	}
	if !strings.Contains(out, `probe-whoami 200`) || !strings.Contains(out, `\"admin\":true`) {
		t.Errorf("the window is not the admin without a login:\n%s", out)
	}
	if cfg := fileText(filepath.Join(ws, "config.yaml")); !strings.Contains(cfg, "smoke-probe") || !strings.Contains(cfg, "sk-probe-body-intact") {
		t.Errorf("the POST body did not arrive intact in config.yaml:\n%s", cfg)
	}
	eventually(t, 10*time.Second, func() string {
		return "the UI language did not reach the core: " + fileText(filepath.Join(ws, "data", "desktop.json"))
	}, func() bool {
		return strings.Contains(fileText(filepath.Join(ws, "data", "desktop.json")), `"language":"en"`)
	})
	time.Sleep(1500 * time.Millisecond) // let the SPA finish drawing
	// Open the tray menu in the panel (its icon sits at the bottom left) for the screenshot.
	_, _ = run("xdotool", "mousemove", "14", "786", "click", "3")
	time.Sleep(800 * time.Millisecond)
	// The screenshot goes to a temporary file, so make test leaves the tree
	// clean; SCREENSHOTS=1 refreshes the committed docs/screenshots/desktop.png.
	shot := filepath.Join(t.TempDir(), "desktop.png")
	if os.Getenv("SCREENSHOTS") == "1" {
		shot = repoPath("docs/screenshots/desktop.png")
	}
	if p := os.Getenv("MS_SCREENSHOT"); p != "" {
		shot = p
	}
	if out, err := run("import", "-window", "root", shot); err != nil {
		t.Errorf("screenshot: %v %s", err, out)
	} else {
		t.Logf("screenshot: %s", shot)
	}
	_, _ = run("xdotool", "key", "Escape")

	// A second launch hands over to the running core and exits 0; still one window.
	second := start(t, env, core, "--workspace", ws)
	if code, ok := second.exited(15 * time.Second); !ok || code != 0 || !strings.Contains(second.out.String(), "already running") {
		t.Errorf("second launch: exited=%v code=%d:\n%s", ok, code, second.out.String())
	}
	time.Sleep(500 * time.Millisecond)
	if n := windowCount("ModelSwitch"); n != 1 {
		t.Errorf("%d windows named ModelSwitch after the second launch", n)
	}

	// Stop and start the gateway from the tray; the control channel stays.
	clickLabel(t, tray, "Stop gateway")
	eventually(t, 15*time.Second, func() string { return "the gateway did not stop" }, func() bool {
		st, err := cl.Status(ctx)
		_, herr := http.Get(health)
		return err == nil && !st.Gateway.Running && herr != nil
	})
	waitLabel(t, tray, "Start gateway")
	waitLabel(t, tray, "○ Stopped")
	clickLabel(t, tray, "Start gateway")
	eventually(t, 15*time.Second, func() string { return "the gateway did not start again" }, func() bool {
		resp, err := http.Get(health)
		if err == nil {
			resp.Body.Close()
		}
		return err == nil && resp.StatusCode == 200
	})
	waitLabel(t, tray, "Stop gateway")

	// Copy base URL: the tray's process owns the clipboard (checked when xclip is installed).
	if _, err := exec.LookPath("xclip"); err == nil {
		clickLabel(t, tray, "Copy base URL")
		want := fmt.Sprintf("http://127.0.0.1:%d", port)
		eventually(t, 10*time.Second, func() string { return "clipboard does not hold " + want }, func() bool {
			got, _ := run("xclip", "-o", "-selection", "clipboard")
			return got == want
		})
	}

	// Route: pin up2 for "demo", then back to Auto failover.
	clickLabel(t, tray, "up2 · b")
	eventually(t, 10*time.Second, func() string { return "pin not applied:\n" + fileText(filepath.Join(ws, "config.yaml")) }, func() bool {
		st, err := cl.Status(ctx)
		return err == nil && len(st.Models) == 2 && st.Models[0].Name == "demo" && st.Models[0].Pinned == "up2"
	})
	waitLabel(t, tray, "demo → up2 · b")
	clickLabel(t, tray, "Auto failover")
	waitLabel(t, tray, "demo (Auto failover)")

	// The Claude Code switch against the temporary HOME.
	clickLabel(t, tray, "Claude Code → ModelSwitch")
	eventually(t, 10*time.Second, func() string { return "settings.json not switched: " + fileText(settings) }, func() bool {
		return strings.Contains(fileText(settings), fmt.Sprintf(`"ANTHROPIC_BASE_URL": "http://127.0.0.1:%d"`, port))
	})
	eventually(t, 10*time.Second, func() string { return "the check mark does not follow settings.json" }, func() bool {
		m, err := tray.layout()
		return err == nil && m.find("Claude Code").Checked
	})
	clickLabel(t, tray, "Claude Code → ModelSwitch")
	eventually(t, 10*time.Second, func() string { return "settings.json not restored: " + fileText(settings) }, func() bool {
		_, err := os.Stat(settings)
		return os.IsNotExist(err) // it did not exist before
	})
	clickLabel(t, tray, "Claude Code → ModelSwitch") // on again: Quit must ask about it

	// The Codex switch against the same HOME: on, checked, off (the file did not exist).
	codexConfig := filepath.Join(home, ".codex", "config.toml")
	clickLabel(t, tray, "Codex → ModelSwitch")
	eventually(t, 10*time.Second, func() string { return "config.toml not switched: " + fileText(codexConfig) }, func() bool {
		return strings.Contains(fileText(codexConfig), fmt.Sprintf(`base_url = "http://127.0.0.1:%d/v1"`, port)) &&
			strings.Contains(fileText(codexConfig), `model_provider = "modelswitch"`)
	})
	eventually(t, 10*time.Second, func() string { return "the Codex check mark does not follow config.toml" }, func() bool {
		m, err := tray.layout()
		return err == nil && m.find("Codex").Checked
	})
	clickLabel(t, tray, "Codex → ModelSwitch")
	eventually(t, 10*time.Second, func() string { return "config.toml not restored: " + fileText(codexConfig) }, func() bool {
		_, err := os.Stat(codexConfig)
		return os.IsNotExist(err)
	})

	t.Logf("RSS of the core with the tray, after traffic, the window, route, Claude Code and gateway restarts: %s", rss(c.cmd.Process.Pid))
	eventually(t, 10*time.Second, func() string { return "switch not on before quit" }, func() bool {
		return strings.Contains(fileText(settings), "ANTHROPIC_BASE_URL")
	})
	// With the switch on, Quit is a submenu asking about Claude Code.
	eventually(t, 10*time.Second, func() string { m, _ := tray.layout(); return fmt.Sprintf("no Quit submenu in %q", m.labels()) }, func() bool {
		m, err := tray.layout()
		if err != nil {
			return false
		}
		q := m.find("Quit")
		return q != nil && len(q.Children) == 2 && strings.Count(strings.Join(m.labels(), "|"), "Quit") == 1 &&
			m.find("Quit and keep Claude Code on ModelSwitch") != nil
	})
	switched := fileText(settings)
	clickLabel(t, tray, "Quit and keep Claude Code on ModelSwitch")
	if code, ok := c.exited(30 * time.Second); !ok || code != 0 {
		t.Fatalf("quit and keep: exited=%v code=%d:\n%s", ok, code, c.out.String())
	}
	if got := fileText(settings); got != switched {
		t.Errorf("quit and keep changed settings.json:\n%s", got)
	}
	if n := windowCount("ModelSwitch"); n != 0 {
		t.Errorf("%d windows left after quit", n)
	}
	if _, err := os.Stat(filepath.Join(ws, "run", "control.sock")); !os.IsNotExist(err) {
		t.Errorf("control socket left behind: %v", err)
	}
	t.Logf("first core log:\n%s", c.out.String())

	// The next start shows the switch on; Quit, in Chinese now, restores.
	c = start(t, env, core, "--workspace", ws)
	eventually(t, 15*time.Second, func() string { return "the core did not come back:\n" + c.out.String() }, func() bool {
		st, err := cl.Status(ctx)
		return err == nil && st.Gateway.Running && st.PID == c.cmd.Process.Pid
	})
	eventually(t, 10*time.Second, func() string { return fmt.Sprintf("no tray item after the restart: %v", err) }, func() bool {
		tray, err = findTray(conn)
		if err != nil {
			return false
		}
		m, err := tray.layout()
		return err == nil && m.find("Claude Code") != nil && m.find("Claude Code").Checked
	})
	// The labels follow the UI language (as the window reports it).
	if err := cl.SetLanguage(ctx, "zh"); err != nil {
		t.Fatal(err)
	}
	waitLabel(t, tray, "打开 ModelSwitch…")
	waitLabel(t, tray, "停止网关")
	clickLabel(t, tray, "退出并恢复 Claude Code 之前的设置")
	if code, ok := c.exited(30 * time.Second); !ok || code != 0 {
		t.Fatalf("quit and restore: exited=%v code=%d:\n%s", ok, code, c.out.String())
	}
	if _, err := os.Stat(settings); !os.IsNotExist(err) {
		t.Errorf("quit left Claude Code pointed at the gateway: %s", fileText(settings))
	}
	if _, err := os.Stat(filepath.Join(ws, "run", "control.sock")); !os.IsNotExist(err) {
		t.Errorf("control socket left behind: %v", err)
	}
	t.Logf("core log:\n%s", c.out.String())
}

// clickLabel clicks the visible menu entry whose label starts with label.
func clickLabel(t *testing.T, tray *trayItem, label string) {
	t.Helper()
	var item *menuItem
	eventually(t, 10*time.Second, func() string { return "no menu entry " + label }, func() bool {
		m, err := tray.layout()
		if err == nil {
			item = m.find(label)
		}
		return item != nil && item.Enabled
	})
	if err := tray.click(item.ID); err != nil {
		t.Fatalf("clicking %q: %v", label, err)
	}
}

// waitLabel waits until a visible entry's label starts with label.
func waitLabel(t *testing.T, tray *trayItem, label string) {
	t.Helper()
	eventually(t, 10*time.Second, func() string { m, _ := tray.layout(); return fmt.Sprintf("no entry %q in %q", label, m.labels()) }, func() bool {
		m, err := tray.layout()
		return err == nil && m.find(label) != nil
	})
}
