// Package suppress applies in-file suppression comments:
//
//	# decouple:ignore DC001 -- reason          (this line, or the line below)
//	# decouple:ignore-file DC002,DC003 -- reason (the whole file)
//
// A line suppression that heads a scope (on the line above a compose
// service key or a Dockerfile FROM, or at the end of that line) covers
// every finding inside the scope: the whole service block or stage. People
// put the comment above the service, as they do for hadolint and yamllint,
// while a service's findings are reported at its build: or image: line.
//
// A suppression without a reason does not apply and is itself reported as
// DC900 suppression-invalid; one that suppressed nothing is reported as
// DC901 suppression-unused, like ruff's RUF100.
package suppress

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/decouple-dev/decouple/internal/analysis"
)

// Invalid is the rule of malformed suppressions.
var Invalid = &analysis.Rule{
	Code:     "DC900",
	Name:     "suppression-invalid",
	Severity: analysis.Warning,
	Summary:  "a `# decouple:ignore` comment with no reason or an unknown rule, which therefore suppresses nothing",
	Doc: "## Why\n\nA suppression records a decision; the reason is what lets the next reader judge it. " +
		"A suppression without one is not applied.\n\n" +
		"## Example\n\n```yaml\nservices:\n  app:\n    # decouple:ignore DC001\n    build: .\n```\n\n" +
		"## Instead\n\n```yaml\nservices:\n  app:\n    # decouple:ignore DC001 -- the image is a throwaway test fixture\n    build: .\n```\n",
}

// Unused is the rule of suppressions that suppressed nothing.
var Unused = &analysis.Rule{
	Code:     "DC901",
	Name:     "suppression-unused",
	Severity: analysis.Info,
	Summary:  "a `# decouple:ignore` comment for a rule that reports nothing there",
	Doc: "## Why\n\nOnce the problem is fixed, a leftover suppression would silently hide the next one. " +
		"Only rules that ran are judged: a suppression for a rule left out with --select or --ignore is not reported.\n\n" +
		"## Fix\n\nDelete the comment, or the rule's code from it.\n",
}

// Rules are the meta rules this package reports, in code order.
func Rules() []*analysis.Rule { return []*analysis.Rule{Invalid, Unused} }

// Directive is one parsed suppression comment.
type Directive struct {
	File   string // as in the findings' positions
	Line   int
	Column int
	Whole  bool     // ignore-file
	Codes  []string // resolved codes
	Reason string
	Own    bool // the comment is alone on its line (applies to the next line)
	// Problem says why the directive is invalid; empty when valid.
	Problem string
	// Heads are the scopes the directive stands at the head of.
	Heads []Scope
	used  map[string]bool
}

// Scope is a block of lines a suppression at its head covers: a compose
// service from its key to its last line, or a Dockerfile stage from its
// FROM to the line before the next one. Lines are 1-based and inclusive.
type Scope struct {
	Line, End int
}

var directive = regexp.MustCompile(`(?:^|\s)#\s*decouple:(ignore-file|ignore)\b(.*)$`)

// Parse finds the directives in a file's text. resolve maps a code or name
// to a rule code, returning "" for an unknown one.
func Parse(file string, src []byte, resolve func(string) string) []*Directive {
	var out []*Directive
	lines := strings.Split(string(src), "\n")
	for i, line := range lines {
		line = strings.TrimRight(line, "\r")
		loc := directive.FindStringSubmatchIndex(line)
		if loc == nil {
			continue
		}
		hash := strings.IndexByte(line[loc[0]:], '#') + loc[0]
		d := &Directive{
			File:   file,
			Line:   i + 1,
			Column: hash + 1,
			Whole:  line[loc[2]:loc[3]] == "ignore-file",
			Own:    strings.TrimSpace(line[:hash]) == "",
			used:   map[string]bool{},
		}
		rest := line[loc[4]:loc[5]]
		codes, reason, hasSep := strings.Cut(rest, "--")
		d.Reason = strings.TrimSpace(reason)
		var unknown []string
		for _, f := range strings.FieldsFunc(codes, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
			if c := resolve(f); c != "" {
				d.Codes = append(d.Codes, c)
			} else {
				unknown = append(unknown, f)
			}
		}
		switch {
		case len(unknown) > 0:
			d.Problem = fmt.Sprintf("unknown rule %s", strings.Join(quote(unknown), ", "))
		case len(d.Codes) == 0:
			d.Problem = "names no rule"
		case !hasSep || d.Reason == "":
			d.Problem = "gives no reason (write `-- why` after the rule codes)"
		}
		out = append(out, d)
	}
	return out
}

func quote(s []string) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = fmt.Sprintf("%q", x)
	}
	return out
}

