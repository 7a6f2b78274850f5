//go:build desktopsmoke

package smoke

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/modelswitch/modelswitch/app/control"
)

// TestXEmbedFallback: with no StatusNotifierWatcher on the bus (an old-style
// panel), ayatana falls back to an XEmbed icon, which trayer embeds.
func TestXEmbedFallback(t *testing.T) {
	if os.Getenv("DISPLAY") == "" || os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		t.Skip("needs an X display and a session bus: run build/desktop-smoke.sh (make test-desktop)")
	}
	if _, err := exec.LookPath("trayer"); err != nil {
		t.Skip("trayer is not installed")
	}
	if items, err := registeredItems(mustBus(t)); err == nil {
		t.Skipf("a StatusNotifierWatcher is running (%q): not an XEmbed-only session", items)
	}
	core := filepath.Join(repoPath(envOr("MS_BIN_DIR", "bin/desktop")), "modelswitch")
	ws, err := os.MkdirTemp("", "msxembed")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(ws) })
	if err := os.WriteFile(filepath.Join(ws, "config.yaml"), []byte(fmt.Sprintf(smokeConfig, freePort(t), "http://127.0.0.1:9")), 0o600); err != nil {
		t.Fatal(err)
	}
	start(t, nil, "trayer", "--edge", "top", "--align", "right", "--widthtype", "pixel", "--width", "120", "--height", "28")
	time.Sleep(500 * time.Millisecond)
	c := start(t, []string{"HOME=" + t.TempDir(), "NO_AT_BRIDGE=1", "GDK_BACKEND=x11"}, core, "--workspace", ws)
	eventually(t, 15*time.Second, func() string { return "no XEmbed icon in trayer:\n" + c.out.String() }, func() bool {
		tree, _ := run("xwininfo", "-root", "-tree")
		return strings.Contains(tree, `"modelswitch": ("systray" "systray")`)
	})
	cl := control.NewClient(filepath.Join(ws, "run", "control.sock"))
	defer cl.CloseIdle()
	if err := cl.Quit(context.Background(), control.QuitRequest{}); err != nil {
		t.Fatal(err)
	}
	if code, ok := c.exited(30 * time.Second); !ok || code != 0 {
		t.Fatalf("quit: exited=%v code=%d:\n%s", ok, code, c.out.String())
	}
}
