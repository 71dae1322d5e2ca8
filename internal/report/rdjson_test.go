package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/decouple-dev/decouple/internal/analysis"
)

// rdFixture is the shared fixture with the linted text at hand (Source)
// and one more fix, on the worker's mount, whose edits all stay in the
// finding's own file: the one kind rdjson can suggest.
func rdFixture(t *testing.T) Input {
	in := fixture(t)
	files := map[string]string{
		"compose.yaml":                           composeYAML,
		fixtureRoot + "/services/api/Dockerfile": apiDockerfile,
	}
	in.Source = func(p string) ([]byte, error) {
		if src, ok := files[p]; ok {
			return []byte(src), nil
		}
		return nil, os.ErrNotExist
	}
	for i := range in.Diagnostics {
		d := &in.Diagnostics[i]
		if d.Rule == ruleShadowed {
			d.Fix = &analysis.SuggestedFix{Message: "drop the mount and let the image's code run", Safe: false,
				Edits: []analysis.TextEdit{replace(t, "compose.yaml", composeYAML, "    volumes:\n      - ./src:/app/src\n", "")}}
		}
	}
	return in
}

// applyRD applies suggestions the way a reader of the format must: lines
// and 1-based byte columns, end exclusive, against the original text.
func applyRD(t *testing.T, src string, sugs []rdSuggestion) string {
	t.Helper()
	starts := []int{0}
	for i := 0; i < len(src); i++ {
		if src[i] == '\n' {
			starts = append(starts, i+1)
		}
	}
	off := func(p rdPosition) int {
		if p.Line < 1 || p.Line > len(starts) {
			t.Fatalf("line %d outside a %d-line text", p.Line, len(starts))
		}
		return starts[p.Line-1] + p.Column - 1
	}
	out := src
	// From the last to the first, so earlier offsets stay put.
	for i := len(sugs) - 1; i >= 0; i-- {
		s := sugs[i]
		a, b := off(s.Range.Start), off(*s.Range.End)
		out = out[:a] + s.Text + out[b:]
	}
	return out
}

func TestRDJSONSuggestionsRoundTrip(t *testing.T) {
	src := "services:\r\n  é: {image: \"nodé:20\"}\r\n  web:\n    build: .\n"
	cases := []struct {
		name  string
		edits []analysis.TextEdit // in order, not overlapping
		want  string              // the ranges, start-end
	}{
		{"after UTF-8", []analysis.TextEdit{replace(t, "c.yaml", src, "20", "22")}, "2:22-2:24"},
		{"across lines", []analysis.TextEdit{replace(t, "c.yaml", src, "web:\n    build: .\n", "web: {}\n")}, "3:3-4:13"},
		{"insert at end", []analysis.TextEdit{{File: "c.yaml", Start: len(src), End: len(src), NewText: []byte("  db: {}\n")}}, "4:13-4:13"},
		{"delete last lines", []analysis.TextEdit{replace(t, "c.yaml", src, "  web:\n    build: .\n", "")}, "2:27-4:13"},
		{"two edits, one suggestion", []analysis.TextEdit{
			replace(t, "c.yaml", src, "build: .", "image: x"),
			{File: "c.yaml", Start: 0, End: 0, NewText: []byte("# head\n")},
		}, "1:1-4:13"},
	}
	for _, tc := range cases {
		d := analysis.Diagnostic{Rule: ruleVersion, Pos: analysis.Position{File: "c.yaml", Line: 1, Column: 1},
			Fix: &analysis.SuggestedFix{Safe: true, Edits: tc.edits}}
		in := Input{Diagnostics: []analysis.Diagnostic{d}, Source: func(string) ([]byte, error) { return []byte(src), nil }}
		var buf bytes.Buffer
		if err := Write(&buf, "rdjson", in, Options{}); err != nil {
			t.Fatal(err)
		}
		var got rdResult
		if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		sugs := got.Diagnostics[0].Suggestions
		var ranges []string
		for _, s := range sugs {
			ranges = append(ranges, fmt.Sprintf("%d:%d-%d:%d", s.Range.Start.Line, s.Range.Start.Column, s.Range.End.Line, s.Range.End.Column))
		}
		if strings.Join(ranges, " ") != tc.want {
			t.Errorf("%s: ranges %v, want %s", tc.name, ranges, tc.want)
		}
		// Applying the suggestions gives what applying the edits gives.
		edits := slices.Clone(tc.edits)
		slices.SortFunc(edits, func(a, b analysis.TextEdit) int { return b.Start - a.Start })
		want := src
		for _, e := range edits {
			want = want[:e.Start] + string(e.NewText) + want[e.End:]
		}
		if applied := applyRD(t, src, sugs); applied != want {
			t.Errorf("%s: suggestions give %q, the edits %q", tc.name, applied, want)
		}
	}
}

// TestRDJSONNoPartialFix: a fix that also edits another file, or whose
// text is unknown or has changed, is named in the message, never
// suggested in part.
func TestRDJSONNoPartialFix(t *testing.T) {
	src := "services:\n  web:\n    build: .\n"
	two := &analysis.SuggestedFix{Message: "split", Safe: true, Edits: []analysis.TextEdit{
		replace(t, "c.yaml", src, "build: .", "image: x"),
		{File: "Dockerfile.code", NewText: []byte("FROM tianon/true\n")},
	}}
	stale := &analysis.SuggestedFix{Message: "stale", Safe: true, Edits: []analysis.TextEdit{{File: "c.yaml", Start: 10, End: 999}}}
	overlap := &analysis.SuggestedFix{Message: "overlap", Safe: true, Edits: []analysis.TextEdit{{File: "c.yaml", Start: 2, End: 6}, {File: "c.yaml", Start: 4, End: 8}}}
	// The change cannot be anchored on a line that exists.
	lastNewline := &analysis.SuggestedFix{Message: "last newline", Safe: true, Edits: []analysis.TextEdit{replace(t, "c.yaml", src, " .\n", "")}}
	for _, tc := range []struct {
		name   string
		fix    *analysis.SuggestedFix
		source func(string) ([]byte, error)
	}{
		{"other file", two, func(string) ([]byte, error) { return []byte(src), nil }},
		{"no source", two, nil},
		{"stale", stale, func(string) ([]byte, error) { return []byte(src), nil }},
		{"overlap", overlap, func(string) ([]byte, error) { return []byte(src), nil }},
		{"last newline", lastNewline, func(string) ([]byte, error) { return []byte(src), nil }},
	} {
		in := Input{Diagnostics: []analysis.Diagnostic{{Rule: ruleBundled, Severity: analysis.Error,
			Pos: analysis.Position{File: "c.yaml", Line: 3, Column: 5}, Message: "m", Fix: tc.fix}}, Source: tc.source}
		var got rdResult
		if err := json.Unmarshal(render(t, "rdjson", in, Options{}), &got); err != nil {
			t.Fatal(err)
		}
		d := got.Diagnostics[0]
		if len(d.Suggestions) != 0 || !strings.HasSuffix(d.Message, "\nfix with `decouple lint --fix`: "+tc.fix.Message) {
			t.Errorf("%s: %+v", tc.name, d)
		}
	}
}
