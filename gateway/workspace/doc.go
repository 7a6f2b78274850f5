// Package workspace finds and prepares the directory that holds all of a ModelSwitch core's
// state — config.yaml, logs/, data/ and run/ — and guarantees one core per workspace.
//
// Resolve picks the directory (--workspace, then MODELSWITCH_WORKSPACE, then ~/.modelswitch).
// Open creates the layout with private permissions and, on first run only, writes a commented
// config.yaml holding one freshly generated admin key, which it returns so the caller can show
// it once. Lock takes an exclusive flock on run/core.lock before anything else runs, so a
// second core (e.g. a desktop launch while the service is running) fails fast with the pid of
// the one already serving the workspace.
//
// Permissions: the workspace directory, logs/, data/ and run/ are 0700 after Open — created
// so, or an existing one has its group and other bits removed, because the control socket in
// run/ grants admin access without a key and the others hold logs and usage. Open reports,
// in Workspace.Warnings, what it could not tighten (not our directory) and leaves alone a
// symlinked subdirectory, the home directory and a sticky one like /tmp. config.yaml is never
// chmod'ed: ConfigExposure says when others can read it, for the log and the UI. Files are
// written 0600 and atomically (temp file in the same directory, fsync, rename), and the
// first-run config is linked into place so an existing config.yaml is never overwritten,
// even one created by a racing process. ShowFirstRun prints the first-run admin key only on
// a terminal; elsewhere (a service's journal) it goes to first-admin-key.txt, mode 0600.
package workspace
