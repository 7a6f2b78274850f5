package core

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/modelswitch/modelswitch/app/control"
	"github.com/modelswitch/modelswitch/gateway/config"
	"github.com/modelswitch/modelswitch/gateway/workspace"
)

// Pinning a primary adapter (the tray's Route menu) rewrites the model's
// priorities in config.yaml, so the choice survives restarts and the admin UI
// shows it: the pinned adapter gets priority 1 and the others follow in their
// previous order (2, 3, …). The priorities as they were before the first pin
// are kept in <workspace>/data/routes.json; "Auto failover" writes them back
// and forgets the record. A record whose chain was changed since (adapters
// added, removed or reordered in the UI or the file) no longer describes the
// file: the model shows as automatic and "auto" leaves the file alone.

// configEditor is what routing needs of server.Server.
type configEditor interface {
	Current() *config.Config
	Edit(change func(doc *config.Document) error) (*config.Config, error)
}

type routeRecord struct {
	Models map[string]*modelPin `json:"models"`
}

type modelPin struct {
	Adapter   string         `json:"adapter"`
	ModelName string         `json:"model_name"`
	Original  []origPriority `json:"original"`
}

type origPriority struct {
	Adapter   string `json:"adapter"`
	ModelName string `json:"model_name"`
	Priority  *int   `json:"priority"` // nil: config.yaml had no priority key (default 1)
}

func loadRoutes(path string) (*routeRecord, error) {
	rec := &routeRecord{Models: map[string]*modelPin{}}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return rec, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(data, rec); err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if rec.Models == nil {
		rec.Models = map[string]*modelPin{}
	}
	return rec, nil
}

func saveRoutes(path string, rec *routeRecord) error {
	data, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return err
	}
	return workspace.WriteFileAtomic(path, append(data, '\n'))
}

// matches reports whether the record still describes the chain.
func (p *modelPin) matches(ads []config.Adapter) bool {
	if p == nil || len(p.Original) != len(ads) {
		return false
	}
	for i, a := range ads {
		if p.Original[i].Adapter != a.Adapter || p.Original[i].ModelName != a.ModelName {
			return false
		}
	}
	return true
}

// adapterIDs names each adapter: its provider, or provider/model_name when
// the provider appears more than once in the chain.
func adapterIDs(ads []config.Adapter) []string {
	count := map[string]int{}
	for _, a := range ads {
		count[a.Adapter]++
	}
	ids := make([]string, len(ads))
	for i, a := range ads {
		ids[i] = a.Adapter
		if count[a.Adapter] > 1 {
			ids[i] = a.Adapter + "/" + a.ModelName
		}
	}
	return ids
}

// chainOrder is the order adapters are tried in: ascending priority, file order on ties.
func chainOrder(ads []config.Adapter) []int {
	order := make([]int, len(ads))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return ads[order[a]].Priority < ads[order[b]].Priority })
	return order
}

// pinnedIndex is the index of the pinned adapter when the record is current
// and that adapter alone has the lowest priority; -1 otherwise.
func pinnedIndex(p *modelPin, ads []config.Adapter) int {
	if !p.matches(ads) {
		return -1
	}
	for i, a := range ads {
		if a.Adapter != p.Adapter || a.ModelName != p.ModelName {
			continue
		}
		for j, b := range ads {
			if j != i && b.Priority <= a.Priority {
				return -1
			}
		}
		return i
	}
	return -1
}

func findModel(c *config.Config, name string) *config.Model {
	for i := range c.Models {
		if c.Models[i].Name == name {
			return &c.Models[i]
		}
	}
	return nil
}

// pickAdapter resolves a RouteRequest to an adapter index.
func pickAdapter(m *config.Model, req control.RouteRequest) (int, error) {
	ids := adapterIDs(m.Adapters)
	for i, id := range ids {
		if id == req.Adapter && (req.ModelName == "" || m.Adapters[i].ModelName == req.ModelName) {
			return i, nil
		}
	}
	var hits []int
	for i, a := range m.Adapters {
		if a.Adapter == req.Adapter && (req.ModelName == "" || a.ModelName == req.ModelName) {
			hits = append(hits, i)
		}
	}
	switch len(hits) {
	case 1:
		return hits[0], nil
	case 0:
		return -1, control.Errorf(http.StatusNotFound, "model %q has no adapter %q (it has: %s)", m.Name, req.Adapter, strings.Join(ids, ", "))
	}
	return -1, control.Errorf(http.StatusBadRequest, "model %q uses %q more than once: name one of %s", m.Name, req.Adapter, strings.Join(ids, ", "))
}

