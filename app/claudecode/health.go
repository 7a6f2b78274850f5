package claudecode

import (
	"fmt"
	"time"

	"github.com/modelswitch/modelswitch/app/agentconfig"
)

// CheckGateway asks baseURL+"/health" whether a gateway is running there
// and returns an error meant for the user when none answers with 2xx
// within timeout: Claude Code would then fail every request.
func CheckGateway(baseURL string, timeout time.Duration) error {
	if err := agentconfig.CheckGateway("Claude Code", baseURL, baseURL, timeout); err != nil {
		return fmt.Errorf("claudecode: %w", err)
	}
	return nil
}
