// Package servicetest provides a fake service.Manager for tests of the service verbs on
// machines without systemd or launchd.
package servicetest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/modelswitch/modelswitch/app/service"
)

// Fake is an in-memory service manager. The unit file itself is real (the Controller writes it
// at Path); the fake records the calls it gets and keeps the state a manager would.
type Fake struct {
	K    service.Kind
	Path string
	// Fail makes the named method ("Install", "Start", …) return the error.
	Fail map[string]error
	// OnStart runs whenever the fake "starts" the service (Install, Start, Restart), e.g. to
	// serve a health endpoint; OnStop when it stops.
	OnStart, OnStop func()
	Log             string // what Logs writes

	mu      sync.Mutex
	calls   []string
	state   service.State
	lingers []string
}

// New returns a fake systemd manager whose unit file lives at path.
func New(path string) *Fake { return &Fake{K: service.Systemd, Path: path} }

// Calls returns the methods called so far, in order.
func (f *Fake) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

// Lingers returns the users EnableLinger was called for.
func (f *Fake) Lingers() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.lingers...)
}

// SetState replaces the state Status reports.
func (f *Fake) SetState(st service.State) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.state = st
}

func (f *Fake) call(name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, name)
	return f.Fail[name]
}

func (f *Fake) run(active bool) {
	f.mu.Lock()
	was := f.state.Active
	f.state.Active = active
	if active {
		f.state.PID, f.state.Detail = 4242, "active (running)"
	} else {
		f.state.PID, f.state.Detail = 0, "inactive (dead)"
	}
	f.mu.Unlock()
	switch {
	case active && !was && f.OnStart != nil:
		f.OnStart()
	case !active && was && f.OnStop != nil:
		f.OnStop()
	}
}

func (f *Fake) Kind() service.Kind { return f.K }
func (f *Fake) Describe() string   { return "fake unit" }
func (f *Fake) UnitPath() string   { return f.Path }

func (f *Fake) Install(changed bool) error {
	if err := f.call(fmt.Sprintf("Install(%v)", changed)); err != nil {
		return err
	}
	if _, err := os.Stat(f.Path); err != nil {
		return fmt.Errorf("fake: Install without a unit file: %w", err)
	}
	f.mu.Lock()
	f.state.Loaded, f.state.Enabled = true, true
	f.mu.Unlock()
	if changed {
		f.run(false)
	}
	f.run(true)
	return nil
}

func (f *Fake) Uninstall(remove func() error) error {
	if err := f.call("Uninstall"); err != nil {
		return err
	}
	f.run(false)
	f.mu.Lock()
	f.state = service.State{}
	f.mu.Unlock()
	return remove()
}

func (f *Fake) Start() error {
	if err := f.call("Start"); err != nil {
		return err
	}
	f.run(true)
	return nil
}

func (f *Fake) Stop() error {
	if err := f.call("Stop"); err != nil {
		return err
	}
	f.run(false)
	return nil
}

func (f *Fake) Restart() error {
	if err := f.call("Restart"); err != nil {
		return err
	}
	f.run(false)
	f.run(true)
	return nil
}

func (f *Fake) Status() (service.State, error) {
	if err := f.call("Status"); err != nil {
		return service.State{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.state, nil
}

func (f *Fake) Logs(ctx context.Context, follow bool, lines int, w io.Writer) error {
	if err := f.call("Logs"); err != nil {
		return err
	}
	_, err := io.WriteString(w, f.Log)
	if follow {
		<-ctx.Done()
	}
	return err
}

func (f *Fake) EnableLinger(user string) error {
	if err := f.call("EnableLinger"); err != nil {
		return err
	}
	if user == "" {
		return errors.New("fake: EnableLinger without a user")
	}
	f.mu.Lock()
	f.lingers = append(f.lingers, user)
	f.mu.Unlock()
	return nil
}

var _ service.Manager = (*Fake)(nil)
