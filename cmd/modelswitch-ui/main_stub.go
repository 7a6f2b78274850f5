//go:build !desktop && !dev && !bindings

// Command modelswitch-ui is ModelSwitch's admin window. This build has no
// window: build it with cgo and -tags desktop,production,webkit2_41 (`make desktop`).
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "modelswitch-ui: built without the desktop tags; build it with `make desktop`")
	os.Exit(1)
}
