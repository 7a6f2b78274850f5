package service

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Report is what --status says, and the shape of --status --json.
type Report struct {
	Manager   string   `json:"manager"`
	UnitPath  string   `json:"unit_path"`
	Installed bool     `json:"installed"`
	Enabled   bool     `json:"enabled"`
	Active    bool     `json:"active"`
	State     string   `json:"state"`
	PID       int      `json:"pid,omitempty"`
	Linger    string   `json:"linger,omitempty"`
	Workspace string   `json:"workspace"`
	Address   string   `json:"address"` // http://host:port the health check used
	Health    Health   `json:"health"`
	Notes     []string `json:"notes,omitempty"`
}

// Report gathers the status: the unit file (installed), the manager (enabled, active, pid),
// the workspace and address the installed unit uses (the flags' when not installed) and the
// gateway's answer to /api/config/health.
func (c *Controller) Report() (Report, error) {
	r := Report{Manager: c.Manager.Describe(), UnitPath: c.Manager.UnitPath()}
	s, err := c.installed()
	var ni *NotInstalledError
	switch {
	case err == nil:
		r.Installed = true
	case errors.As(err, &ni):
		s = c.Spec
	default:
		r.Installed = true
		r.Notes = append(r.Notes, err.Error())
		s = c.Spec
	}
	st, err := c.Manager.Status()
	if err != nil {
		return Report{}, err
	}
	r.Enabled, r.Active, r.PID, r.Linger = st.Enabled, st.Active, st.PID, st.Linger
	r.State = st.Detail
	if !r.Installed && !st.Loaded {
		r.State = "not installed"
	}
	r.Workspace = s.Workspace
	_, dial, note := Addresses(s)
	if note != "" {
		r.Notes = append(r.Notes, note)
	}
	r.Address = "http://" + dial
	r.Health = c.probe(dial)
	if r.Health.OK && !r.Active {
		r.Notes = append(r.Notes, "a gateway answers there, but not the service: a foreground `modelswitch --start`?")
	}
	if !r.Health.OK && r.Active {
		r.Notes = append(r.Notes, "the service runs but does not answer; `modelswitch --log` tells why")
	}
	return r, nil
}

// Status prints the report as lines, or as JSON.
func (c *Controller) Status(asJSON bool) error {
	r, err := c.Report()
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(c.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	yes := map[bool]string{true: "yes", false: "no"}
	line := func(k, v string) { fmt.Fprintf(c.Out, "%-11s%s\n", k+":", v) }
	line("Service", r.Manager)
	if r.Installed {
		line("Installed", "yes ("+r.UnitPath+")")
	} else {
		line("Installed", "no (no "+r.UnitPath+"; `modelswitch --install` adds it)")
	}
	line("Enabled", yes[r.Enabled])
	active := yes[r.Active] + " — " + r.State
	if r.PID > 0 {
		active += fmt.Sprintf(", pid %d", r.PID)
	}
	line("Active", active)
	if r.Linger != "" {
		line("Linger", r.Linger)
	}
	line("Workspace", r.Workspace)
	line("Address", r.Address)
	if r.Health.OK {
		h := r.Health.Status
		switch {
		case r.Health.Version != "" && r.Health.Uptime > 0:
			h += fmt.Sprintf(" (version %s, up %ds)", r.Health.Version, r.Health.Uptime)
		case r.Health.Version != "": // the gateway tells its uptime only to an admin key
			h += fmt.Sprintf(" (version %s)", r.Health.Version)
		}
		line("Health", h)
	} else {
		line("Health", "unreachable: "+r.Health.Error)
	}
	for _, n := range r.Notes {
		line("Note", strings.TrimSpace(n))
	}
	return nil
}
