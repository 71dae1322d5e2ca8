package report

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf8"
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
	writeJSONReport(buf, &out)
	return nil
}

// writeJSONReport writes the report exactly as encodeJSON would (the
// golden files and TestJSONWriterMatchesEncoder hold it to that), without
// reflection and without encoding/json's second, indenting pass over the
// whole output: on a tree with thousands of findings that pass and its
// copies were most of the report's time and allocations.
func writeJSONReport(buf *bytes.Buffer, r *jsonReport) {
	buf.WriteString("{\n  \"version\": ")
	writeJSONString(buf, r.Version)
	buf.WriteString(",\n  \"findings\": ")
	if len(r.Findings) == 0 {
		buf.WriteString("[]")
	} else {
		buf.WriteString("[\n")
		for i := range r.Findings {
			f := &r.Findings[i]
			buf.WriteString("    {\n      \"rule\": ")
			writeJSONString(buf, f.Rule)
			buf.WriteString(",\n      \"name\": ")
			writeJSONString(buf, f.Name)
			buf.WriteString(",\n      \"severity\": ")
			writeJSONString(buf, f.Severity)
			buf.WriteString(",\n      \"message\": ")
			writeJSONString(buf, f.Message)
			buf.WriteString(",\n      \"file\": ")
			writeJSONString(buf, f.File)
			buf.WriteString(",\n      \"line\": ")
			buf.WriteString(strconv.Itoa(f.Line))
			buf.WriteString(",\n      \"column\": ")
			buf.WriteString(strconv.Itoa(f.Column))
			for _, kv := range [...][2]string{{"service", f.Service}, {"dockerfile", f.Dockerfile}, {"stage", f.Stage}} {
				if kv[1] != "" {
					buf.WriteString(",\n      \"")
					buf.WriteString(kv[0])
					buf.WriteString("\": ")
					writeJSONString(buf, kv[1])
				}
			}
			buf.WriteString(",\n      \"related\": ")
			writeJSONLocations(buf, f.Related, "      ")
			buf.WriteString(",\n      \"fix\": {\n        \"available\": ")
			buf.WriteString(strconv.FormatBool(f.Fix.Available))
			buf.WriteString(",\n        \"safe\": ")
			buf.WriteString(strconv.FormatBool(f.Fix.Safe))
			buf.WriteString(",\n        \"message\": ")
			writeJSONString(buf, f.Fix.Message)
			buf.WriteString(",\n        \"refused\": ")
			writeJSONString(buf, f.Fix.Refused)
			buf.WriteString("\n      }\n    }")
			if i < len(r.Findings)-1 {
				buf.WriteByte(',')
			}
			buf.WriteByte('\n')
		}
		buf.WriteString("  ]")
	}
	buf.WriteString(",\n  \"errors\": ")
	writeJSONLocations(buf, r.Errors, "  ")
	buf.WriteString("\n}\n")
}

// writeJSONLocations writes a list of locations whose key sits at indent.
func writeJSONLocations(buf *bytes.Buffer, locs []jsonLocation, indent string) {
	if len(locs) == 0 {
		buf.WriteString("[]")
		return
	}
	buf.WriteString("[\n")
	for i, l := range locs {
		buf.WriteString(indent)
		buf.WriteString("  {\n")
		buf.WriteString(indent)
		buf.WriteString("    \"file\": ")
		writeJSONString(buf, l.File)
		buf.WriteString(",\n")
		buf.WriteString(indent)
		buf.WriteString("    \"line\": ")
		buf.WriteString(strconv.Itoa(l.Line))
		buf.WriteString(",\n")
		buf.WriteString(indent)
		buf.WriteString("    \"column\": ")
		buf.WriteString(strconv.Itoa(l.Column))
		buf.WriteString(",\n")
		buf.WriteString(indent)
		buf.WriteString("    \"message\": ")
		writeJSONString(buf, l.Message)
		buf.WriteString("\n")
		buf.WriteString(indent)
		buf.WriteString("  }")
		if i < len(locs)-1 {
			buf.WriteByte(',')
		}
		buf.WriteByte('\n')
	}
	buf.WriteString(indent)
	buf.WriteString("]")
}

const jsonHex = "0123456789abcdef"

// writeJSONString quotes s as encoding/json does with HTML escaping off:
// '"' and '\\' and control characters escaped, invalid UTF-8 replaced by
// U+FFFD, U+2028 and U+2029 escaped.
func writeJSONString(buf *bytes.Buffer, s string) {
	buf.WriteByte('"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			buf.WriteString(s[start:i])
			switch b {
			case '\\', '"':
				buf.WriteByte('\\')
				buf.WriteByte(b)
			case '\b':
				buf.WriteString(`\b`)
			case '\f':
				buf.WriteString(`\f`)
			case '\n':
				buf.WriteString(`\n`)
			case '\r':
				buf.WriteString(`\r`)
			case '\t':
				buf.WriteString(`\t`)
			default:
				buf.WriteString(`\u00`)
				buf.WriteByte(jsonHex[b>>4])
				buf.WriteByte(jsonHex[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			buf.WriteString(s[start:i])
			buf.WriteString(`\ufffd`)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			buf.WriteString(s[start:i])
			buf.WriteString(`\u202`)
			buf.WriteByte(jsonHex[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	buf.WriteString(s[start:])
	buf.WriteByte('"')
}

// encodeJSON writes v indented. HTML escaping is off: nothing here is
// embedded in a page, and "<" reads better than "\u003c" in a message.
func encodeJSON(buf *bytes.Buffer, v any) error {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
