package claudecode

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// CheckGateway asks baseURL+"/health" whether a gateway is running there
// and returns an error meant for the user when none answers with 2xx
// within timeout: Claude Code would then fail every request.
func CheckGateway(baseURL string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	u := strings.TrimRight(baseURL, "/") + "/health"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("claudecode: Claude Code points at %s, which is not a usable URL: %w", baseURL, err)
	}
	// No proxy from the environment: the gateway is local.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("claudecode: Claude Code points at the gateway %s, but it is not running (%v); "+
			"start ModelSwitch or switch Claude Code off", baseURL, err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("claudecode: Claude Code points at the gateway %s, but its /health answered %s; "+
			"start ModelSwitch or switch Claude Code off", baseURL, resp.Status)
	}
	return nil
}
