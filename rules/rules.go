// Package rules holds decouple's checks, one file per rule. Each rule is a
// pure function over the loaded workspace that reports diagnostics, with
// optional suggested fixes made of text edits; the driver decides what to
// apply, as in golang.org/x/tools/go/analysis.
package rules

import (
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/decouple-dev/decouple/internal/analysis"
	"github.com/decouple-dev/decouple/internal/workspace"
)

// Rule is a check: its metadata and the function that runs it.
type Rule struct {
	*analysis.Rule
	Run func(*Pass)
}

// Pass is one rule's run over a workspace.
type Pass struct {
	WS       *workspace.Workspace
	Rule     *Rule
	Settings Settings
	diags    []analysis.Diagnostic
	cache    *runCache // shared by the passes of one Run
}

// Report records a diagnostic; its Rule and Severity default to the pass's.
func (p *Pass) Report(d analysis.Diagnostic) {
	if d.Rule == nil {
		d.Rule = p.Rule.Rule
		d.Severity = p.Rule.Severity
	}
	p.diags = append(p.diags, d)
}

// All is the catalogue, in code order.
func All() []*Rule {
	all := []*Rule{nodeRuntimeBundled, dockerignoreMissing, nodeEOL, nodeUnpinned, composeLegacyFormat, npmProductionFlag, otherRuntimeBundled}
	sort.Slice(all, func(i, j int) bool { return all[i].Code < all[j].Code })
	return all
}

// Settings are what the user, not the files, tells a run's rules.
type Settings struct {
	// Today is the day DC003 and DC004 judge against; zero means the clock.
	// The CLI fixes it with --today or DECOUPLE_TODAY so that runs are
	// reproducible.
	Today time.Time
	// EOLWindow is how long before a release line's end of life DC003
	// starts reporting it, at info level: nil means DefaultEOLWindow, zero
	// turns the early notice off.
	EOLWindow *time.Duration
	// Strategy, Runtime and CodeImage configure DC001's split fix (see
	// transform.SplitOptions; "" takes its defaults).
	Strategy  string
	Runtime   string // "", "stock" or "built"
	CodeImage string
}

// DefaultEOLWindow is Settings.EOLWindow when none is set.
const DefaultEOLWindow = 90 * 24 * time.Hour

func (s Settings) today() time.Time {
	if s.Today.IsZero() {
		return time.Now()
	}
	return s.Today
}

func (s Settings) eolWindow() time.Duration {
	if s.EOLWindow == nil {
		return DefaultEOLWindow
	}
	return *s.EOLWindow
}

// ParseDay reads a --today value, a date as YYYY-MM-DD.
func ParseDay(s string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("today: want a date as YYYY-MM-DD, got %q", s)
	}
	return t, nil
}

// Run runs the given rules over a workspace, each in its own goroutine:
// rules only read the workspace, and their findings are joined in catalogue
// order, so the result does not depend on scheduling.
func Run(ws *workspace.Workspace, rules []*Rule, set Settings) []analysis.Diagnostic {
	if set.Today.IsZero() {
		set.Today = time.Now() // one day for every rule of the run
	}
	cache := newRunCache(ws)
	passes := make([]*Pass, len(rules))
	var wg sync.WaitGroup
	for i, r := range rules {
		passes[i] = &Pass{WS: ws, Rule: r, Settings: set, cache: cache}
		wg.Go(func() { r.Run(passes[i]) })
	}
	wg.Wait()
	var out []analysis.Diagnostic
	for _, p := range passes {
		out = append(out, p.diags...)
	}
	return out
}
