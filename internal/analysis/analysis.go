// Package analysis holds the value types shared by rules, the driver and the
// reporters: rule metadata, diagnostics, and suggested fixes made of text
// edits on the original bytes of a file. It is modelled on
// golang.org/x/tools/go/analysis: rules only report; the driver decides what
// to apply.
package analysis

import (
	"fmt"
	"strings"
)

// Severity orders findings; the zero value is Info.
type Severity int

// Severities, from least to most severe.
const (
	Info Severity = iota
	Warning
	Error
)

func (s Severity) String() string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "warning"
	default:
		return "info"
	}
}

// ParseSeverity reads "error", "warning" or "info".
func ParseSeverity(s string) (Severity, error) {
	switch strings.ToLower(s) {
	case "error":
		return Error, nil
	case "warning", "warn":
		return Warning, nil
	case "info":
		return Info, nil
	}
	return Info, fmt.Errorf("unknown severity %q (want error, warning or info)", s)
}

// Rule is the metadata of one check. The catalogue, `decouple explain`,
// and SARIF's tool.driver.rules are all rendered from these values.
type Rule struct {
	Code     string   // stable code, e.g. "DC001"
	Name     string   // kebab-case name, e.g. "node-runtime-bundled"
	Severity Severity // default severity
	Summary  string   // one line: what it finds
	Doc      string   // rationale, a bad and a good example, how the fix works (Markdown)
}

// URL is the rule's documentation address.
func (r *Rule) URL() string {
	return "https://github.com/decouple-dev/decouple/blob/main/docs/rules.md#" + strings.ToLower(r.Code)
}

// Position is a 1-based line and column in a file. File is a slash path,
// relative to the working folder when the file lies under it.
type Position struct {
	File   string
	Line   int
	Column int
}

func (p Position) String() string {
	switch {
	case p.Line == 0:
		return p.File
	case p.Column == 0:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column)
}

// Related is a secondary location that supports a diagnostic: the evidence.
type Related struct {
	Pos     Position
	Message string
}

// TextEdit replaces the bytes [Start, End) of File with NewText. Offsets are
// into the original bytes as read; an insertion has Start == End. A file
// that does not exist yet is created by one edit with Start == End == 0.
type TextEdit struct {
	File    string // path as the driver opened it
	Start   int
	End     int
	NewText []byte
	// Mirrors names a file whose original bytes the first MirrorLen bytes
	// of NewText repeat (a generated Dockerfile that starts with the one
	// it was made from). The driver makes the other applied fixes' edits
	// to that file in the copy too, so a second run finds nothing left.
	Mirrors   string
	MirrorLen int
}

// SuggestedFix is one coherent change. Its TextEdits must not overlap one
// another; a driver applies all of them or none.
type SuggestedFix struct {
	Message string
	// Safe reports whether the fix keeps behaviour; unsafe fixes are only
	// applied with --unsafe-fixes.
	Safe  bool
	Edits []TextEdit
	// Renew names the compose services whose anonymous volumes must be
	// renewed to roll out what the fix changed (a split service and its
	// code service); nil for most fixes.
	Renew []string
	// RenewFiles are the -f arguments that select Renew's project from the
	// working folder; nil when docker compose finds it by default.
	RenewFiles []string
	// RenewProject is the -p project name the files need, "" for the one
	// Compose derives from the folder.
	RenewProject string
}

// Diagnostic is one finding. Pos is where the user acts.
type Diagnostic struct {
	Rule     *Rule
	Severity Severity
	Pos      Position
	Message  string
	// Service, Dockerfile and Stage say what the finding is about, where
	// they apply; Stage is the AS name or the 0-based index as a string.
	Service    string
	Dockerfile string
	Stage      string
	Related    []Related
	// Fix is the suggested fix, if any. FixRefused says why there is none
	// when one would be expected.
	Fix        *SuggestedFix
	FixRefused string
}
