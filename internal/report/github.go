package report

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/decouple-dev/decouple/internal/analysis"
)

// writeGitHub renders GitHub Actions workflow commands, which the runner
// turns into annotations on the pull request's diff:
//
//	::error file=F,line=L,col=C,title=CODE name::message
//
// The evidence is appended to the message (annotations show several
// lines), so a reader sees why without opening the logs.
func writeGitHub(buf *bytes.Buffer, in *Input, _ Options) error {
	for i := range in.Diagnostics {
		d := &in.Diagnostics[i]
		msg := d.Message
		if len(d.Related) > 0 {
			var b strings.Builder
			b.WriteString(msg)
			b.WriteString("\n")
			for _, r := range d.Related {
				b.WriteString("\n")
				b.WriteString(r.Pos.String() + ": " + r.Message)
			}
			msg = b.String()
		}
		title := strings.TrimSpace(ruleCode(d) + " " + ruleName(d))
		writeGitHubCommand(buf, githubLevel(d.Severity), d.Pos, title, msg)
	}
	for _, e := range in.Errors {
		writeGitHubCommand(buf, "error", e.Pos, "decouple", e.Message)
	}
	return nil
}

func writeGitHubCommand(buf *bytes.Buffer, level string, p analysis.Position, title, msg string) {
	props := []string{"file=" + githubProperty(p.File)}
	if p.Line > 0 {
		props = append(props, "line="+strconv.Itoa(p.Line))
		if p.Column > 0 {
			props = append(props, "col="+strconv.Itoa(p.Column))
		}
	}
	props = append(props, "title="+githubProperty(title))
	buf.WriteString("::" + level + " " + strings.Join(props, ",") + "::" + githubData(msg) + "\n")
}

func githubLevel(s analysis.Severity) string {
	switch s {
	case analysis.Error:
		return "error"
	case analysis.Warning:
		return "warning"
	default:
		return "notice"
	}
}

// GitHub's documented escaping: in the message, % and line breaks; in
// property values also : and , which separate properties. % goes first so
// the escapes themselves are not escaped again.
var (
	githubDataEscaper     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	githubPropertyEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)

func githubData(s string) string     { return githubDataEscaper.Replace(s) }
func githubProperty(s string) string { return githubPropertyEscaper.Replace(s) }
