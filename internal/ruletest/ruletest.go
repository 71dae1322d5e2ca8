// Package ruletest runs one rule over small projects written as txtar
// archives whose files carry their expected diagnostics in comments, as
// golang.org/x/tools/go/analysis/analysistest does for Go analyzers.
//
// Each archive in a rule's folder (rules/testdata/dc001/*.txtar) is one
// project: compose files, Dockerfiles, .dockerignore, whatever the rule
// reads. It is written to a temporary folder and loaded from there, as the
// working folder, by the driver the CLI uses (lint.Run); only the rule
// under test runs.
//
// Expectations:
//
//   - `# want "regexp"` expects a diagnostic whose message matches the
//     regexp. Written after text on a line (a YAML trailing comment) it is
//     about that line; written alone on its line (the only form a
//     Dockerfile or .dockerignore has) it is about the next line that is
//     not itself such a comment.
//   - `# want :12 "regexp"` also fixes the column; without one the column
//     must be 1 (or unknown), so a diagnostic that moves is caught.
//   - `# want info "regexp"` (or warning, error) gives the severity; without
//     one it must be the rule's default.
//   - One comment may list several expectations: `# want "a" :5 info "b"`.
//   - `-- want/<file> --` sections hold what the file must be after the
//     rule's fixes are applied (through lint.PlanVerified, the plan --fix
//     uses). Every file the fixes change or create needs one; a section for
//     a file the fixes leave alone must equal that file.
//
// The archive's comment (the text before the first file) sets options, one
// per line: `today: 2026-11-27` (the day DC003 and DC004 judge against;
// default 2026-11-27), `eol-window: 0s`, `unsafe-fixes` (apply unsafe fixes
// too), `strategy: <s>`, `runtime: stock|built`, `code-image: <image>`.
// Any other text there is a description.
package ruletest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/decouple-dev/decouple/internal/analysis"
	"github.com/decouple-dev/decouple/internal/edit"
	"github.com/decouple-dev/decouple/internal/lint"
	"github.com/decouple-dev/decouple/internal/workspace"
	"github.com/decouple-dev/decouple/rules"
	"github.com/rogpeppe/go-internal/txtar"
)

// DefaultToday is the day rules judge against unless an archive says
// otherwise: fixed, so that tests do not age.
const DefaultToday = "2026-11-27"

// wantDir prefixes the archive sections that hold fixed files.
const wantDir = "want/"

