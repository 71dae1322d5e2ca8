// Package rules holds decouple's checks, one file per rule. Each rule is a
// pure function over the loaded workspace that reports diagnostics, with
// optional suggested fixes made of text edits; the driver decides what to
// apply, as in golang.org/x/tools/go/analysis.
package rules

import (
	"sort"

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
	WS    *workspace.Workspace
	Rule  *Rule
	diags []analysis.Diagnostic
	cache *runCache // shared by the passes of one Run
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

// Lookup finds a rule by code or name.
func Lookup(id string) *Rule {
	for _, r := range All() {
		if r.Code == id || r.Name == id {
			return r
		}
	}
	return nil
}

// Run runs the given rules over a workspace.
func Run(ws *workspace.Workspace, rules []*Rule) []analysis.Diagnostic {
	var out []analysis.Diagnostic
	cache := newRunCache(ws)
	for _, r := range rules {
		p := &Pass{WS: ws, Rule: r, cache: cache}
		r.Run(p)
		out = append(out, p.diags...)
	}
	return out
}
