// Package store opens the gateway's one database, <workspace>/data/modelswitch.db
// (storm v3 over bbolt, DESIGN §9). Usage rows, hourly rollups, daily limit
// counters and the conversation index all live in it, each package in its own
// storm node (bucket), so one file can be backed up or deleted as a whole.
//
// bbolt takes an exclusive file lock; a second process (or a stuck one) makes
// Open fail with a clear message after a short wait instead of hanging, and a
// corrupt file is reported by name, never silently replaced.
package store
