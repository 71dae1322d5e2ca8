package report

import (
	"bytes"
	"testing"
)

// TestJSONWriterMatchesEncoder holds the hand-written JSON writer to the
// bytes encoding/json (encodeJSON) writes for the same report.
func TestJSONWriterMatchesEncoder(t *testing.T) {
	tricky := []string{"", "plain", `q"uote\back`, "<a & b>", "tab\tnl\ncr\rbs\bff\f", "\x00\x01\x1f\x7f",
		"é ü 日本", "\u2028\u2029", "bad \xff\xfe utf8", "trunc \xe6\x97", "emoji 🐳", "--fix: `x`"}
	var reports []jsonReport
	reports = append(reports, jsonReport{Version: "v", Findings: []jsonFinding{}, Errors: []jsonError{}})
	for i, s := range tricky {
		f := jsonFinding{Rule: "DC00" + s, Name: s, Severity: "error", Message: s, File: s, Line: i, Column: -i,
			Related: []jsonLocation{}, Fix: jsonFix{Available: i%2 == 0, Safe: i%3 == 0, Message: s, Refused: s}}
		if i%2 == 1 {
			f.Service, f.Stage = s, "0"
		}
		if i%3 == 1 {
			f.Dockerfile = s + "Dockerfile"
		}
		for j := 0; j < i%3; j++ {
			f.Related = append(f.Related, jsonLocation{File: s, Line: j, Column: 1000 * j, Message: s})
		}
		r := jsonReport{Version: s, Findings: []jsonFinding{f}, Errors: []jsonError{}}
		if i%2 == 0 {
			r.Errors = append(r.Errors, jsonLocation{File: s, Line: 1, Message: s}, jsonLocation{Message: "x"})
			r.Findings = append(r.Findings, f, f)
		}
		reports = append(reports, r)
	}
	for i := range reports {
		var want, got bytes.Buffer
		if err := encodeJSON(&want, reports[i]); err != nil {
			t.Fatal(err)
		}
		writeJSONReport(&got, &reports[i])
		if !bytes.Equal(want.Bytes(), got.Bytes()) {
			t.Errorf("report %d:\n got %q\nwant %q", i, got.String(), want.String())
		}
	}
}
