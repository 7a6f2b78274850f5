// Package watch notices when config.yaml changes on disk (DESIGN §11).
//
// It watches the file's directory, not the file, because editors save by
// writing a temporary file and renaming it over the original (the watched
// inode disappears), and configuration managers swap symlinks. Events for the
// file's name are debounced; then the file is read and handed on only when its
// content differs from what was last seen, so the gateway's own writes
// (announced with Expect) and editors that touch a file without changing it
// cause no reload.
package watch
