package baseline

import (
	"path/filepath"
	"testing"

	"github.com/decouple-dev/decouple/internal/analysis"
)

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{
		"runs node:22-alpine (api/Dockerfile:1) with COPY . . (api/Dockerfile:3:5)": "runs node:22-alpine (api/Dockerfile) with COPY . . (api/Dockerfile)",
		"image node:20 is past its end of life":                                     "image node:20 is past its end of life",
		"see compose.yaml:12, then Dockerfile:4":                                    "see compose.yaml, then Dockerfile",
	} {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	r := &analysis.Rule{Code: "DC001"}
	d := func(line int, svc, msg string) analysis.Diagnostic {
		return analysis.Diagnostic{Rule: r, Pos: analysis.Position{File: "c.yml", Line: line}, Service: svc, Message: msg}
	}
	file := filepath.Join(t.TempDir(), "b.json")
	if err := Write(file, []analysis.Diagnostic{d(3, "a", "x (Dockerfile:1)"), d(5, "a", "x (Dockerfile:1)"), d(7, "b", "y")}); err != nil {
		t.Fatal(err)
	}
	b, err := Read(file)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Findings) != 2 || b.Findings[0].Count != 2 {
		t.Fatalf("findings = %+v", b.Findings)
	}
	got := b.Filter([]analysis.Diagnostic{d(10, "a", "x (Dockerfile:2)"), d(11, "a", "x (Dockerfile:2)"), d(12, "a", "x (Dockerfile:2)"), d(1, "b", "y"), d(2, "c", "y")})
	if len(got) != 2 || got[0].Pos.Line != 12 || got[1].Service != "c" {
		t.Errorf("Filter = %+v", got)
	}
}

// TestFilterStageCase: a baseline written when stages were quoted lower-
// cased (prd) still holds findings that quote them as written (PRD).
func TestFilterStageCase(t *testing.T) {
	r := &analysis.Rule{Code: "DC001"}
	b := &File{Version: Version, Findings: []Entry{{Rule: "DC001", File: "Dockerfile", Dockerfile: "Dockerfile", Stage: "prd", Message: `the final stage "prd" runs node:22`, Count: 1}}}
	d := analysis.Diagnostic{Rule: r, Pos: analysis.Position{File: "Dockerfile", Line: 6}, Dockerfile: "Dockerfile", Stage: "PRD", Message: `the final stage "PRD" runs node:22`}
	if got := b.Filter([]analysis.Diagnostic{d}); len(got) != 0 {
		t.Errorf("Filter kept %+v", got)
	}
}
