package admin

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/modelswitch/modelswitch/gateway/config"
)

// gatewayPatch is the gateway section as a request gives it.
type gatewayPatch struct {
	host, logLevel, logDir, timezone, logBodies *string
	port, logBackupCount, maxBodyMB, retention  *int
	logMaxBytes                                 *int64
	cors                                        *[]string
	breaker                                     *breakerPatch
}

// seedOnlyGateway are the seed's gateway fields the Go gateway does not use:
// accepted (a seed-era client may send them) and ignored.
var seedOnlyGateway = []string{"log_request_body", "log_response_body", "log_max_body_length", "usage_db", "usage_flush_interval"}

func decodeGateway(o *object) *gatewayPatch {
	g := &gatewayPatch{host: o.str("host"), port: o.integer("port"),
		logLevel: o.oneOf("log_level", "DEBUG", "INFO", "WARN", "ERROR", "WARNING", "CRITICAL"),
		logDir:   o.str("log_dir"), logBackupCount: o.nonNegative("log_backup_count"), timezone: o.str("timezone"),
		maxBodyMB: o.nonNegative("max_body_mb"), cors: o.strings("cors_origins"), retention: o.nonNegative("usage_retention_days"),
		logBodies: o.oneOf("log_bodies", config.LogBodiesFull, config.LogBodiesTruncated, config.LogBodiesOff)}
	g.logMaxBytes, _ = field[int64](o, "log_max_bytes", "an integer")
	if g.port != nil && (*g.port < 1 || *g.port > 65535) {
		o.errs.add(o.at+"port", "must be between 1 and 65535 (got %d)", *g.port)
	}
	if g.timezone != nil && *g.timezone != "" {
		if _, err := time.LoadLocation(*g.timezone); err != nil {
			o.errs.add(o.at+"timezone", "unknown time zone %q (want an IANA name such as Asia/Shanghai, or empty for local)", *g.timezone)
		}
	}
	if b := o.obj("circuit_breaker"); b != nil {
		g.breaker = &breakerPatch{b.integer("failures"), b.seconds("open_seconds")}
		if g.breaker.failures != nil && *g.breaker.failures < 1 {
			b.errs.add(b.at+"failures", "must be at least 1")
		}
		b.done()
	}
	o.ignore(seedOnlyGateway...)
	o.done()
	return g
}

func (g *gatewayPatch) apply(w *writer, cur *config.Gateway) {
	setIf(w, "host", g.host, cur.Host)
	setIf(w, "port", g.port, cur.Port)
	if g.logLevel != nil && !strings.EqualFold(*g.logLevel, cur.LogLevel) {
		w.set("log_level", *g.logLevel)
	}
	setIf(w, "log_dir", g.logDir, cur.LogDir)
	setIf(w, "log_max_bytes", g.logMaxBytes, cur.LogMaxBytes)
	setIf(w, "log_backup_count", g.logBackupCount, cur.LogBackupCount)
	setIf(w, "timezone", g.timezone, cur.Timezone)
	setIf(w, "max_body_mb", g.maxBodyMB, cur.MaxBodyMB)
	setList(w, "cors_origins", g.cors, cur.CORSOrigins)
	setIf(w, "usage_retention_days", g.retention, cur.UsageRetentionDays)
	setIf(w, "log_bodies", g.logBodies, cur.LogBodies)
	if b := g.breaker; b != nil {
		bw := w.sub("circuit_breaker")
		setIf(bw, "failures", b.failures, cur.CircuitBreaker.Failures)
		setIf(bw, "open_seconds", b.openSeconds, cur.CircuitBreaker.OpenSeconds)
	}
}

// wholeConfig is the body of PUT /api/config; an absent section is left as it is.
type wholeConfig struct {
	gateway   *gatewayPatch
	providers *[]*providerPatch
	models    *[]*modelPatch
	keys      *[]*keyPatch
}

func decodeWhole(o *object) *wholeConfig {
	wc := &wholeConfig{}
	if g := o.obj("gateway"); g != nil {
		wc.gateway = decodeGateway(g)
	}
	if items, ok := o.list("providers"); ok {
		list, seen := []*providerPatch{}, map[string]bool{}
		for _, it := range items {
			p := decodeProvider(it)
			if p.name != nil && seen[*p.name] {
				o.errs.add(it.at+"name", "duplicate provider name %q", *p.name)
			} else if p.name == nil {
				o.errs.add(it.at+"name", "is required")
			} else {
				seen[*p.name] = true
			}
			list = append(list, p)
		}
		wc.providers = &list
	}
	if items, ok := o.list("models"); ok {
		list, seen := []*modelPatch{}, map[string]bool{}
		for _, it := range items {
			m := decodeModel(it)
			if m.name != nil && seen[*m.name] {
				o.errs.add(it.at+"name", "duplicate model name %q", *m.name)
			} else if m.name == nil {
				o.errs.add(it.at+"name", "is required")
			} else {
				seen[*m.name] = true
			}
			list = append(list, m)
		}
		wc.models = &list
	}
	if items, ok := o.list("api_keys"); ok {
		list := []*keyPatch{}
		for _, it := range items {
			list = append(list, decodeKey(it, keyWhole))
		}
		wc.keys = &list
	}
	o.done()
	return wc
}

