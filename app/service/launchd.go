package service

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
)

// LaunchdLogs are the files launchd writes the core's stdout and stderr to (seed §13.4).
func LaunchdLogs(ws string) (stdout, stderr string) {
	return filepath.Join(ws, "logs", "launchd-stdout.log"), filepath.Join(ws, "logs", "launchd-stderr.log")
}

// RenderLaunchd renders the LaunchAgent plist for s: started at login, restarted when it
// exits with a failure (KeepAlive/SuccessfulExit=false), output in <workspace>/logs. Every
// string is XML-escaped.
func RenderLaunchd(s Spec) ([]byte, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if s.System {
		return nil, &UsageError{"--system is for systemd; on macOS the service is a LaunchAgent of your account"}
	}
	out, errPath := LaunchdLogs(s.Workspace)
	var b strings.Builder
	str := func(indent, v string) { b.WriteString(indent + "<string>" + xmlEscape(v) + "</string>\n") }
	key := func(k string) { b.WriteString("\t<key>" + k + "</key>\n") }
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
`)
	key("Label")
	str("\t", s.Label())
	key("ProgramArguments")
	b.WriteString("\t<array>\n")
	str("\t\t", s.Binary)
	for _, a := range s.Args() {
		str("\t\t", a)
	}
	b.WriteString("\t</array>\n")
	key("EnvironmentVariables")
	b.WriteString("\t<dict>\n\t\t<key>MODELSWITCH_WORKSPACE</key>\n")
	str("\t\t", s.Workspace)
	b.WriteString("\t</dict>\n")
	key("RunAtLoad")
	b.WriteString("\t<true/>\n")
	key("KeepAlive")
	b.WriteString("\t<dict>\n\t\t<key>SuccessfulExit</key>\n\t\t<false/>\n\t</dict>\n")
	key("ThrottleInterval")
	b.WriteString("\t<integer>5</integer>\n")
	key("ProcessType")
	str("\t", "Background")
	key("StandardOutPath")
	str("\t", out)
	key("StandardErrorPath")
	str("\t", errPath)
	b.WriteString("</dict>\n</plist>\n")
	return []byte(b.String()), nil
}

func xmlEscape(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s)) // writes to a buffer: cannot fail
	return b.String()
}

// ParseLaunchd reads back the binary, workspace and overrides from a plist RenderLaunchd wrote.
func ParseLaunchd(plist []byte) (Spec, error) {
	d := xml.NewDecoder(bytes.NewReader(plist))
	var args []string
	var lastKey string
	depth, inArgs := 0, false
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return Spec{}, fmt.Errorf("reading the plist: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			switch {
			case t.Name.Local == "key" && depth == 3:
				var k string
				if err := d.DecodeElement(&k, &t); err != nil {
					return Spec{}, fmt.Errorf("reading the plist: %w", err)
				}
				depth--
				lastKey = k
			case t.Name.Local == "array" && depth == 3 && lastKey == "ProgramArguments":
				inArgs = true
			case t.Name.Local == "string" && inArgs:
				var v string
				if err := d.DecodeElement(&v, &t); err != nil {
					return Spec{}, fmt.Errorf("reading the plist: %w", err)
				}
				depth--
				args = append(args, v)
			}
		case xml.EndElement:
			if t.Name.Local == "array" {
				inArgs = false
			}
			depth--
		}
	}
	if len(args) == 0 {
		return Spec{}, errors.New("the plist has no ProgramArguments")
	}
	s := Spec{Binary: args[0]}
	return s, applyArgs(&s, args[1:])
}
