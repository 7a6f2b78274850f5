//go:build bindings

package window

// BindingsBuild is true when the wails CLI builds the binary to generate
// bindings: main must reach Run at once, without locks or a core.
const BindingsBuild = true