func priorityPath(model string, i int) config.Path {
	return config.Path{config.K("models"), config.K(model), config.K("adapters"), config.I(i), config.K("priority")}
}

// route pins req.Adapter as model req.Model's primary, or restores the
// recorded order for control.Auto. recPath is the record file.
func route(ed configEditor, recPath string, req control.RouteRequest) error {
	rec, err := loadRoutes(recPath)
	if err != nil {
		return err
	}
	auto := strings.EqualFold(req.Adapter, control.Auto)
	var pin *modelPin
	_, err = ed.Edit(func(doc *config.Document) error {
		cur, _, err := config.Parse(doc.Bytes(), "config.yaml")
		if err != nil {
			return control.Errorf(http.StatusConflict, "config.yaml is invalid; fix it first: %v", err)
		}
		m := findModel(cur, req.Model)
		if m == nil {
			return control.Errorf(http.StatusNotFound, "there is no model %q in config.yaml", req.Model)
		}
		old := rec.Models[m.Name]
		if auto {
			if !old.matches(m.Adapters) {
				return nil // nothing to restore: the file's order is already the automatic one
			}
			for i, o := range old.Original {
				if o.Priority != nil {
					err = doc.Set(priorityPath(m.Name, i), *o.Priority)
				} else if _, ok := doc.Get(priorityPath(m.Name, i)); ok {
					err = doc.Delete(priorityPath(m.Name, i))
				}
				if err != nil {
					return err
				}
			}
			return nil
		}
		target, err := pickAdapter(m, req)
		if err != nil {
			return err
		}
		pin = &modelPin{Adapter: m.Adapters[target].Adapter, ModelName: m.Adapters[target].ModelName}
		if old.matches(m.Adapters) {
			pin.Original = old.Original // keep the user's order, not an earlier pin's
		} else {
			for i, a := range m.Adapters {
				o := origPriority{Adapter: a.Adapter, ModelName: a.ModelName}
				if n, ok := doc.Get(priorityPath(m.Name, i)); ok {
					if v, err := strconv.Atoi(n.Value); err == nil {
						o.Priority = &v
					}
				}
				pin.Original = append(pin.Original, o)
			}
		}
		order := []int{target}
		for _, i := range chainOrder(m.Adapters) {
			if i != target {
				order = append(order, i)
			}
		}
		for rank, i := range order {
			if err := doc.Set(priorityPath(m.Name, i), rank+1); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		var ve *config.ValidationError
		if errors.As(err, &ve) {
			return control.Errorf(http.StatusConflict, "%v", err)
		}
		return err
	}
	if pin != nil {
		rec.Models[req.Model] = pin
	} else {
		delete(rec.Models, req.Model)
	}
	return saveRoutes(recPath, rec)
}

// modelRoutes describes the models of c for the status, with their pins.
func modelRoutes(c *config.Config, rec *routeRecord) []control.Model {
	out := make([]control.Model, 0, len(c.Models))
	for _, m := range c.Models {
		ids := adapterIDs(m.Adapters)
		pinned := -1
		if rec != nil {
			pinned = pinnedIndex(rec.Models[m.Name], m.Adapters)
		}
		cm := control.Model{Name: m.Name, Mode: m.Mode}
		if pinned >= 0 {
			cm.Pinned = ids[pinned]
		}
		order := chainOrder(m.Adapters)
		for i, a := range m.Adapters {
			cm.Adapters = append(cm.Adapters, control.Adapter{ID: ids[i], Adapter: a.Adapter, ModelName: a.ModelName,
				Priority: a.Priority, Primary: len(order) > 0 && order[0] == i})
		}
		out = append(out, cm)
	}
	return out
}