// PutConfig is PUT /api/config: the whole configuration, in the shape GET
// returns. Each entry is matched with the file's (providers and models by
// name, keys by id) and only the fields that differ are written; entries the
// body lacks are deleted, new ones added at the end. Masked secrets keep the
// file's value, so a PUT of a GET's output changes nothing (seed defect A6).
func (a *ConfigAPI) PutConfig(w http.ResponseWriter, r *http.Request) error {
	o, errs, err := readBody(r)
	if err != nil {
		return err
	}
	wc := decodeWhole(o)
	if err := errs.err(); err != nil {
		return err
	}
	cfg, err := a.edit(func(doc *config.Document, cur *config.Config) error {
		if wc.gateway != nil {
			gw := newWriter(doc, config.Path{config.K("gateway")})
			gw.create = true
			wc.gateway.apply(gw, &cur.Gateway)
			if err := gw.err(); err != nil {
				return err
			}
		}
		for _, step := range []func(*config.Document, *config.Config) error{wc.putProviders, wc.putModels, wc.putKeys} {
			if err := step(doc, cur); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return WriteJSON(w, http.StatusOK, map[string]any{"message": "configuration updated", "config": a.configView(cfg)})
}

// Each put step changes the entries it matches first (by their index in cur),
// then deletes from the end, then appends, so that no index moves under it.

func (wc *wholeConfig) putProviders(doc *config.Document, cur *config.Config) error {
	if wc.providers == nil {
		return nil
	}
	keep, errs := map[string]bool{}, fieldErrors{}
	var added []*providerPatch
	for _, p := range *wc.providers {
		keep[*p.name] = true
		if i := providerIndex(cur, *p.name); i >= 0 {
			pw := newWriter(doc, providerPath(i))
			if p.apply(pw, &cur.Providers[i]); pw.err() != nil {
				return pw.err()
			}
			continue
		}
		p.errs = &errs
		p.checkNew()
		added = append(added, p)
	}
	if err := errs.err(); err != nil {
		return err
	}
	for i := len(cur.Providers) - 1; i >= 0; i-- {
		if !keep[cur.Providers[i].Name] {
			if err := doc.Delete(providerPath(i)); err != nil {
				return err
			}
		}
	}
	for _, p := range added {
		if err := doc.Append(config.Path{config.K("providers")}, p.yaml()); err != nil {
			return err
		}
	}
	return nil
}

func (wc *wholeConfig) putModels(doc *config.Document, cur *config.Config) error {
	if wc.models == nil {
		return nil
	}
	keep := map[string]bool{}
	for _, m := range *wc.models {
		keep[*m.name] = true
		if i := modelIndex(cur, *m.name); i >= 0 {
			mw := newWriter(doc, modelPath(*m.name))
			if m.apply(mw, &cur.Models[i]); mw.err() != nil {
				return mw.err()
			}
		} else if err := addModel(doc, *m.name, m.yaml()); err != nil {
			return err
		}
	}
	for _, m := range cur.Models {
		if !keep[m.Name] {
			if err := doc.Delete(modelPath(m.Name)); err != nil {
				return err
			}
		}
	}
	return nil
}

func (wc *wholeConfig) putKeys(doc *config.Document, cur *config.Config) error {
	if wc.keys == nil {
		return nil
	}
	keep, errs := map[int]bool{}, fieldErrors{}
	var added []*keyPatch
	for _, k := range *wc.keys {
		i := -1
		if k.id != nil {
			i = keyIndex(cur, *k.id)
		}
		if i >= 0 && !keep[i] {
			keep[i] = true
			kw := newWriter(doc, keyPath(i))
			if k.apply(kw, &cur.APIKeys[i]); kw.err() != nil {
				return kw.err()
			}
			continue
		}
		if k.secret == nil || isMasked(*k.secret) || *k.secret == "" {
			what := "a new key"
			if k.id != nil {
				what = fmt.Sprintf("no key has the id %q, so this is a new key; it", *k.id)
			}
			errs.add(k.at+"key", "%s needs its secret (or create keys with POST /api/keys)", what)
			continue
		}
		added = append(added, k)
	}
	if err := errs.err(); err != nil {
		return err
	}
	for i := len(cur.APIKeys) - 1; i >= 0; i-- {
		if !keep[i] {
			if err := doc.Delete(keyPath(i)); err != nil {
				return err
			}
		}
	}
	for _, k := range added {
		if err := doc.Append(config.Path{config.K("api_keys")}, k.yaml(*k.secret, "")); err != nil {
			return err
		}
	}
	return nil
}
