// Package lint is the driver: it loads a workspace, runs the selected rules,
// filters their findings, and, when asked, plans and applies their fixes.
// Rules never write; this is the one place that decides what is applied.
package lint

import (
	"bytes"
	"fmt"
	"path"
	"path/filepath"
	"strings"

	"github.com/decouple-dev/decouple/internal/analysis"
	"github.com/decouple-dev/decouple/internal/compose"
	"github.com/decouple-dev/decouple/internal/discover"
	"github.com/decouple-dev/decouple/internal/dockerfile"
	"github.com/decouple-dev/decouple/internal/edit"
	"github.com/decouple-dev/decouple/internal/safefile"
	"github.com/decouple-dev/decouple/internal/suppress"
	"github.com/decouple-dev/decouple/internal/workspace"
	"github.com/decouple-dev/decouple/rules"
)

// Options say what to check and how.
type Options struct {
	Load   workspace.Options
	Select []string // rule codes or names; empty means all
	Ignore []string
	// Severity overrides per rule code.
	Severity map[string]analysis.Severity
	// NoSuppressions ignores `# decouple:ignore` comments.
	NoSuppressions bool
	// Rules are the rules' settings: the day to judge on, the EOL window.
	Rules rules.Settings
}

// Result is one run's outcome.
type Result struct {
	WS          *workspace.Workspace
	Diagnostics []analysis.Diagnostic
	Rules       []*rules.Rule
	// Meta are the enabled suppression meta rules (DC900, DC901).
	Meta []*analysis.Rule
	// Files are the files checked, as reports list them (slash paths
	// relative to the working folder).
	Files []string
}

// Catalogue is every rule decouple can report: the checks, then the meta
// rules about suppression comments.
func Catalogue() []*analysis.Rule {
	var out []*analysis.Rule
	for _, r := range rules.All() {
		out = append(out, r.Rule)
	}
	return append(out, suppress.Rules()...)
}

// Resolve maps a rule code (any case) or name to its code, or "" when no
// rule has it; meta rules included.
func Resolve(id string) string {
	id = strings.TrimSpace(id)
	for _, r := range Catalogue() {
		if strings.EqualFold(r.Code, id) || r.Name == id {
			return r.Code
		}
	}
	return ""
}

// Run loads and checks.
func Run(opts Options) (*Result, error) {
	selected, meta, err := selectRules(opts.Select, opts.Ignore)
	if err != nil {
		return nil, err
	}
	ws, err := workspace.Load(opts.Load)
	if err != nil {
		return nil, err
	}
	diags := dedupe(rules.Run(ws, selected, opts.Rules))
	if !opts.NoSuppressions {
		diags = applySuppressions(ws, diags, selected, meta)
	}
	for i := range diags {
		if sev, ok := opts.Severity[diags[i].Rule.Code]; ok {
			diags[i].Severity = sev
		}
	}
	return &Result{WS: ws, Diagnostics: diags, Rules: selected, Meta: meta, Files: ws.Files()}, nil
}