// Run checks every *.txtar archive in dir against rule r, each as a
// subtest named after its file. It fails when dir holds no archive where
// the rule reports something or none where it reports nothing: every rule
// is shown both finding and staying quiet.
func Run(t *testing.T, dir string, r *rules.Rule) {
	t.Helper()
	archives, err := filepath.Glob(filepath.Join(dir, "*.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	if len(archives) == 0 {
		t.Fatalf("%s: no .txtar test cases for %s", dir, r.Code)
	}
	finding, clean, ran := false, false, 0
	for _, a := range archives {
		t.Run(strings.TrimSuffix(filepath.Base(a), ".txtar"), func(t *testing.T) {
			ran++
			res, err := Check(t, a, r)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range res.Problems {
				t.Error(p)
			}
			finding = finding || res.Findings > 0
			clean = clean || res.Findings == 0
		})
	}
	if ran == len(archives) && (!finding || !clean) { // not when -run picks some
		t.Errorf("%s: %s needs a case where it reports (finding %v) and one where it does not (clean %v)", dir, r.Code, finding, clean)
	}
}

// Result is what Check found about one archive.
type Result struct {
	// Problems are the failed expectations, one sentence each: the
	// diagnostics no expectation meets, by position; the expectations no
	// diagnostic meets (a misplaced diagnostic is both); fixed files that
	// differ from their want/ section; a fix that is not idempotent.
	Problems []string
	// Findings counts the diagnostics reported, so a caller can tell a
	// clean case from a finding one.
	Findings int
}

// Check runs r over the project in the archive at path and compares what
// it reports and fixes with the expectations written in the archive. It
// changes the working folder (t.Chdir) to a temporary copy of the project.
// The error is for an archive that cannot be read or loaded.
func Check(t *testing.T, path string, r *rules.Rule) (*Result, error) {
	t.Helper()
	ar, err := txtar.ParseFile(path)
	if err != nil {
		return nil, err
	}
	opts, unsafe, err := options(path, ar.Comment, r)
	if err != nil {
		return nil, err
	}
	dir := t.TempDir()
	var wants []*want
	fixed := map[string][]byte{}
	inputs := map[string]bool{}
	for _, f := range ar.Files {
		if name, ok := strings.CutPrefix(f.Name, wantDir); ok {
			if _, dup := fixed[name]; dup {
				return nil, fmt.Errorf("%s: two sections %s", path, f.Name)
			}
			fixed[name] = f.Data
			continue
		}
		w, err := parseWants(f.Name, f.Data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		wants = append(wants, w...)
		inputs[f.Name] = true
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			return nil, err
		}
	}
	t.Chdir(dir)
	res, err := lint.Run(opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for _, e := range res.WS.Errors {
		if e.Fatal {
			return nil, fmt.Errorf("%s: load: %v", path, e)
		}
	}
	out := &Result{Findings: len(res.Diagnostics)}
	out.Problems = match(res.Diagnostics, wants, r.Severity)

	plan, err := lint.PlanVerified(res.WS.Cwd, res.Diagnostics, unsafe, lint.VerifierFor(res.WS))
	if err != nil {
		return nil, fmt.Errorf("%s: planning the fixes: %w", path, err)
	}
	out.Problems = append(out.Problems, compareFixes(plan.Changes, fixed, inputs)...)
	if len(plan.Changes) == 0 {
		return out, nil
	}
	// A fix is idempotent: once written, the same run plans no change.
	if err := edit.Commit(res.WS.Cwd, plan.Changes); err != nil {
		return nil, fmt.Errorf("%s: writing the fixes: %w", path, err)
	}
	again, err := lint.Run(opts)
	if err != nil {
		return nil, fmt.Errorf("%s: after the fixes: %w", path, err)
	}
	plan2, err := lint.PlanVerified(again.WS.Cwd, again.Diagnostics, unsafe, lint.VerifierFor(again.WS))
	if err != nil {
		return nil, fmt.Errorf("%s: planning the fixes after the fixes: %w", path, err)
	}
	for _, c := range plan2.Changes {
		out.Problems = append(out.Problems, fmt.Sprintf("fix is not idempotent: after the fixes are applied, a second run changes %s again", c.Path))
	}
	return out, nil
}

// options reads the archive comment.
func options(path string, comment []byte, r *rules.Rule) (lint.Options, bool, error) {
	today := DefaultToday
	opts := lint.Options{Select: []string{r.Code}}
	unsafe := false
	for i, line := range strings.Split(string(comment), "\n") {
		key, val, _ := strings.Cut(strings.TrimSpace(line), ":")
		val = strings.TrimSpace(val)
		switch key {
		case "today":
			today = val
		case "eol-window":
			d, err := time.ParseDuration(val)
			if err != nil {
				return opts, false, fmt.Errorf("%s:%d: eol-window: %v", path, i+1, err)
			}
			opts.Rules.EOLWindow = &d
		case "unsafe-fixes":
			unsafe = true
		case "strategy":
			opts.Rules.Strategy = val
		case "runtime":
			opts.Rules.Runtime = val
		case "code-image":
			opts.Rules.CodeImage = val
		}
	}
	day, err := rules.ParseDay(today)
	if err != nil {
		return opts, false, fmt.Errorf("%s: %w", path, err)
	}
	opts.Rules.Today = day
	opts.Load.Parsed = workspace.NewParseCache()
	return opts, unsafe, nil
}

// want is one expected diagnostic.
type want struct {
	file   string
	line   int
	col    int // 0: the diagnostic's column must be 0 or 1
	sev    *analysis.Severity
	re     *regexp.Regexp
	rawRe  string
	wline  int // where the comment is, for messages
	filled bool
}

func (w *want) String() string {
	pos := fmt.Sprintf("%s:%d", w.file, w.line)
	if w.col > 0 {
		pos += fmt.Sprintf(":%d", w.col)
	}
	sev := ""
	if w.sev != nil {
		sev = " " + w.sev.String()
	}
	return fmt.Sprintf("%s: no%s diagnostic matching %q (expected by the comment on line %d)", pos, sev, w.rawRe, w.wline)
}

// wantComment finds `# want` at the start of a comment: at the start of
// the line or after a space.
var wantComment = regexp.MustCompile(`(^|\s)#\s*want\s`)

// parseWants reads the `# want` comments of one file.
func parseWants(file string, data []byte) ([]*want, error) {
	lines := strings.Split(string(data), "\n")
	var out, pending []*want
	for i, line := range lines {
		loc := wantComment.FindStringIndex(line)
		if loc == nil {
			for _, w := range pending {
				w.line = i + 1
			}
			out = append(out, pending...)
			pending = nil
			continue
		}
		ws, err := parseExpectations(line[loc[1]:])
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %v", file, i+1, err)
		}
		for _, w := range ws {
			w.file, w.wline = file, i+1
		}
		if strings.TrimSpace(line[:loc[0]]) == "" {
			pending = append(pending, ws...)
			continue
		}
		for _, w := range ws {
			w.line = i + 1
		}
		out = append(out, ws...)
	}
	if len(pending) > 0 {
		return nil, fmt.Errorf("%s:%d: a `# want` comment on its own line must be followed by the line it is about", file, pending[0].wline)
	}
	return out, nil
}

// parseExpectations reads `[:col] [severity] "regexp" ...`.
func parseExpectations(s string) ([]*want, error) {
	var out []*want
	for {
		s = strings.TrimSpace(s)
		if s == "" {
			break
		}
		col := 0
		if rest, ok := strings.CutPrefix(s, ":"); ok {
			n := strings.IndexFunc(rest, func(r rune) bool { return r < '0' || r > '9' })
			if n <= 0 {
				return nil, fmt.Errorf("want: a column is :N, got %q", s)
			}
			col, _ = strconv.Atoi(rest[:n])
			s = strings.TrimSpace(rest[n:])
		}
		var sev *analysis.Severity
		if word, rest, ok := strings.Cut(s, " "); ok && !strings.ContainsAny(word[:1], "\"`") {
			v, err := analysis.ParseSeverity(word)
			if err != nil {
				return nil, fmt.Errorf("want: %v", err)
			}
			sev, s = &v, strings.TrimSpace(rest)
		}
		q, err := strconv.QuotedPrefix(s)
		if err != nil {
			return nil, fmt.Errorf("want: expected a quoted regexp at %q", s)
		}
		raw, _ := strconv.Unquote(q)
		re, err := regexp.Compile(raw)
		if err != nil {
			return nil, fmt.Errorf("want: %v", err)
		}
		out = append(out, &want{col: col, sev: sev, re: re, rawRe: raw})
		s = s[len(q):]
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("want: no expectation")
	}
	return out, nil
}

// match pairs diagnostics with expectations; each expectation is met by
// one diagnostic at its line (and column) whose message matches.
func match(diags []analysis.Diagnostic, wants []*want, def analysis.Severity) []string {
	var problems []string
	sorted := slices.Clone(diags)
	sort.SliceStable(sorted, func(i, j int) bool {
		a, b := sorted[i].Pos, sorted[j].Pos
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	for _, d := range sorted {
		found := false
		for _, w := range wants {
			if w.filled || w.file != d.Pos.File || w.line != d.Pos.Line || !w.re.MatchString(d.Message) {
				continue
			}
			if w.col != d.Pos.Column && (w.col != 0 || d.Pos.Column > 1) {
				continue
			}
			sev := def
			if w.sev != nil {
				sev = *w.sev
			}
			if sev != d.Severity {
				continue
			}
			w.filled, found = true, true
			break
		}
		if !found {
			problems = append(problems, fmt.Sprintf("%s: unexpected %s diagnostic: %s", d.Pos, d.Severity, d.Message))
		}
	}
	for _, w := range wants {
		if !w.filled {
			problems = append(problems, w.String())
		}
	}
	return problems
}

// compareFixes checks the planned changes against the want/ sections.
func compareFixes(changes []edit.Change, fixed map[string][]byte, inputs map[string]bool) []string {
	var problems []string
	changed := map[string]bool{}
	for _, c := range changes {
		changed[c.Path] = true
		w, ok := fixed[c.Path]
		if !ok {
			problems = append(problems, fmt.Sprintf("the fixes change %s, which has no %s%s section; it becomes:\n%s", c.Path, wantDir, c.Path, c.New))
			continue
		}
		if !bytes.Equal(c.New, w) {
			problems = append(problems, fmt.Sprintf("%s after the fixes:\n%s\nwant:\n%s", c.Path, c.New, w))
		}
	}
	names := make([]string, 0, len(fixed))
	for name := range fixed {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if changed[name] {
			continue
		}
		if !inputs[name] {
			problems = append(problems, fmt.Sprintf("%s%s: the fixes do not create %s", wantDir, name, name))
			continue
		}
		src, err := os.ReadFile(filepath.FromSlash(name))
		if err != nil || !bytes.Equal(src, fixed[name]) {
			problems = append(problems, fmt.Sprintf("%s%s: the fixes leave %s unchanged, and it differs from the section", wantDir, name, name))
		}
	}
	return problems
}
