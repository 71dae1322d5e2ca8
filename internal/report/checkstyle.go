package report

import (
	"bytes"
	"encoding/xml"

	"github.com/decouple-dev/decouple/internal/analysis"
)

type checkstyleReport struct {
	XMLName xml.Name         `xml:"checkstyle"`
	Version string           `xml:"version,attr"`
	Files   []checkstyleFile `xml:"file"`
}

type checkstyleFile struct {
	Name   string            `xml:"name,attr"`
	Errors []checkstyleError `xml:"error"`
}

type checkstyleError struct {
	Line     int    `xml:"line,attr"`
	Column   int    `xml:"column,attr,omitempty"`
	Severity string `xml:"severity,attr"`
	Message  string `xml:"message,attr"`
	Source   string `xml:"source,attr"`
}

func checkstyleSeverity(s analysis.Severity) string {
	switch s {
	case analysis.Error:
		return "error"
	case analysis.Warning:
		return "warning"
	default:
		return "info"
	}
}

// writeCheckstyle renders Checkstyle XML, which many CI plugins (Jenkins
// Warnings, reviewdog, SonarQube) import. Every checked file is listed,
// clean ones empty, as Checkstyle itself does. Sources are
// "decouple.CODE" so a plugin can group by rule; files decouple could not
// check are errors from source "decouple".
func writeCheckstyle(buf *bytes.Buffer, in *Input, _ Options) error {
	out := checkstyleReport{Version: "4.3"}
	ds, es := in.Diagnostics, in.Errors
	for _, name := range allFiles(in) {
		f := checkstyleFile{Name: name}
		for ; len(es) > 0 && es[0].Pos.File == name; es = es[1:] {
			f.Errors = append(f.Errors, checkstyleError{
				Line: es[0].Pos.Line, Column: es[0].Pos.Column,
				Severity: "error", Message: es[0].Message, Source: "decouple",
			})
		}
		for ; len(ds) > 0 && ds[0].Pos.File == name; ds = ds[1:] {
			d := &ds[0]
			f.Errors = append(f.Errors, checkstyleError{
				Line: d.Pos.Line, Column: d.Pos.Column,
				Severity: checkstyleSeverity(d.Severity), Message: d.Message, Source: "decouple." + ruleCode(d),
			})
		}
		out.Files = append(out.Files, f)
	}
	return encodeXML(buf, out)
}