// applySuppressions drops findings covered by suppression comments and adds
// the enabled meta findings about the comments themselves. Each file is
// read once: from the bytes the workspace already loaded where it can.
func applySuppressions(ws *workspace.Workspace, diags []analysis.Diagnostic, selected []*rules.Rule, meta []*analysis.Rule) []analysis.Diagnostic {
	loaded := map[string][]byte{}
	composeFiles := map[string]*compose.File{}
	dockerfiles := map[string]*dockerfile.File{}
	var files []string
	add := func(path string, src []byte) {
		rel := ws.Rel(path)
		if _, ok := loaded[rel]; !ok {
			loaded[rel] = src
			files = append(files, rel)
		}
	}
	for _, p := range ws.Projects {
		for _, f := range p.Files {
			add(f.Path, f.Src)
			composeFiles[ws.Rel(f.Path)] = f
		}
		for _, s := range p.Judged() {
			if s.Dockerfile != nil {
				add(s.Dockerfile.Path, s.Dockerfile.Src)
				dockerfiles[ws.Rel(s.Dockerfile.Path)] = s.Dockerfile
			}
		}
	}
	for _, d := range ws.Dockerfiles {
		add(d.File.Path, d.File.Src)
		dockerfiles[ws.Rel(d.File.Path)] = d.File
	}
	// scopes are the service blocks of a compose file and the stages of a
	// Dockerfile; a file the workspace did not load (one pulled in by
	// include: or extends:) is parsed here, only when it holds directives.
	scopes := func(file string, src []byte) []suppress.Scope {
		df, cf := dockerfiles[file], composeFiles[file]
		if df == nil && cf == nil {
			if discover.IsDockerfileName(path.Base(file)) {
				df, _ = dockerfile.Parse(file, src, nil)
			} else {
				cf, _ = compose.ParseFile(file, src)
			}
		}
		var out []suppress.Scope
		if cf != nil {
			for _, b := range cf.ServiceBlocks() {
				out = append(out, suppress.Scope{Line: b.Line, End: b.End})
			}
		}
		if df != nil {
			for i, st := range df.Stages {
				end := len(compose.LineStarts(src))
				if i+1 < len(df.Stages) {
					end = max(st.Line, df.Stages[i+1].Line-1)
				}
				out = append(out, suppress.Scope{Line: st.Line, End: end})
			}
		}
		return out
	}
	read := func(file string) ([]byte, error) {
		src, ok := loaded[file]
		if !ok {
			p := filepath.FromSlash(file)
			if !filepath.IsAbs(p) {
				p = filepath.Join(ws.Cwd, p)
			}
			// Confined like every other read: a finding's file under a
			// link out of the working folder is not read for directives.
			var err error
			if src, err = safefile.Read(p, 0); err != nil {
				return nil, err
			}
		}
		// Every directive holds "decouple:" (suppress.Parse matches it
		// case-sensitively): a file without it has none, and is not worth
		// splitting into lines and matching line by line.
		if !bytes.Contains(src, directiveMark) {
			return nil, nil
		}
		return src, nil
	}
	ran := map[string]bool{}
	for _, r := range selected {
		ran[r.Code] = true
	}
	kept, found := suppress.Apply(diags, suppress.Options{Resolve: Resolve, Read: read, Files: files, Ran: ran, Scopes: scopes})
	enabled := map[string]bool{}
	for _, r := range meta {
		enabled[r.Code] = true
	}
	for _, d := range found {
		if enabled[d.Rule.Code] {
			kept = append(kept, d)
		}
	}
	return kept
}

// directiveMark is the text every suppression directive contains.
var directiveMark = []byte("decouple:")

func selectRules(sel, ignore []string) ([]*rules.Rule, []*analysis.Rule, error) {
	pick := func(ids []string) (map[string]bool, error) {
		m := map[string]bool{}
		for _, id := range ids {
			id = strings.TrimSpace(id)
			if id == "" {
				continue
			}
			code := Resolve(id)
			if code == "" {
				return nil, fmt.Errorf("unknown rule %q (see `decouple rules`)", id)
			}
			m[code] = true
		}
		return m, nil
	}
	want, err := pick(sel)
	if err != nil {
		return nil, nil, err
	}
	drop, err := pick(ignore)
	if err != nil {
		return nil, nil, err
	}
	var out []*rules.Rule
	for _, r := range rules.All() {
		if (len(want) == 0 || want[r.Code]) && !drop[r.Code] {
			out = append(out, r)
		}
	}
	var meta []*analysis.Rule
	for _, r := range suppress.Rules() {
		if (len(want) == 0 || want[r.Code]) && !drop[r.Code] {
			meta = append(meta, r)
		}
	}
	return out, meta, nil
}

// FixPlan is the set of changes the chosen fixes make.
type FixPlan struct {
	Changes []edit.Change
	Applied []analysis.Diagnostic // findings whose fix is in the plan
	Skipped []analysis.Diagnostic // unsafe fixes left out, or fixes that clash
	// Held are fixes left for a later run because, applied first, they
	// would leave a file that fails the check before writing (HeldWhy)
	// where a clashing fix applied first does not.
	Held    []analysis.Diagnostic
	HeldWhy string
}

