package report

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/decouple-dev/decouple/internal/analysis"
)

// The Reviewdog Diagnostic Format (rdjson: one DiagnosticResult), as
// reviewdog's proto/rdf/reviewdog.proto defines it. reviewdog posts each
// diagnostic as a review comment and each suggestion as a suggested change
// a reviewer applies with one click.
type rdResult struct {
	Source      rdSource       `json:"source"`
	Diagnostics []rdDiagnostic `json:"diagnostics"`
}

type rdSource struct {
	Name string `json:"name"`
	URL  string `json:"url,omitempty"`
}

type rdDiagnostic struct {
	Message     string         `json:"message"`
	Location    rdLocation     `json:"location"`
	Severity    string         `json:"severity"`
	Code        *rdCode        `json:"code,omitempty"`
	Suggestions []rdSuggestion `json:"suggestions,omitempty"`
	// OriginalOutput is the finding as the text format prints it (control
	// characters escaped), which is what reviewdog's local reporter shows.
	OriginalOutput string `json:"original_output,omitempty"`
}

type rdLocation struct {
	Path  string   `json:"path"`
	Range *rdRange `json:"range,omitempty"`
}

// rdRange's end is exclusive; without one the range is empty.
type rdRange struct {
	Start rdPosition  `json:"start"`
	End   *rdPosition `json:"end,omitempty"`
}

// rdPosition is 1-based; the column counts bytes of UTF-8, as decouple's
// columns and TextEdit offsets do.
type rdPosition struct {
	Line   int `json:"line"`
	Column int `json:"column,omitempty"`
}

type rdCode struct {
	Value string `json:"value"`
	URL   string `json:"url,omitempty"`
}

type rdSuggestion struct {
	Range rdRange `json:"range"`
	Text  string  `json:"text"`
}

func rdSeverity(s analysis.Severity) string {
	switch s {
	case analysis.Error:
		return "ERROR"
	case analysis.Warning:
		return "WARNING"
	default:
		return "INFO"
	}
}

// writeRDJSON renders the findings as one rdjson DiagnosticResult. A fix
// whose edits all fall in the finding's own file becomes a suggestion,
// its byte offsets turned into lines and columns of the text that was
// linted (Input.Source). A suggestion carries no file of
// its own, so a fix that touches other files (a split that creates
// Dockerfile.code, a new .dockerignore) is named in the message instead:
// suggesting half of it would leave the change incomplete.
func writeRDJSON(buf *bytes.Buffer, in *Input, _ Options) error {
	out := rdResult{Source: rdSource{Name: "decouple", URL: informationURI},
		Diagnostics: make([]rdDiagnostic, 0, len(in.Diagnostics)+len(in.Errors))}
	sources := map[string][]byte{} // by the path the edits name; nil: unreadable
	for i := range in.Diagnostics {
		d := &in.Diagnostics[i]
		var msg strings.Builder
		msg.WriteString(d.Message)
		for _, r := range d.Related {
			msg.WriteString("\n" + r.Pos.String() + ": " + r.Message)
		}
		rd := rdDiagnostic{Location: rdLocationAt(d.Pos), Severity: rdSeverity(d.Severity),
			OriginalOutput: fmt.Sprintf("%s: %s: %s [%s]", escapeControls(d.Pos.String()), strings.TrimSpace(ruleCode(d)+" "+ruleName(d)),
				strings.Join(messageLines(d.Message), "\n"), d.Severity)}
		if d.Rule != nil {
			rd.Code = &rdCode{Value: d.Rule.Code, URL: d.Rule.URL()}
		}
		switch {
		case d.Fix != nil:
			rd.Suggestions = rdSuggestions(d, in, sources)
			switch {
			case rd.Suggestions != nil && d.Fix.Safe:
				msg.WriteString("\nsuggested fix: ")
			case rd.Suggestions != nil:
				msg.WriteString("\nsuggested fix (may change behaviour): ")
			case d.Fix.Safe:
				msg.WriteString("\nfix with `decouple lint --fix`: ")
			default:
				msg.WriteString("\nfix with `decouple lint --fix --unsafe-fixes` (may change behaviour): ")
			}
			msg.WriteString(d.Fix.Message)
		case d.FixRefused != "":
			msg.WriteString("\nno fix: " + d.FixRefused)
		}
		rd.Message = msg.String()
		out.Diagnostics = append(out.Diagnostics, rd)
	}
	// A file that could not be checked is what a reviewer should see.
	for _, e := range in.Errors {
		out.Diagnostics = append(out.Diagnostics, rdDiagnostic{
			Message:        "could not check this file: " + e.Message,
			Location:       rdLocationAt(e.Pos),
			Severity:       "ERROR",
			Code:           &rdCode{Value: fileErrorCheck},
			OriginalOutput: fmt.Sprintf("%s: error: %s", escapeControls(e.Pos.String()), strings.Join(messageLines(e.Message), "\n")),
		})
	}
	return encodeJSON(buf, out)
}

