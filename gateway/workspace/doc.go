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
// Permissions: directories Open creates get 0700 and files 0600, but a directory that already
// exists is never chmod'ed — it may be one the user shares on purpose (e.g. a workspace inside
// a synced folder). Files are written atomically (temp file in the same directory, fsync,
// rename), and the first-run config is linked into place so an existing config.yaml is never
// overwritten, even one created by a racing process.
package workspace
