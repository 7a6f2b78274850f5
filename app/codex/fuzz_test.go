package codex

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/modelswitch/modelswitch/app/agentconfig"
	"github.com/pelletier/go-toml/v2"
)

// FuzzCodexSwitch: any input that parses as TOML either switches on and
// back off to the same bytes (also through the path that restores key by
// key, taken when the file changed meanwhile), or is refused as a layout or
// conflict the switch documents; anything else is refused as not TOML. A
// refused file is untouched and leaves no record behind.
func FuzzCodexSwitch(f *testing.F) {
	for _, s := range []string{"", "\n", userConfig, tricky, created, "a = 1", "[features]\r\nplugins = false",
		"model = 'm1'\n[model_providers.modelswitch]\nenv_key = \"K\"\nname = \"x\"\n",
		"x = \"\"\"\n[model_providers.modelswitch]\n\"\"\"\n", "model_providers.azure.name = \"a\"\n", "[model]\n"} {
		f.Add([]byte(s))
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		f.Add([]byte(genConfig(r)))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var sem map[string]any
		valid := toml.Unmarshal(in, &sem) == nil
		d, st, _, err := switchOn("config.toml", agentconfig.Snapshot{Exists: true, Text: in}, testOpts, time.Time{})
		if err == nil {
			err = verify("config.toml", in, d.text)
		}
		if err != nil {
			var pe *ParseError
			switch {
			case !valid && !errors.As(err, &pe):
				t.Fatalf("invalid TOML refused with %v", err)
			case valid && !errors.Is(err, ErrLayout) && !errors.Is(err, ErrConflict):
				t.Fatalf("valid TOML refused with %v:\n%q", err, in)
			}
			if len(in)%8 == 0 {
				onDisk(t, in, false)
			}
			return
		}
		if !valid {
			t.Fatalf("switched on a file that is not TOML: %q", in)
		}
		var after map[string]any
		if err := toml.Unmarshal(d.text, &after); err != nil || !equal(withoutOwned(sem), withoutOwned(after)) {
			t.Fatalf("switch-on changed other keys or does not parse (%v):\n%q\n%q", err, in, d.text)
		}
		if now := effective(after); now.provider != ProviderID || now.baseURL != testURL+"/v1" || now.model != testModel {
			t.Fatalf("switch-on does not point Codex at us: %+v\n%q", now, d.text)
		}
		on := agentconfig.File{Exists: true, Text: d.text}
		for _, written := range []string{agentconfig.Digest(true, d.text), "changed"} { // restore whole, then key by key
			st.Written = written
			snap, res, err := unwind(st, on, "config.toml")
			if err != nil || len(res.Kept) != 0 || !bytes.Equal(snap.Text, in) {
				t.Fatalf("switch-off (%s): %v %v\n%q\ngave\n%q", written, err, res.Kept, in, snap.Text)
			}
		}
		if len(in)%8 == 0 {
			onDisk(t, in, true)
		}
	})
}

// onDisk is the same through Enable and Disable on a real file: a refused
// file is untouched and leaves no record; an accepted one comes back.
func onDisk(t *testing.T, in []byte, accepted bool) {
	fx := newFixture(t)
	fx.write(string(in))
	_, err := fx.sw.Enable(testOpts)
	if accepted != (err == nil) {
		t.Fatalf("Enable on disk: %v", err)
	}
	if err == nil {
		_, err = fx.sw.Disable()
	}
	if got, _ := os.ReadFile(fx.config); err != nil && accepted || !bytes.Equal(got, in) || fx.stateExists() || !accepted && fx.backupCount() != 0 {
		t.Fatalf("on disk (%v): %q became %q", err, in, got)
	}
}
