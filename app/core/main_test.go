package core

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelswitch/modelswitch/app/control"
)

// syncBuffer is a bytes.Buffer safe for the logger's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func TestMainSecondLaunchOpensWindow(t *testing.T) {
	port := freePort(t)
	ws := testWorkspace(t, port)
	win := &fakeWindow{}
	var out1, err1 syncBuffer
	code1 := make(chan int, 1)
	go func() {
		code1 <- Main(MainOptions{Workspace: ws.Dir, Version: "t", Stdout: &out1, Stderr: &err1, Desktop: true, Window: win})
	}()
	cl := control.NewClient(control.SocketPath(ws.RunDir))
	defer cl.CloseIdle()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if st, err := cl.Status(context.Background()); err == nil && st.Gateway.Running {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the core did not come up:\n%s", err1.String())
		}
		time.Sleep(20 * time.Millisecond)
	}

	var out2, err2 bytes.Buffer
	if code := Main(MainOptions{Workspace: ws.Dir, Stdout: &out2, Stderr: &err2, Desktop: true}); code != 0 {
		t.Fatalf("second desktop launch: exit %d: %s\nfirst core:\n%s", code, err2.String(), err1.String())
	}
	if !strings.Contains(out2.String(), "already running") || !strings.Contains(out2.String(), "pid "+strconv.Itoa(os.Getpid())) {
		t.Errorf("second launch said %q", out2.String())
	}
	if opens, _ := win.count(); opens != 1 {
		t.Errorf("window opens = %d", opens)
	}
	out2.Reset()
	err2.Reset()
	if code := Main(MainOptions{Workspace: ws.Dir, Stdout: &out2, Stderr: &err2}); code != 1 || !strings.Contains(err2.String(), "already in use by another ModelSwitch core") {
		t.Errorf("second headless launch: exit %d: %s", code, err2.String())
	}

	if err := cl.Quit(context.Background(), control.QuitRequest{}); err != nil {
		t.Fatalf("%v\nfirst core:\n%s", err, err1.String())
	}
	select {
	case code := <-code1:
		if code != 0 {
			t.Errorf("first core exit %d: %s", code, err1.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the core did not quit")
	}
}

func TestMainHeadlessBusyPortFails(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ws := testWorkspace(t, ln.Addr().(*net.TCPAddr).Port)
	var out, errb syncBuffer
	code := Main(MainOptions{Workspace: ws.Dir, Stdout: &out, Stderr: &errb})
	if code != 1 || !strings.Contains(errb.String(), "already in use by") {
		t.Errorf("exit %d: %s", code, errb.String())
	}
	// Bad config: exit 2 headless.
	if err := os.WriteFile(ws.ConfigPath, []byte("gateway: [\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code := Main(MainOptions{Workspace: ws.Dir, Stdout: &out, Stderr: &errb}); code != 2 {
		t.Errorf("invalid config: exit %d", code)
	}
}

func TestPortHolderFindsUs(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	h := portHolder(port)
	if h != "" && !strings.Contains(h, fmt.Sprintf("(pid %d)", os.Getpid())) {
		t.Errorf("portHolder(%d) = %q", port, h)
	}
	if h == "" && fileExists("/proc/net/tcp") {
		t.Errorf("portHolder(%d) found nothing", port)
	}
	if p := nextFreePort("127.0.0.1", port); p <= port {
		t.Errorf("nextFreePort = %d", p)
	}
}