// PlanFixes gathers the fixes to apply: safe ones, plus unsafe ones when
// allowed. A fix whose edits clash with an already chosen one is skipped
// whole, so every applied fix is applied completely. Clashes are found from
// the edit ranges alone, so the files are read once, by the final plan.
func PlanFixes(root string, diags []analysis.Diagnostic, unsafe bool) (*FixPlan, error) {
	plan := &FixPlan{}
	var edits []analysis.TextEdit
	byFile := map[string][]analysis.TextEdit{}
	news := newFiles{root: root, exists: map[string]bool{}}
	for _, d := range diags {
		if d.Fix == nil {
			continue
		}
		if !d.Fix.Safe && !unsafe {
			plan.Skipped = append(plan.Skipped, d)
			continue
		}
		rel, err := relEdits(root, d.Fix.Edits)
		if err != nil {
			return nil, err
		}
		// Two fixes that create one file with different texts clash
		// unless the texts merge (newFiles.clash).
		if clashes(byFile, rel) || news.clash(byFile, rel) {
			plan.Skipped = append(plan.Skipped, d)
			continue
		}
		for _, e := range rel {
			byFile[e.File] = append(byFile[e.File], e)
		}
		edits = append(edits, rel...)
		plan.Applied = append(plan.Applied, d)
	}
	if len(edits) == 0 {
		return plan, nil
	}
	if err := mirror(edits, byFile); err != nil {
		return nil, err
	}
	changes, err := edit.Plan(root, mergeCreated(root, edits))
	if err != nil {
		return nil, err
	}
	plan.Changes = changes
	return plan, nil
}

// mirror makes, in each created file that repeats another file's bytes,
// the chosen edits to that other file: the copy then reads as the fixed
// original does.
func mirror(edits []analysis.TextEdit, byFile map[string][]analysis.TextEdit) error {
	for i, e := range edits {
		if e.Mirrors == "" || e.MirrorLen > len(e.NewText) {
			continue
		}
		var in []analysis.TextEdit
		for _, o := range byFile[e.Mirrors] {
			if o.End <= e.MirrorLen {
				in = append(in, o)
			}
		}
		if len(in) == 0 {
			continue
		}
		head, err := edit.Apply(e.NewText[:e.MirrorLen], in)
		if err != nil {
			return fmt.Errorf("%s: %w", e.File, err)
		}
		head = append(head, e.NewText[e.MirrorLen:]...)
		edits[i].NewText = head
	}
	return nil
}

// clashes reports whether any new edit overlaps a chosen one in the same
// file, by the rules edit.Apply enforces: identical edits are one edit,
// insertions may share an offset, and nothing may land inside a replaced
// range.
func clashes(chosen map[string][]analysis.TextEdit, edits []analysis.TextEdit) bool {
	for _, n := range edits {
		for _, c := range chosen[n.File] {
			if c.Start == n.Start && c.End == n.End && bytes.Equal(c.NewText, n.NewText) {
				continue
			}
			if n.Start < c.End && c.Start < n.End || // ranges overlap
				n.Start == n.End && c.Start < n.Start && n.Start < c.End || // insertion inside a replacement
				c.Start == c.End && n.Start < c.Start && c.Start < n.End {
				return true
			}
		}
	}
	return false
}

// relEdits makes edit paths relative to the root, refusing any outside it.
func relEdits(root string, edits []analysis.TextEdit) ([]analysis.TextEdit, error) {
	out := make([]analysis.TextEdit, len(edits))
	for i, e := range edits {
		p := e.File
		if filepath.IsAbs(p) {
			rel, err := filepath.Rel(root, p)
			if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				return nil, fmt.Errorf("refusing to edit %s: outside the project root %s", p, root)
			}
			p = rel
		}
		e.File = filepath.ToSlash(p)
		if e.Mirrors != "" {
			m, err := relEdits(root, []analysis.TextEdit{{File: e.Mirrors}})
			if err != nil {
				return nil, err
			}
			e.Mirrors = m[0].File
		}
		out[i] = e
	}
	return out, nil
}

// dedupe drops findings reported twice: a file can belong to two projects
// (included by one and found on its own, or a variant layered on its base).
// A service's finding at one place is one finding, even when the two
// projects word it differently (a bind mount the variant adds): the first
// is kept, unless only a later one carries a fix. Findings on no service
// differ by message too (a file can have several at its first line).
func dedupe(diags []analysis.Diagnostic) []analysis.Diagnostic {
	type key struct {
		code             string
		pos              analysis.Position
		service, message string
	}
	at := make(map[key]int, len(diags))
	out := diags[:0]
	for _, d := range diags {
		k := key{d.Rule.Code, d.Pos, d.Service, ""}
		if d.Service == "" {
			k.message = d.Message
		}
		if i, ok := at[k]; ok {
			if out[i].Fix == nil && d.Fix != nil {
				out[i] = d
			}
			continue
		}
		at[k] = len(out)
		out = append(out, d)
	}
	return out
}
