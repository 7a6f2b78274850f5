package tray

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/modelswitch/modelswitch/app/control"
	"github.com/modelswitch/modelswitch/gateway/pricing"
)

// Label keys.
const (
	lOpen = iota
	lRunning
	lStopped
	lStart
	lStop
	lToday
	lTodayNone
	lBudgetDay
	lBudgetMonth
	lBudgetDayReached
	lBudgetMonthReached
	lBudgetMore
	lRoutes
	lNoModels
	lAuto
	lClaude
	lClaudeWarn
	lCodex
	lCodexWarn
	lCopy
	lFolder
	lLogin
	lService
	lServiceNA
	lServiceDown
	lQuit
	lQuitRestore
	lQuitKeep
	lQuitRestoreCodex
	lQuitKeepCodex
	lQuitRestoreBoth
	lQuitKeepBoth
	lQuitTray
	lUnreachable
	nLabels
)

var labels = map[string][nLabels]string{
	"en": {
		lOpen:               "Open ModelSwitch…",
		lRunning:            "● Running on %s",
		lStopped:            "○ Stopped",
		lStart:              "Start gateway",
		lStop:               "Stop gateway",
		lToday:              "Today: %s requests · %s tokens",
		lTodayNone:          "Today: no usage data",
		lBudgetDay:          "⚠ %s: %d%% of its daily budget (%s of %s)",
		lBudgetMonth:        "⚠ %s: %d%% of its monthly budget (%s of %s)",
		lBudgetDayReached:   "⛔ %s: daily budget reached (%s of %s)",
		lBudgetMonthReached: "⛔ %s: monthly budget reached (%s of %s)",
		lBudgetMore:         " (+%d more)",
		lRoutes:             "Route",
		lNoModels:           "Route (no models yet)",
		lAuto:               "Auto failover",
		lClaude:             "Claude Code → ModelSwitch",
		lClaudeWarn:         "Claude Code → ModelSwitch (⚠ nothing answers at %s)",
		lCodex:              "Codex → ModelSwitch",
		lCodexWarn:          "Codex → ModelSwitch (⚠ nothing answers at %s)",
		lCopy:               "Copy base URL",
		lFolder:             "Open workspace folder",
		lLogin:              "Start at login",
		lService:            "Run as a background service",
		lServiceNA:          "Run as a background service (unavailable: %s)",
		lServiceDown:        "Run as a background service (installed, not running)",
		lQuit:               "Quit",
		lQuitRestore:        "Quit and restore Claude Code's previous settings",
		lQuitKeep:           "Quit and keep Claude Code on ModelSwitch",
		lQuitRestoreCodex:   "Quit and restore Codex's previous settings",
		lQuitKeepCodex:      "Quit and keep Codex on ModelSwitch",
		lQuitRestoreBoth:    "Quit and restore Claude Code's and Codex's previous settings",
		lQuitKeepBoth:       "Quit and keep Claude Code and Codex on ModelSwitch",
		lQuitTray:           "Quit tray (the background service keeps running)",
		lUnreachable:        "○ Core not answering: %s",
	},
	"zh": {
		lOpen:               "打开 ModelSwitch…",
		lRunning:            "● 运行中：%s",
		lStopped:            "○ 已停止",
		lStart:              "启动网关",
		lStop:               "停止网关",
		lToday:              "今日：%s 次请求 · %s tokens",
		lTodayNone:          "今日：暂无用量数据",
		lBudgetDay:          "⚠ %s：已用日预算的 %d%%（%s / %s）",
		lBudgetMonth:        "⚠ %s：已用月预算的 %d%%（%s / %s）",
		lBudgetDayReached:   "⛔ %s：日预算已用完（%s / %s）",
		lBudgetMonthReached: "⛔ %s：月预算已用完（%s / %s）",
		lBudgetMore:         "（另有 %d 项）",
		lRoutes:             "路由",
		lNoModels:           "路由（尚无模型）",
		lAuto:               "自动故障转移",
		lClaude:             "Claude Code → ModelSwitch",
		lClaudeWarn:         "Claude Code → ModelSwitch（⚠ %s 无响应）",
		lCodex:              "Codex → ModelSwitch",
		lCodexWarn:          "Codex → ModelSwitch（⚠ %s 无响应）",
		lCopy:               "复制 Base URL",
		lFolder:             "打开工作目录",
		lLogin:              "登录时启动",
		lService:            "作为后台服务运行",
		lServiceNA:          "作为后台服务运行（不可用：%s）",
		lServiceDown:        "作为后台服务运行（已安装，未运行）",
		lQuit:               "退出",
		lQuitRestore:        "退出并恢复 Claude Code 之前的设置",
		lQuitKeep:           "退出并让 Claude Code 继续使用 ModelSwitch",
		lQuitRestoreCodex:   "退出并恢复 Codex 之前的设置",
		lQuitKeepCodex:      "退出并让 Codex 继续使用 ModelSwitch",
		lQuitRestoreBoth:    "退出并恢复 Claude Code 和 Codex 之前的设置",
		lQuitKeepBoth:       "退出并让 Claude Code 和 Codex 继续使用 ModelSwitch",
		lQuitTray:           "退出托盘（后台服务继续运行）",
		lUnreachable:        "○ 核心无响应：%s",
	},
}

