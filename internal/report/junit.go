package report

import (
	"bytes"
	"encoding/xml"
	"strings"
)

type junitTestSuites struct {
	XMLName  xml.Name         `xml:"testsuites"`
	Name     string           `xml:"name,attr"`
	Tests    int              `xml:"tests,attr"`
	Failures int              `xml:"failures,attr"`
	Errors   int              `xml:"errors,attr"`
	Suites   []junitTestSuite `xml:"testsuite"`
}

type junitTestSuite struct {
	Name     string          `xml:"name,attr"`
	Tests    int             `xml:"tests,attr"`
	Failures int             `xml:"failures,attr"`
	Errors   int             `xml:"errors,attr"`
	Cases    []junitTestCase `xml:"testcase"`
}

type junitTestCase struct {
	Name      string `xml:"name,attr"`
	Classname string `xml:"classname,attr"`
	// File is read by GitLab's test report; Jenkins ignores it.
	File    string        `xml:"file,attr,omitempty"`
	Failure *junitProblem `xml:"failure,omitempty"`
	Error   *junitProblem `xml:"error,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	// Body is CDATA so its line breaks stay line breaks: as character data
	// encoding/xml would write each as &#xA;. CDATA is not checked by the
	// encoder, so it goes through xmlText first.
	Body string `xml:",cdata"`
}

// writeJUnit renders one test suite per file: CI test tabs then group the
// findings by the file to open, and every checked file shows up, clean
// ones as a passing "no findings" case. A finding is a failed test whose
// type is the rule code and whose body is the text format's lines, with
// the evidence; a file that could not be checked is an errored test.
func writeJUnit(buf *bytes.Buffer, in *Input, _ Options) error {
	root := junitTestSuites{Name: "decouple"}
	ds, es := in.Diagnostics, in.Errors
	for _, file := range allFiles(in) {
		suite := junitTestSuite{Name: file}
		for ; len(es) > 0 && es[0].Pos.File == file; es = es[1:] {
			e := &es[0]
			var body bytes.Buffer
			writeTextError(&body, e, false)
			suite.Cases = append(suite.Cases, junitTestCase{
				Name:      "error at " + e.Pos.String(),
				Classname: file,
				File:      file,
				Error:     &junitProblem{Message: e.Message, Type: fileErrorCheck, Body: xmlText(body.String())},
			})
			suite.Errors++
		}
		for ; len(ds) > 0 && ds[0].Pos.File == file; ds = ds[1:] {
			d := &ds[0]
			var body bytes.Buffer
			writeTextFinding(&body, d, false)
			suite.Cases = append(suite.Cases, junitTestCase{
				Name:      strings.TrimSpace(ruleCode(d)+" "+ruleName(d)) + " at " + d.Pos.String(),
				Classname: file,
				File:      file,
				Failure:   &junitProblem{Message: d.Message, Type: ruleCode(d), Body: xmlText(body.String())},
			})
			suite.Failures++
		}
		if len(suite.Cases) == 0 {
			suite.Cases = append(suite.Cases, junitTestCase{Name: "no findings", Classname: file, File: file})
		}
		root.Suites = append(root.Suites, suite)
	}
	if len(root.Suites) == 0 {
		// Nothing was listed: still show that the run happened and passed.
		root.Suites = []junitTestSuite{{
			Name:  "decouple",
			Cases: []junitTestCase{{Name: "no findings", Classname: "decouple"}},
		}}
	}
	for i := range root.Suites {
		s := &root.Suites[i]
		s.Tests = len(s.Cases)
		root.Tests += s.Tests
		root.Failures += s.Failures
		root.Errors += s.Errors
	}
	return encodeXML(buf, root)
}

// xmlText trims the final line break and replaces what XML 1.0 cannot
// carry (invalid UTF-8, most control characters, U+FFFE and U+FFFF) with
// U+FFFD, as encoding/xml does for attributes and character data.
func xmlText(s string) string {
	s = strings.ToValidUTF8(strings.TrimRight(s, "\n"), "\uFFFD")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r',
			0x20 <= r && r <= 0xD7FF,
			0xE000 <= r && r <= 0xFFFD,
			0x10000 <= r && r <= 0x10FFFF:
			return r
		}
		return '\uFFFD'
	}, s)
}

// encodeXML writes v indented after the XML declaration. encoding/xml
// escapes markup characters, encodes line breaks in attributes so they
// survive attribute normalisation, and replaces characters XML cannot
// carry at all.
func encodeXML(buf *bytes.Buffer, v any) error {
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(buf)
	enc.Indent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	buf.WriteByte('\n')
	return nil
}