func rdLocationAt(p analysis.Position) rdLocation {
	loc := rdLocation{Path: p.File}
	if p.Line > 0 {
		loc.Range = &rdRange{Start: rdPosition{Line: p.Line, Column: p.Column}}
	}
	return loc
}

// rdSuggestions turns the fix's edits into one suggestion, or returns nil
// when any edit is in another file or does not fit the text it was planned
// on. One: a GitHub review comment takes one suggested change, and
// reviewdog anchors the comment on the first suggestion's lines; so the
// edits are merged into one range that spans them all, with the text
// between them kept as it is.
func rdSuggestions(d *analysis.Diagnostic, in *Input, sources map[string][]byte) []rdSuggestion {
	if in.Source == nil || len(d.Fix.Edits) == 0 {
		return nil
	}
	file := d.Fix.Edits[0].File
	for _, e := range d.Fix.Edits {
		if e.File != file || relPath(e.File, in.Root) != d.Pos.File {
			return nil
		}
	}
	src, seen := sources[file]
	if !seen {
		var err error
		if src, err = in.Source(file); err != nil {
			src = nil
		}
		sources[file] = src
	}
	if src == nil {
		return nil
	}
	edits := slices.Clone(d.Fix.Edits)
	slices.SortStableFunc(edits, func(x, y analysis.TextEdit) int { return cmp.Compare(x.Start, y.Start) })
	start, end := edits[0].Start, edits[0].Start
	var text strings.Builder
	for _, e := range edits {
		if e.Start < end || e.Start > e.End || e.End > len(src) {
			return nil // overlapping, or planned on other text
		}
		text.Write(src[end:e.Start])
		text.Write(e.NewText)
		end = e.End
	}
	start, end, repl, ok := withinLines(src, start, end, text.String())
	if !ok {
		return nil
	}
	stop := rdPositionAt(src, end)
	return []rdSuggestion{{Range: rdRange{Start: rdPositionAt(src, start), End: &stop}, Text: repl}}
}

// withinLines returns an equivalent replacement whose range ends on a line
// of the file. A range ending at column 1 of the line after a final newline
// names a line that does not exist, and reviewdog cannot show it; the
// shared newline is moved out of the range instead. ok is false when that
// cannot be done (the change removes the file's final newline).
func withinLines(src []byte, start, end int, text string) (int, int, string, bool) {
	if len(src) == 0 || end < len(src) || src[len(src)-1] != '\n' {
		return start, end, text, true
	}
	switch {
	case strings.HasSuffix(text, "\n") && end > start:
		// Both old and new text end with the newline: leave it alone.
		return start, end - 1, text[:len(text)-1], true
	case strings.HasSuffix(text, "\n"):
		// An insertion at the very end: insert before the final newline.
		return start - 1, end - 1, "\n" + text[:len(text)-1], true
	case text == "" && start > 0 && src[start-1] == '\n':
		// Whole lines deleted up to the end: delete from the newline
		// before them instead, keeping the final one.
		return start - 1, end - 1, "", true
	}
	return 0, 0, "", false
}

// rdPositionAt is the line and column of a byte offset; the offset just
// past a final newline is column 1 of the line after it.
func rdPositionAt(src []byte, off int) rdPosition {
	before := src[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := off - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return rdPosition{Line: line, Column: col}
}