func text(lang string, key int) string {
	l, ok := labels[lang]
	if !ok {
		l = labels["en"]
	}
	return l[key]
}

// statusLine is the first line under "Open": running with the address, or
// stopped with the reason (a busy port names its holder and a free port).
func statusLine(lang string, st control.Status) string {
	if st.Gateway.Running {
		return fmt.Sprintf(text(lang, lRunning), st.Gateway.Address)
	}
	s := text(lang, lStopped)
	if st.Gateway.Error != "" {
		s += " — " + st.Gateway.Error
	}
	return ellipsis(s, 96)
}

// todayLine is today's requests and tokens.
func todayLine(lang string, t *control.Today) string {
	if t == nil {
		return text(lang, lTodayNone)
	}
	line := fmt.Sprintf(text(lang, lToday), strconv.FormatInt(t.Requests, 10), compact(t.Tokens))
	if t.Priced {
		cost := pricing.Format(t.CostNanos, t.Currency)
		if t.Unpriced > 0 {
			cost = "≥ " + cost // some requests had no price: a lower bound
		}
		line += " · " + cost
	}
	return line
}

// budgetLine is the fullest key budget past its warning share, and how
// many others are; "" when none is.
func budgetLine(lang string, t *control.Today) string {
	if t == nil || len(t.Budgets) == 0 {
		return ""
	}
	b := t.Budgets[0]
	spent, budget := pricing.Format(b.Spent, t.Currency), pricing.Format(b.Budget, t.Currency)
	var line string
	switch {
	case b.Spent >= b.Budget && b.Period == "month":
		line = fmt.Sprintf(text(lang, lBudgetMonthReached), b.Key, spent, budget)
	case b.Spent >= b.Budget:
		line = fmt.Sprintf(text(lang, lBudgetDayReached), b.Key, spent, budget)
	case b.Period == "month":
		line = fmt.Sprintf(text(lang, lBudgetMonth), b.Key, b.Spent*100/max(b.Budget, 1), spent, budget)
	default:
		line = fmt.Sprintf(text(lang, lBudgetDay), b.Key, b.Spent*100/max(b.Budget, 1), spent, budget)
	}
	if n := len(t.Budgets) - 1; n > 0 {
		line += fmt.Sprintf(text(lang, lBudgetMore), n)
	}
	return ellipsis(line, 96)
}

// compact writes 1234567 as 1.2M and 12345 as 12.3k.
func compact(n int64) string {
	switch {
	case n >= 1_000_000_000:
		return trimZero(fmt.Sprintf("%.1f", float64(n)/1e9)) + "B"
	case n >= 1_000_000:
		return trimZero(fmt.Sprintf("%.1f", float64(n)/1e6)) + "M"
	case n >= 10_000:
		return trimZero(fmt.Sprintf("%.1f", float64(n)/1e3)) + "k"
	}
	return strconv.FormatInt(n, 10)
}

func trimZero(s string) string { return strings.TrimSuffix(s, ".0") }

func ellipsis(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max-1]) + "…"
}

// adapterLabel is one adapter in a model's Route submenu.
func adapterLabel(a control.Adapter) string {
	return a.Adapter + " · " + a.ModelName
}

// modelLabel is a model's entry in the Route submenu: its name and what it routes to first.
func modelLabel(lang string, m control.Model) string {
	if m.Pinned != "" {
		for _, a := range m.Adapters {
			if a.ID == m.Pinned {
				return m.Name + " → " + adapterLabel(a)
			}
		}
	}
	return m.Name + " (" + text(lang, lAuto) + ")"
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }
