package workspace

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"golang.org/x/term"
)

// FirstKeyName is the file in the workspace that holds the first-run admin key when there was
// no terminal to show it on.
const FirstKeyName = "first-admin-key.txt"

// SaveFirstAdminKey writes key to <Dir>/first-admin-key.txt with mode 0600 and returns the
// path. It never overwrites: a file left from an earlier first run is an error (it may hold a
// key the user has not copied yet).
func (w *Workspace) SaveFirstAdminKey(key string) (string, error) {
	path := filepath.Join(w.Dir, FirstKeyName)
	created, err := createExclusive(path, []byte(key+"\n"))
	if err != nil {
		return "", fmt.Errorf("saving the first admin key: %w", err)
	}
	if !created {
		return "", fmt.Errorf("saving the first admin key: %s already exists", path)
	}
	return path, nil
}

// ShowFirstRun tells the user about a first run's admin key. On a terminal the key is printed,
// once, as it always was. Anywhere else — a service whose stdout is the journal or a log file,
// a pipe into a provisioning log — printing it would store it for whoever reads those logs, so
// it goes to a 0600 file in the workspace and only the file's path is printed. keyFile is that
// file ("" when the key went to the terminal, or could not be saved; then the message points
// at config.yaml, which always holds the key).
func (w *Workspace) ShowFirstRun(out io.Writer, first *FirstRun) (keyFile string, err error) {
	if IsTerminal(out) {
		_, err = fmt.Fprintf(out, "Created %s with a new admin API key (shown only this once):\n\n    %s\n\n",
			first.ConfigPath, first.AdminKey)
		return "", err
	}
	keyFile, serr := w.SaveFirstAdminKey(first.AdminKey)
	if serr != nil {
		_, err = fmt.Fprintf(out, "Created %s with a new admin API key; it is not printed here, as this is not a terminal "+
			"(%v). Find it under api_keys in that file.\n\n", first.ConfigPath, serr)
		return "", err
	}
	_, err = fmt.Fprintf(out, "Created %s with a new admin API key; it is not printed here, as this is not a terminal. "+
		"It is in %s (readable only by you): copy it, then delete that file.\n\n", first.ConfigPath, keyFile)
	return keyFile, err
}

// IsTerminal reports whether out is a terminal a person is watching. The journal (a socket),
// launchd's log file, pipes and /dev/null are not.
func IsTerminal(out io.Writer) bool {
	f, ok := out.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
