package report

import (
	"bytes"
	"encoding/json"
)

// The JSON format is a contract read by other programs: field names and
// meanings only ever gain members. Lists are always present (possibly
// empty), and so is fix, so readers need no existence checks. Lines and
// columns are 1-based; 0 means "not known", as for evidence that is a whole
// file or folder.

type jsonReport struct {
	Version  string        `json:"version"`
	Findings []jsonFinding `json:"findings"`
	Errors   []jsonError   `json:"errors"`
}

type jsonFinding struct {
	Rule       string         `json:"rule"`
	Name       string         `json:"name"`
	Severity   string         `json:"severity"`
	Message    string         `json:"message"`
	File       string         `json:"file"`
	Line       int            `json:"line"`
	Column     int            `json:"column"`
	Service    string         `json:"service,omitempty"`
	Dockerfile string         `json:"dockerfile,omitempty"`
	Stage      string         `json:"stage,omitempty"`
	Related    []jsonLocation `json:"related"`
	Fix        jsonFix        `json:"fix"`
}

type jsonLocation struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Message string `json:"message"`
}

type jsonFix struct {
	Available bool   `json:"available"`
	Safe      bool   `json:"safe"`
	Message   string `json:"message"`
	Refused   string `json:"refused"`
}

type jsonError = jsonLocation

func writeJSON(buf *bytes.Buffer, in *Input, _ Options) error {
	out := jsonReport{
		Version:  in.Version,
		Findings: make([]jsonFinding, 0, len(in.Diagnostics)),
		Errors:   make([]jsonError, 0, len(in.Errors)),
	}
	for i := range in.Diagnostics {
		d := &in.Diagnostics[i]
		f := jsonFinding{
			Rule:       ruleCode(d),
			Name:       ruleName(d),
			Severity:   d.Severity.String(),
			Message:    d.Message,
			File:       d.Pos.File,
			Line:       d.Pos.Line,
			Column:     d.Pos.Column,
			Service:    d.Service,
			Dockerfile: d.Dockerfile,
			Stage:      d.Stage,
			Related:    make([]jsonLocation, 0, len(d.Related)),
			Fix:        jsonFix{Refused: d.FixRefused},
		}
		for _, r := range d.Related {
			f.Related = append(f.Related, jsonLocation{
				File: r.Pos.File, Line: r.Pos.Line, Column: r.Pos.Column, Message: r.Message,
			})
		}
		if d.Fix != nil {
			f.Fix.Available = true
			f.Fix.Safe = d.Fix.Safe
			f.Fix.Message = d.Fix.Message
		}
		out.Findings = append(out.Findings, f)
	}
	for _, e := range in.Errors {
		out.Errors = append(out.Errors, jsonError{
			File: e.Pos.File, Line: e.Pos.Line, Column: e.Pos.Column, Message: e.Message,
		})
	}
	return encodeJSON(buf, out)
}

// encodeJSON writes v indented. HTML escaping is off: nothing here is
// embedded in a page, and "<" reads better than "\u003c" in a message.
func encodeJSON(buf *bytes.Buffer, v any) error {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
