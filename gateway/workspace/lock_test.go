//go:build unix

package workspace

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

const helperEnv = "MODELSWITCH_TEST_LOCK_HELPER"

// TestMain lets the test binary act as a second core: with helperEnv set it locks that
// workspace, prints "locked", and holds the lock until its stdin closes.
func TestMain(m *testing.M) {
	if dir := os.Getenv(helperEnv); dir != "" {
		unlock, err := New(dir).Lock()
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		fmt.Println("locked")
		bufio.NewReader(os.Stdin).ReadString('\n')
		unlock()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func openWS(t *testing.T) *Workspace {
	t.Helper()
	w, _, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestLockInProcess(t *testing.T) {
	w := openWS(t)
	unlock, err := w.Lock()
	if err != nil {
		t.Fatal(err)
	}
	if pid := readPID(w.LockPath()); pid != os.Getpid() {
		t.Errorf("lock file pid %d, want %d", pid, os.Getpid())
	}
	if m := mode(t, w.LockPath()); m != 0o600 {
		t.Errorf("lock file mode %v", m)
	}
	// flock belongs to the open file description: a second open in this process conflicts.
	_, err = w.Lock()
	var le *LockedError
	if !errors.As(err, &le) || le.PID != os.Getpid() || le.Dir != w.Dir {
		t.Fatalf("second Lock = %v, want *LockedError with our pid", err)
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	if err := unlock(); err != nil {
		t.Errorf("second unlock = %v, want nil", err)
	}
	unlock2, err := w.Lock()
	if err != nil {
		t.Fatalf("Lock after unlock = %v", err)
	}
	unlock2()
}

func TestLockAcrossProcesses(t *testing.T) {
	w := openWS(t)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+w.Dir)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer stdin.Close()
	line, _ := bufio.NewReader(stdout).ReadString('\n')
	if strings.TrimSpace(line) != "locked" {
		t.Fatalf("helper said %q", line)
	}

	_, err = w.Lock()
	var le *LockedError
	if !errors.As(err, &le) || le.PID != cmd.Process.Pid {
		t.Fatalf("Lock while the child holds it = %v, want *LockedError with pid %d", err, cmd.Process.Pid)
	}
	want := fmt.Sprintf("workspace %s is already in use by another ModelSwitch core (pid %d); stop it first or use --workspace to pick another", w.Dir, cmd.Process.Pid)
	if err.Error() != want {
		t.Errorf("message:\n got %s\nwant %s", err, want)
	}

	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("helper: %v", err)
	}
	unlock, err := w.Lock()
	if err != nil {
		t.Fatalf("Lock after the child exited = %v", err)
	}
	unlock()
}

func TestLockedErrorWithoutPID(t *testing.T) {
	got := (&LockedError{Dir: "/x"}).Error()
	want := "workspace /x is already in use by another ModelSwitch core; stop it first or use --workspace to pick another"
	if got != want {
		t.Errorf("got %q", got)
	}
}
