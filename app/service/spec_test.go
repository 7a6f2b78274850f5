package service

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTarget(t *testing.T) {
	alice := Account{Name: "alice", UID: 1000, GID: 1000, Home: "/home/alice"}
	root := Account{Name: "root", Home: "/root"}
	lookup := func(name string) (Account, error) {
		if name == "alice" {
			return alice, nil
		}
		return Account{}, errors.New("no such user")
	}
	for _, tc := range []struct {
		name              string
		in                Invoker
		system, allowRoot bool
		want              string // account name, or "usage" for a *UsageError
		warn              bool
	}{
		{"user unit as a user", Invoker{EUID: 1000, Current: alice}, false, false, "alice", false},
		{"system unit as a user (sudo needed later)", Invoker{EUID: 1000, Current: alice}, true, false, "alice", false},
		{"system unit under sudo runs as SUDO_USER", Invoker{EUID: 0, SudoUser: "alice", Current: root, Lookup: lookup}, true, false, "alice", false},
		{"user unit under sudo is refused", Invoker{EUID: 0, SudoUser: "alice", Current: root, Lookup: lookup}, false, false, "usage", false},
		{"root without --allow-root is refused", Invoker{EUID: 0, Current: root}, true, false, "usage", false},
		{"root user unit without --allow-root is refused", Invoker{EUID: 0, Current: root}, false, false, "usage", false},
		{"sudo from root is root", Invoker{EUID: 0, SudoUser: "root", Current: root}, true, false, "usage", false},
		{"root with --allow-root warns", Invoker{EUID: 0, Current: root}, true, true, "root", true},
	} {
		acct, warn, err := tc.in.Target(tc.system, tc.allowRoot)
		var ue *UsageError
		switch {
		case tc.want == "usage":
			if !errors.As(err, &ue) {
				t.Errorf("%s: got %+v, %v; want a usage error", tc.name, acct, err)
			}
		case err != nil || acct.Name != tc.want || (warn != "") != tc.warn:
			t.Errorf("%s: got %+v, %q, %v", tc.name, acct, warn, err)
		}
	}
}

func TestResolveWorkspaceUnderSudoUsesTheUsersHome(t *testing.T) {
	alice := Account{Name: "alice", Home: "/home/alice"}
	sudo := Invoker{EUID: 0, SudoUser: "alice", Current: Account{Name: "root", Home: "/root"}}
	noenv := func(string) string { return "" }
	for _, tc := range []struct{ flag, want string }{
		{"", "/home/alice/.modelswitch"},
		{"~", "/home/alice"},
		{"~/ms ws", "/home/alice/ms ws"},
		{"/srv/ms", "/srv/ms"},
	} {
		got, err := ResolveWorkspace(tc.flag, noenv, sudo, alice)
		if err != nil || got != tc.want {
			t.Errorf("ResolveWorkspace(%q) under sudo = %q, %v; want %q", tc.flag, got, err, tc.want)
		}
	}
	env := func(k string) string {
		if k == "MODELSWITCH_WORKSPACE" {
			return "~/from-env"
		}
		return ""
	}
	if got, _ := ResolveWorkspace("", env, sudo, alice); got != "/home/alice/from-env" {
		t.Errorf("env under sudo: %q", got)
	}
	// Without sudo it is workspace.Resolve: the flag wins.
	user := Invoker{EUID: 1000, Current: alice}
	if got, _ := ResolveWorkspace("/x/y", env, user, alice); got != "/x/y" {
		t.Errorf("flag without sudo: %q", got)
	}
}

func TestLogDirs(t *testing.T) {
	ws := t.TempDir()
	write := func(cfg string) {
		if err := os.WriteFile(filepath.Join(ws, "config.yaml"), []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	outside := filepath.Join(t.TempDir(), "gateway logs")
	for _, tc := range []struct {
		cfg  string
		want []string
	}{
		{"gateway: {log_dir: logs}\n", nil},
		{"gateway: {log_dir: " + filepath.Join(ws, "sub") + "}\n", nil},
		{"gateway: {log_dir: \"" + outside + "\"}\n", []string{outside}},
		{"gateway: {log_dir: ../elsewhere}\n", []string{filepath.Join(filepath.Dir(ws), "elsewhere")}},
	} {
		write(tc.cfg)
		if got := LogDirs(ws); strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("%q: LogDirs = %v, want %v", tc.cfg, got, tc.want)
		}
	}
}

func TestArgsAndNames(t *testing.T) {
	s := Spec{Workspace: "/w", Host: "::1", Port: 8001}
	if got := strings.Join(s.Args(), " "); got != "--start --workspace /w --host ::1 --port 8001" {
		t.Errorf("Args = %s", got)
	}
	if s.UnitName() != "modelswitch.service" || s.Label() != "com.modelswitch.gateway" {
		t.Errorf("default names: %s %s", s.UnitName(), s.Label())
	}
	s.Name = "ms-e2e"
	if s.UnitName() != "ms-e2e.service" || s.Label() != "ms-e2e" {
		t.Errorf("names: %s %s", s.UnitName(), s.Label())
	}
}

func TestAddresses(t *testing.T) {
	ws := t.TempDir()
	_, dial, note := Addresses(Spec{Workspace: ws})
	if dial != "127.0.0.1:8000" || note == "" {
		t.Errorf("no config: %s, %q", dial, note)
	}
	if err := os.WriteFile(filepath.Join(ws, "config.yaml"), []byte("gateway: {host: 0.0.0.0, port: 8123}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if listen, dial, note := Addresses(Spec{Workspace: ws}); listen != "0.0.0.0:8123" || dial != "127.0.0.1:8123" || note != "" {
		t.Errorf("config: %s %s %q", listen, dial, note)
	}
	if _, dial, _ := Addresses(Spec{Workspace: ws, Host: "::", Port: 9}); dial != "[::1]:9" {
		t.Errorf("overrides: %s", dial)
	}
}
