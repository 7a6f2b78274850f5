package server

import (
	"time"

	"github.com/modelswitch/modelswitch/gateway/auth"
	"github.com/modelswitch/modelswitch/gateway/proxy"
	"github.com/modelswitch/modelswitch/gateway/usage"
)

// restoreSpend gives the key budgets what each key spent today and this
// month, read from the usage rollups, which hold every recorded cost: the
// budgets survive a restart without a store of their own. (A cost recorded
// in another currency before gateway.currency changed is summed as it is.)
func (s *Server) restoreSpend(now time.Time) {
	if s.querier == nil {
		return
	}
	loc := s.opts.Config.Gateway.Location()
	t := now.In(loc)
	dayStart := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
	monthStart := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, loc)
	spent := func(from time.Time) map[string]int64 {
		rep, err := s.querier.Summary(usage.Params{From: from, To: now.Add(time.Hour), Location: loc, GroupBy: usage.DimKey})
		if err != nil {
			s.log.Warn("key budgets: the spend so far is unreadable; counting from zero", "err", err)
			return nil
		}
		out := map[string]int64{}
		for _, g := range rep.Groups {
			if g.CostNanos > 0 {
				out[g.Name] = g.CostNanos
			}
		}
		return out
	}
	s.budgets.Restore(spent(dayStart), spent(monthStart), now)
}

// recomputeCosts prices the stored requests of [from, to) again with the
// prices in force, and moves the key budgets' spend by what changed in
// today's and this month's rows.
func (s *Server) recomputeCosts(from, to time.Time) (usage.Recomputed, error) {
	prices := s.Snapshot().Prices
	return s.usage.Recompute(from, to,
		func(rec *usage.Record) { proxy.PriceRecord(prices, rec) },
		func(old, cur *usage.Record) {
			s.budgets.Adjust(cur.KeyID, cur.PricedCost()-old.PricedCost(), cur.Time, s.now())
		})
}

// BudgetWarnings lists the key budgets past their warning share, the
// fullest first (for the tray).
func (s *Server) BudgetWarnings(now time.Time) []auth.Warning {
	return s.budgets.Warnings(s.Snapshot().Keys.Keys(), now)
}
