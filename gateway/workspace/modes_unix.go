//go:build unix

package workspace

// unixModes says that file modes are what guards the workspace here, so Open tightens them
// and ConfigExposure reads them.
const unixModes = true
