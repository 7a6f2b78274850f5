//go:build tools

// Module wailscli builds the Wails v2.9.2 CLI (`make wails-cli`): its own
// pinned golang.org/x/tools is too old for Go 1.26, so this module bumps it
// (desktop.md §2). It is a separate module, so `go test ./...` skips it.
package wailscli

import _ "github.com/wailsapp/wails/v2/cmd/wails"
