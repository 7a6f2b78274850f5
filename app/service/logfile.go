package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/modelswitch/modelswitch/gateway/config"
	"github.com/modelswitch/modelswitch/gateway/logs"
)

// LogFile is the gateway.log of s's workspace: in gateway.log_dir of its
// config.yaml (relative to the workspace), else in logs/.
func LogFile(s Spec) string {
	dir := config.Default().Gateway.LogDir
	if cfg, _, err := config.Load(filepath.Join(s.Workspace, "config.yaml")); err == nil && cfg.Gateway.LogDir != "" {
		dir = cfg.Gateway.LogDir
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(s.Workspace, dir)
	}
	return filepath.Join(dir, logs.FileName)
}

// showLog writes what the service logged: first the service manager's
// record (starts, stops, and what the core printed before its log was open:
// a bad config, a workspace in use), then the end of gateway.log, where the
// core writes everything else. Off a terminal the core writes no console
// copy of its log (issue 16), so the journal alone would show almost
// nothing. With follow, gateway.log is followed (across rotation) until ctx
// ends.
func (c *Controller) showLog(ctx context.Context, s Spec, follow bool, lines int) error {
	fmt.Fprintf(c.Out, "--- %s\n", c.Manager.Describe())
	if err := c.Manager.Logs(ctx, false, min(lines, 20), c.Out); err != nil {
		fmt.Fprintf(c.Out, "  (%v)\n", err)
	}
	path := LogFile(s)
	fmt.Fprintf(c.Out, "--- %s\n", path)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintln(c.Out, "  (no log file yet: the gateway has not started in this workspace)")
		return nil
	}
	return tailFiles(ctx, lines, follow, c.Out, path)
}

// tailFiles runs tail(1) on paths, which Linux and macOS both have and which
// follows a file across lumberjack's rename-and-create rotation with -F.
func tailFiles(ctx context.Context, lines int, follow bool, w io.Writer, paths ...string) error {
	args := []string{"-n", strconv.Itoa(lines)}
	if follow {
		args = append(args, "-F")
	}
	cmd := exec.CommandContext(ctx, "tail", append(args, paths...)...)
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Run(); err != nil && ctx.Err() == nil {
		return fmt.Errorf("tail %s: %w", strings.Join(paths, " "), err)
	}
	return nil
}
