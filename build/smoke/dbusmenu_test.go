//go:build desktopsmoke

package smoke

import (
	"fmt"
	"strings"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/introspect"
)

// This file is a small StatusNotifierItem + com.canonical.dbusmenu client:
// it finds the tray item the way a panel does and clicks its menu entries.

const (
	watcherName = "org.kde.StatusNotifierWatcher"
	sniIface    = "org.kde.StatusNotifierItem"
	menuIface   = "com.canonical.dbusmenu"
)

// menuItem is one dbusmenu entry.
type menuItem struct {
	ID       int32
	Label    string
	Type     string // "separator" or ""
	Toggle   string // "checkmark" for check items
	Checked  bool
	Enabled  bool
	Visible  bool
	Children []*menuItem
}

// trayItem is a registered StatusNotifierItem and its menu object.
type trayItem struct {
	conn *dbus.Conn
	bus  string
	path dbus.ObjectPath // the SNI object
	menu dbus.ObjectPath
}

func mustBus(t interface{ Fatal(...any) }) *dbus.Conn {
	conn, err := dbus.SessionBus()
	if err != nil {
		t.Fatal(err)
	}
	return conn
}

// registeredItems reads the watcher's list (entries are "bus" or "bus/path").
func registeredItems(conn *dbus.Conn) ([]string, error) {
	v, err := conn.Object(watcherName, "/StatusNotifierWatcher").GetProperty(watcherName + ".RegisteredStatusNotifierItems")
	if err != nil {
		return nil, err
	}
	items, _ := v.Value().([]string)
	return items, nil
}

// findTray finds the registered item with a dbusmenu, introspecting for the
// SNI object when only a bus name was registered (ayatana does that).
func findTray(conn *dbus.Conn) (*trayItem, error) {
	items, err := registeredItems(conn)
	if err != nil {
		return nil, err
	}
	for _, entry := range items {
		bus, path := entry, dbus.ObjectPath("")
		if i := strings.IndexByte(entry, '/'); i > 0 {
			bus, path = entry[:i], dbus.ObjectPath(entry[i:])
		}
		if path == "" {
			path = findObject(conn, bus, "/", sniIface)
		}
		if path == "" {
			continue
		}
		v, err := conn.Object(bus, path).GetProperty(sniIface + ".Menu")
		if err != nil {
			continue
		}
		menu, _ := v.Value().(dbus.ObjectPath)
		if menu != "" {
			return &trayItem{conn: conn, bus: bus, path: path, menu: menu}, nil
		}
	}
	return nil, fmt.Errorf("no StatusNotifierItem with a menu among %q", items)
}

// findObject walks the object tree of bus for an object implementing iface.
func findObject(conn *dbus.Conn, bus string, path dbus.ObjectPath, iface string) dbus.ObjectPath {
	node, err := introspect.Call(conn.Object(bus, path))
	if err != nil {
		return ""
	}
	for _, i := range node.Interfaces {
		if i.Name == iface {
			return path
		}
	}
	for _, child := range node.Children {
		p := string(path) + "/" + child.Name
		if path == "/" {
			p = "/" + child.Name
		}
		if found := findObject(conn, bus, dbus.ObjectPath(p), iface); found != "" {
			return found
		}
	}
	return ""
}

// prop reads a property of the SNI object (Id, Title, Status, IconName…).
func (t *trayItem) prop(name string) (any, error) {
	v, err := t.conn.Object(t.bus, t.path).GetProperty(sniIface + "." + name)
	if err != nil {
		return nil, err
	}
	return v.Value(), nil
}

// layout reads the whole menu.
func (t *trayItem) layout() (*menuItem, error) {
	var rev uint32
	var root struct {
		ID       int32
		Props    map[string]dbus.Variant
		Children []dbus.Variant
	}
	err := t.conn.Object(t.bus, t.menu).Call(menuIface+".GetLayout", 0, int32(0), int32(-1), []string{}).Store(&rev, &root)
	if err != nil {
		return nil, err
	}
	return parseItem(root.ID, root.Props, root.Children), nil
}

func parseItem(id int32, props map[string]dbus.Variant, children []dbus.Variant) *menuItem {
	m := &menuItem{ID: id, Enabled: true, Visible: true}
	if v, ok := props["label"]; ok {
		m.Label, _ = v.Value().(string)
	}
	if v, ok := props["type"]; ok {
		m.Type, _ = v.Value().(string)
	}
	if v, ok := props["toggle-type"]; ok {
		m.Toggle, _ = v.Value().(string)
	}
	if v, ok := props["toggle-state"]; ok {
		n, _ := v.Value().(int32)
		m.Checked = n == 1
	}
	if v, ok := props["enabled"]; ok {
		m.Enabled, _ = v.Value().(bool)
	}
	if v, ok := props["visible"]; ok {
		m.Visible, _ = v.Value().(bool)
	}
	for _, c := range children {
		s, ok := c.Value().([]any)
		if !ok || len(s) != 3 {
			continue
		}
		cid, _ := s[0].(int32)
		cprops, _ := s[1].(map[string]dbus.Variant)
		cchildren, _ := s[2].([]dbus.Variant)
		m.Children = append(m.Children, parseItem(cid, cprops, cchildren))
	}
	return m
}

// find returns the first visible item whose label starts with prefix, depth first.
func (m *menuItem) find(prefix string) *menuItem {
	for _, c := range m.Children {
		if c.Visible && c.Type != "separator" && strings.HasPrefix(c.Label, prefix) {
			return c
		}
		if f := c.find(prefix); f != nil {
			return f
		}
	}
	return nil
}

// labels lists the visible top-level entries ("---" for separators).
func (m *menuItem) labels() []string {
	var out []string
	for _, c := range m.Children {
		switch {
		case !c.Visible:
		case c.Type == "separator":
			out = append(out, "---")
		default:
			out = append(out, c.Label)
		}
	}
	return out
}

// click sends the "clicked" event a panel sends when the user picks an entry.
func (t *trayItem) click(id int32) error {
	return t.conn.Object(t.bus, t.menu).Call(menuIface+".Event", 0, id, "clicked", dbus.MakeVariant(""), uint32(time.Now().Unix())).Err
}
