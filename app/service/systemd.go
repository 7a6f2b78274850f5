package service

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// RenderSystemd renders the systemd unit for s: the headless core with restart on failure and
// the hardening seed §16 S9 asked for. Paths are quoted per systemd.service "Command lines"
// (see systemdWord), so spaces, quotes, %, $ and non-ASCII survive.
func RenderSystemd(s Spec) ([]byte, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if strings.ContainsAny(s.Binary, "\"'\\") {
		return nil, usagef("the modelswitch binary path %q contains a quote or a backslash, which systemd "+
			"refuses in an executable name; move the binary to another directory", s.Binary)
	}
	for _, p := range append([]string{s.Binary, s.Workspace}, s.ExtraWritable...) {
		if privateTmp(p) {
			return nil, usagef("%s is under a temporary directory, which the service sees as private and "+
				"empty (PrivateTmp=yes); pick a directory elsewhere", p)
		}
	}
	var b strings.Builder
	line := func(a ...string) { b.WriteString(strings.Join(a, "") + "\n") }
	line("# ModelSwitch LLM gateway, written by `modelswitch --install`.")
	line("# `modelswitch --uninstall` removes it; edits here are replaced by the next --install.")
	line("[Unit]")
	line("Description=ModelSwitch LLM gateway")
	line("Documentation=https://github.com/modelswitch/modelswitch")
	line("After=network-online.target")
	line("Wants=network-online.target")
	line("# A failure that persists (a port taken by another process) ends in `failed`")
	line("# after five tries instead of restarting forever.")
	line("StartLimitIntervalSec=120")
	line("StartLimitBurst=5")
	line()
	line("[Service]")
	line("Type=simple")
	if s.System {
		line("User=", s.User)
	}
	cmd := []string{systemdWord(s.Binary, false)}
	for _, a := range s.Args() {
		cmd = append(cmd, systemdWord(a, true))
	}
	line("ExecStart=", strings.Join(cmd, " "))
	line("Environment=", systemdWord("MODELSWITCH_WORKSPACE="+s.Workspace, false))
	line("Restart=on-failure")
	line("RestartSec=5")
	line("# Exit status 2 is a configuration error: restarting cannot fix it.")
	line("RestartPreventExitStatus=2")
	line("NoNewPrivileges=yes")
	line("ProtectSystem=strict")
	rw := []string{systemdWord(s.Workspace, false)}
	for _, d := range s.ExtraWritable {
		rw = append(rw, systemdWord(d, false))
	}
	line("ReadWritePaths=", strings.Join(rw, " "))
	line("PrivateTmp=yes")
	line()
	line("[Install]")
	if s.System {
		line("WantedBy=multi-user.target")
	} else {
		line("WantedBy=default.target")
	}
	return []byte(b.String()), nil
}

// privateTmp is underTmp; tests, whose temporary directories live in /tmp, replace it.
var privateTmp = underTmp

// underTmp reports whether p lies in /tmp or /var/tmp, which PrivateTmp replaces.
func underTmp(p string) bool {
	for _, t := range []string{"/tmp", "/var/tmp"} {
		if p == t || strings.HasPrefix(p, t+"/") {
			return true
		}
	}
	return false
}

// systemdWord writes one word of a setting that systemd splits, unquotes and C-unescapes
// (ExecStart, Environment, ReadWritePaths). Specifiers expand in all of them, so % is doubled;
// ExecStart expands $VAR in its arguments but not in the executable path, so dollar says
// whether $ is doubled. A word with blanks, quotes or backslashes is double-quoted with \\ and
// \" escaped. Control characters were refused by Spec.Validate.
func systemdWord(s string, dollar bool) string {
	s = strings.ReplaceAll(s, "%", "%%")
	if dollar {
		s = strings.ReplaceAll(s, "$", "$$")
	}
	if s != "" && s != ";" && !strings.ContainsAny(s, " \t\"'\\") {
		return s
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// ParseSystemd reads back what RenderSystemd wrote: the binary, workspace, overrides, user and
// whether it is a system unit. It understands the quoting RenderSystemd produces, not every
// unit file systemd accepts.
func ParseSystemd(unit []byte) (Spec, error) {
	var s Spec
	var exec string
	sc := bufio.NewScanner(bytes.NewReader(unit))
	for sc.Scan() {
		k, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), "=")
		switch {
		case !ok:
		case k == "ExecStart":
			exec = v
		case k == "User":
			s.User, s.System = v, true
		case k == "WantedBy" && v == "multi-user.target":
			s.System = true
		}
	}
	if exec == "" {
		return Spec{}, errors.New("the unit has no ExecStart line")
	}
	words, err := splitSystemd(exec)
	if err != nil {
		return Spec{}, fmt.Errorf("reading ExecStart: %w", err)
	}
	s.Binary = words[0]
	return s, applyArgs(&s, words[1:])
}

// splitSystemd splits an ExecStart value written by RenderSystemd into its words.
func splitSystemd(v string) ([]string, error) {
	var words []string
	for i := 0; i < len(v); {
		if v[i] == ' ' || v[i] == '\t' {
			i++
			continue
		}
		var w strings.Builder
		if v[i] == '"' {
			i++
			for ; i < len(v) && v[i] != '"'; i++ {
				if v[i] == '\\' && i+1 < len(v) {
					i++
				}
				w.WriteByte(v[i])
			}
			if i >= len(v) {
				return nil, errors.New("unterminated quote")
			}
			i++
		} else {
			for ; i < len(v) && v[i] != ' ' && v[i] != '\t'; i++ {
				w.WriteByte(v[i])
			}
		}
		word := strings.ReplaceAll(w.String(), "%%", "%")
		if len(words) > 0 {
			word = strings.ReplaceAll(word, "$$", "$")
		}
		words = append(words, word)
	}
	if len(words) == 0 {
		return nil, errors.New("empty command")
	}
	return words, nil
}

// applyArgs fills the workspace and overrides from the core's command line.
func applyArgs(s *Spec, args []string) error {
	for i := 0; i < len(args); i++ {
		if args[i] == "--start" {
			continue
		}
		if i+1 >= len(args) {
			return fmt.Errorf("argument %q has no value", args[i])
		}
		switch v := args[i+1]; args[i] {
		case "--workspace", "-w":
			s.Workspace = v
		case "--host":
			s.Host = v
		case "--port":
			p, err := strconv.Atoi(v)
			if err != nil {
				return fmt.Errorf("--port %q: %w", v, err)
			}
			s.Port = p
		default:
			return fmt.Errorf("unexpected argument %q", args[i])
		}
		i++
	}
	if s.Workspace == "" {
		return errors.New("the command line has no --workspace")
	}
	return nil
}
