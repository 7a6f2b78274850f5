package admin

import (
	"net/http"

	"github.com/modelswitch/modelswitch/gateway/presets"
)

// ListPresets is GET /api/presets: the shipped providers (issue 17) that
// "Add provider" starts from, with their endpoints, models, prices and the
// pages the facts came from.
func ListPresets(w http.ResponseWriter, r *http.Request) error {
	ps, err := presets.All()
	if err != nil {
		return err
	}
	return WriteJSON(w, http.StatusOK, ps)
}
