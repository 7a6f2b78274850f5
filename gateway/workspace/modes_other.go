//go:build !unix

package workspace

// unixModes is false where permission bits mean little (Windows: ACLs decide, and chmod only
// toggles the read-only bit), so Open changes no modes and ConfigExposure stays silent.
const unixModes = false
