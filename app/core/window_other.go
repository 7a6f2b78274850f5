//go:build !unix

package core

import "os"

func terminate(p *os.Process) error { return p.Kill() }
