package report

import (
	"bytes"
	"fmt"
	"strings"
	"unicode"

	"github.com/decouple-dev/decouple/internal/analysis"
)

// ANSI styles; only used when Options.Color is set.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
)

// styler wraps text in ANSI codes, or leaves it alone without colour.
type styler bool

func (s styler) style(code, text string) string {
	if !s || text == "" {
		return text
	}
	return code + text + ansiReset
}

func severityColor(sev analysis.Severity) string {
	switch sev {
	case analysis.Error:
		return ansiRed
	case analysis.Warning:
		return ansiYellow
	default:
		return ansiCyan
	}
}

// writeText renders the gcc-style format:
//
//	file:line:col: CODE name: message [severity]
//	    file:line:col: evidence
//	    fix: what --fix would do
//
// The first line stands alone, so grep, editors' error parsers and
// `grep '\[error\]'` work on it; the indented lines are context for people.
// File errors use gcc's own "error:" form and are merged in by position.
func writeText(buf *bytes.Buffer, in *Input, opts Options) error {
	st := styler(opts.Color)
	ds, es := in.Diagnostics, in.Errors
	for len(ds) > 0 || len(es) > 0 {
		if len(es) > 0 && (len(ds) == 0 || comparePos(es[0].Pos, ds[0].Pos) <= 0) {
			writeTextError(buf, &es[0], st)
			es = es[1:]
			continue
		}
		writeTextFinding(buf, &ds[0], st)
		ds = ds[1:]
	}
	if len(in.Diagnostics) > 0 {
		buf.WriteString(st.style(ansiBold, summary(in.Diagnostics)))
		buf.WriteByte('\n')
	}
	return nil
}

func writeTextError(buf *bytes.Buffer, e *FileError, st styler) {
	lines := messageLines(e.Message)
	fmt.Fprintf(buf, "%s %s %s\n", st.style(ansiBold, e.Pos.String()+":"), st.style(ansiRed, "error:"), lines[0])
	writeIndented(buf, "    ", lines[1:])
}

// writeTextFinding writes one finding and its context lines. JUnit reuses
// it, without colour, as the body of a failure.
func writeTextFinding(buf *bytes.Buffer, d *analysis.Diagnostic, st styler) {
	lines := messageLines(d.Message)
	color := severityColor(d.Severity)
	fmt.Fprintf(buf, "%s %s %s %s\n",
		st.style(ansiBold, d.Pos.String()+":"),
		st.style(color, strings.TrimSpace(ruleCode(d)+" "+ruleName(d))+":"),
		lines[0],
		st.style(color, "["+d.Severity.String()+"]"))
	// A multi-line message continues under the headline, before the
	// evidence, so it reads as one paragraph.
	writeIndented(buf, "    ", lines[1:])
	for _, r := range d.Related {
		rl := messageLines(r.Message)
		buf.WriteString(st.style(ansiDim, "    "+r.Pos.String()+": "+rl[0]))
		buf.WriteByte('\n')
		writeIndented(buf, st.style(ansiDim, "      "), rl[1:])
	}
	switch {
	case d.Fix != nil && d.Fix.Safe:
		writeFixLine(buf, st, "fix: ", d.Fix.Message)
	case d.Fix != nil:
		writeFixLine(buf, st, "fix (unsafe, needs --unsafe-fixes): ", d.Fix.Message)
	}
	if d.FixRefused != "" {
		writeFixLine(buf, st, "no fix: ", d.FixRefused)
	}
}

func writeFixLine(buf *bytes.Buffer, st styler, label, msg string) {
	lines := messageLines(msg)
	buf.WriteString(st.style(ansiDim, "    "+label+lines[0]))
	buf.WriteByte('\n')
	writeIndented(buf, st.style(ansiDim, "      "), lines[1:])
}

func writeIndented(buf *bytes.Buffer, indent string, lines []string) {
	for _, l := range lines {
		buf.WriteString(indent)
		buf.WriteString(l)
		buf.WriteByte('\n')
	}
}

// messageLines splits a message into lines that are safe to print on a
// terminal: messages quote files from the repository being checked, and a
// stray escape sequence in one must not restyle or rewrite the terminal.
// It always returns at least one line.
func messageLines(msg string) []string {
	msg = strings.ReplaceAll(msg, "\r\n", "\n")
	msg = strings.ReplaceAll(msg, "\r", "\n")
	lines := strings.Split(strings.TrimRight(msg, "\n"), "\n")
	for i, l := range lines {
		lines[i] = escapeControls(l)
	}
	return lines
}

func escapeControls(s string) string {
	if !strings.ContainsFunc(s, isControl) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if isControl(r) {
			fmt.Fprintf(&b, "\\x%02x", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// isControl reports C0 and C1 control characters other than tab.
func isControl(r rune) bool {
	return r != '\t' && unicode.IsControl(r)
}

// summary is the closing line, e.g.
// "4 findings (2 errors, 1 warning, 1 info), 1 fixable with --fix, 1 more with --unsafe-fixes".
func summary(ds []analysis.Diagnostic) string {
	var bySev [3]int
	for i := range ds {
		bySev[min(max(ds[i].Severity, analysis.Info), analysis.Error)]++
	}
	var counts []string
	for _, c := range []struct {
		n     int
		label string
	}{
		{bySev[analysis.Error], plural(bySev[analysis.Error], "error", "errors")},
		{bySev[analysis.Warning], plural(bySev[analysis.Warning], "warning", "warnings")},
		{bySev[analysis.Info], "info"},
	} {
		if c.n > 0 {
			counts = append(counts, fmt.Sprintf("%d %s", c.n, c.label))
		}
	}
	s := fmt.Sprintf("%d %s (%s)", len(ds), plural(len(ds), "finding", "findings"), strings.Join(counts, ", "))
	safe, unsafe := countFixes(ds)
	if safe > 0 {
		s += fmt.Sprintf(", %d fixable with --fix", safe)
	}
	switch {
	case unsafe > 0 && safe > 0:
		s += fmt.Sprintf(", %d more with --unsafe-fixes", unsafe)
	case unsafe > 0:
		s += fmt.Sprintf(", %d fixable with --fix --unsafe-fixes", unsafe)
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
