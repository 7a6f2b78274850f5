package window

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/modelswitch/modelswitch/app/control"
)

// Paths the window's own script posts to; never forwarded to the core.
const (
	langPath = "/__modelswitch/lang" // the SPA's language, for the tray
	logPath  = "/__modelswitch/log"  // a line for the window's log (the smoke test's probe reports here)
	// gatewayPath answers the gateway's address as the core reports it
	// (--port and a moved listener included): the page's own origin here is
	// wails://wails, which no client can use. The Models tab's snippets read it.
	gatewayPath = "/__modelswitch/gateway"
)

// Handler is the window's AssetServer handler: /api/* goes to the core over
// the control socket (the core adds the admin credential, so the SPA needs
// no login), the window's private paths (language, log, gateway address)
// are answered here, and every other request is the embedded SPA (ui).
func Handler(cl *control.Client, ui http.Handler, log *slog.Logger) http.Handler {
	api := cl.APIProxy()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		switch {
		case p == "/api" || strings.HasPrefix(p, "/api/"):
			api.ServeHTTP(w, r)
		case p == langPath && r.Method == http.MethodPost:
			var body struct {
				Lang string `json:"lang"`
			}
			if err := json.NewDecoder(io.LimitReader(r.Body, 1024)).Decode(&body); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			if err := cl.SetLanguage(r.Context(), body.Lang); err != nil {
				http.Error(w, err.Error(), control.StatusOf(err))
				return
			}
			w.WriteHeader(http.StatusNoContent)
		case p == gatewayPath && r.Method == http.MethodGet:
			st, err := cl.Status(r.Context())
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]any{"base_url": st.Gateway.BaseURL, "running": st.Gateway.Running})
		case p == logPath && r.Method == http.MethodPost:
			b, _ := io.ReadAll(io.LimitReader(r.Body, 64<<10))
			log.Info("window script", "message", string(b))
			w.WriteHeader(http.StatusNoContent)
		default:
			ui.ServeHTTP(w, r)
		}
	})
}

// langScript runs in the page once its DOM is ready: it reports the SPA's
// stored language (localStorage "modelswitch.lang") and every later change
// to the core, so the tray's labels follow the admin UI.
const langScript = `(function () {
  try {
    var key = 'modelswitch.lang';
    var send = function (v) {
      if (v !== 'zh' && v !== 'en') return;
      fetch('` + langPath + `', {method: 'POST', headers: {'Content-Type': 'application/json'},
        body: JSON.stringify({lang: v})}).catch(function () {});
    };
    send(localStorage.getItem(key));
    if (!window.__modelswitchLang) {
      window.__modelswitchLang = true;
      var set = Storage.prototype.setItem;
      Storage.prototype.setItem = function (k, v) {
        set.apply(this, arguments);
        if (this === window.localStorage && k === key) send(String(v));
      };
    }
  } catch (e) {}
})();`