// Options configure Apply.
type Options struct {
	// Resolve maps a rule code or name to its code; "" when unknown.
	Resolve func(string) string
	// Read returns a file's bytes by its findings path; Apply reads each
	// file at most once.
	Read func(file string) ([]byte, error)
	// Files are extra files to look for directives in (so that unused ones
	// in files without findings are reported too).
	Files []string
	// Ran lists the codes of the rules that ran: unused suppressions are
	// reported only for them.
	Ran map[string]bool
	// Scopes, when set, returns the scopes of a file that holds
	// directives (see Scope); it is not called for other files.
	Scopes func(file string, src []byte) []Scope
}

// Apply drops suppressed findings and returns the rest, plus DC900 and
// DC901 findings for invalid and unused suppressions (not filtered by
// Ran: the caller decides whether those meta rules are enabled).
func Apply(diags []analysis.Diagnostic, opts Options) (kept, meta []analysis.Diagnostic) {
	byFile := map[string][]*Directive{}
	var order []string
	load := func(file string) {
		if _, ok := byFile[file]; ok || file == "" {
			return
		}
		src, err := opts.Read(file)
		if err != nil {
			byFile[file] = nil
			return
		}
		dirs := Parse(file, src, opts.Resolve)
		if len(dirs) > 0 && opts.Scopes != nil {
			markHeads(dirs, opts.Scopes(file, src))
		}
		byFile[file] = dirs
		order = append(order, file)
	}
	for _, d := range diags {
		load(d.Pos.File)
	}
	for _, f := range opts.Files {
		load(f)
	}
	for _, d := range diags {
		if !suppressed(d, byFile[d.Pos.File]) {
			kept = append(kept, d)
		}
	}
	sort.Strings(order)
	for _, file := range order {
		for _, dir := range byFile[file] {
			pos := analysis.Position{File: dir.File, Line: dir.Line, Column: dir.Column}
			kind := "decouple:ignore"
			if dir.Whole {
				kind = "decouple:ignore-file"
			}
			if dir.Problem != "" {
				meta = append(meta, analysis.Diagnostic{Rule: Invalid, Severity: Invalid.Severity, Pos: pos,
					Message: fmt.Sprintf("%s %s, so it suppresses nothing", kind, dir.Problem)})
				continue
			}
			var unused []string
			for _, c := range dir.Codes {
				if !dir.used[c] && opts.Ran[c] {
					unused = append(unused, c)
				}
			}
			if len(unused) > 0 {
				meta = append(meta, analysis.Diagnostic{Rule: Unused, Severity: Unused.Severity, Pos: pos,
					Message: fmt.Sprintf("%s %s suppresses nothing: no such finding here", kind, strings.Join(unused, ", "))})
			}
		}
	}
	return kept, meta
}

// suppressed reports whether a valid directive covers the finding, and
// marks the directive used.
func suppressed(d analysis.Diagnostic, dirs []*Directive) bool {
	if d.Rule == nil {
		return false
	}
	code := d.Rule.Code
	hit := false
	for _, dir := range dirs {
		if dir.Problem != "" || !has(dir.Codes, code) {
			continue
		}
		applies := dir.Whole
		if !applies && d.Pos.Line > 0 {
			applies = heads(dir, d.Pos.Line, dirs)
			for _, s := range dir.Heads {
				applies = applies || s.Line <= d.Pos.Line && d.Pos.Line <= s.End
			}
		}
		if applies {
			dir.used[code] = true
			hit = true
		}
	}
	return hit
}

// heads reports whether dir applies to the line target by the line scope:
// it is on that line, or stands above it alone on its line.
func heads(dir *Directive, target int, dirs []*Directive) bool {
	return dir.Line == target || dir.Own && dir.Line < target && stackedAbove(dir, target, dirs)
}

// markHeads records, for each valid line directive, the scopes it heads.
func markHeads(dirs []*Directive, scopes []Scope) {
	for _, dir := range dirs {
		if dir.Whole || dir.Problem != "" {
			continue
		}
		for _, s := range scopes {
			if heads(dir, s.Line, dirs) {
				dir.Heads = append(dir.Heads, s)
			}
		}
	}
}

// stackedAbove reports whether dir is on the line above target, or in a
// run of own-line directives that ends on the line above it.
func stackedAbove(dir *Directive, target int, dirs []*Directive) bool {
	line := target - 1
	for line > dir.Line {
		found := false
		for _, o := range dirs {
			if o.Line == line && o.Own && !o.Whole {
				found = true
				break
			}
		}
		if !found {
			return false
		}
		line--
	}
	return line == dir.Line
}

func has(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
