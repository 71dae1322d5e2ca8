package suppress

import (
	"strconv"
	"strings"
	"testing"

	"github.com/decouple-dev/decouple/internal/analysis"
)

func resolve(id string) string {
	switch strings.ToUpper(id) {
	case "DC001", "NODE-RUNTIME-BUNDLED":
		return "DC001"
	case "DC002":
		return "DC002"
	}
	return ""
}

func TestParse(t *testing.T) {
	src := "a: 1 # decouple:ignore dc001, DC002 -- why not\r\n  #decouple:ignore-file node-runtime-bundled -- all\n# decouple:ignore DC001\n# decouple:ignore XX -- r\nx: '#decouple:ignore'\n"
	ds := Parse("f", []byte(src), resolve)
	if len(ds) != 4 {
		t.Fatalf("got %d directives", len(ds))
	}
	if d := ds[0]; d.Line != 1 || d.Column != 6 || d.Own || d.Whole || d.Reason != "why not" || strings.Join(d.Codes, ",") != "DC001,DC002" || d.Problem != "" {
		t.Errorf("0: %+v", d)
	}
	if d := ds[1]; !d.Own || !d.Whole || d.Codes[0] != "DC001" || d.Problem != "" {
		t.Errorf("1: %+v", d)
	}
	if d := ds[2]; !strings.Contains(d.Problem, "no reason") {
		t.Errorf("2: %+v", d)
	}
	if d := ds[3]; !strings.Contains(d.Problem, `unknown rule "XX"`) {
		t.Errorf("3: %+v", d)
	}
}

func diag(code string, line int) analysis.Diagnostic {
	return analysis.Diagnostic{Rule: &analysis.Rule{Code: code}, Pos: analysis.Position{File: "f", Line: line}}
}

func TestApply(t *testing.T) {
	src := strings.Join([]string{
		"# decouple:ignore DC001 -- a",      // 1: stacked, applies to line 3
		"# decouple:ignore DC002 -- b",      // 2
		"build: .",                          // 3
		"x: 1 # decouple:ignore DC001 -- c", // 4: unused
		"# decouple:ignore DC001",           // 5: invalid
		"image: node",                       // 6
		"# decouple:ignore-file DC002 -- d", // 7
	}, "\n")
	reads := 0
	kept, meta := Apply(
		[]analysis.Diagnostic{diag("DC001", 3), diag("DC002", 3), diag("DC001", 6), diag("DC002", 9)},
		Options{Resolve: resolve, Read: func(string) ([]byte, error) { reads++; return []byte(src), nil },
			Files: []string{"f"}, Ran: map[string]bool{"DC001": true, "DC002": true}})
	if reads != 1 {
		t.Errorf("read %d times", reads)
	}
	if len(kept) != 1 || kept[0].Pos.Line != 6 {
		t.Errorf("kept = %+v", kept)
	}
	var got []string
	for _, m := range meta {
		got = append(got, m.Rule.Code+":"+string(rune('0'+m.Pos.Line)))
	}
	if strings.Join(got, " ") != "DC901:4 DC900:5" {
		t.Errorf("meta = %v", got)
	}
}

// TestApplyScopes: a directive above a scope's head line (alone or in a
// stack of own-line directives) or at the end of that line covers every
// finding inside the scope; one that covers nothing is still DC901.
func TestApplyScopes(t *testing.T) {
	src := strings.Join([]string{
		"services:",                               // 1
		"  # decouple:ignore DC001 -- a",          // 2: heads web
		"  # decouple:ignore DC002 -- b",          // 3: stacked, heads web
		"  web:",                                  // 4
		"    build: .",                            // 5
		"    image: x",                            // 6
		"  db: # decouple:ignore DC001 -- c",      // 7: heads db, nothing to cover
		"    image: postgres",                     // 8
		"  api:",                                  // 9
		"    # decouple:ignore DC002 -- d",        // 10: line scope only
		"    build: api",                          // 11
		"    ports: [1]",                          // 12
		"x-other: 1 # decouple:ignore DC001 -- e", // 13: heads no scope
	}, "\n")
	scopes := []Scope{{4, 6}, {7, 8}, {9, 12}}
	kept, meta := Apply(
		[]analysis.Diagnostic{diag("DC001", 5), diag("DC002", 6), diag("DC001", 11), diag("DC002", 11), diag("DC002", 12), diag("DC001", 1)},
		Options{Resolve: resolve, Read: func(string) ([]byte, error) { return []byte(src), nil },
			Ran:    map[string]bool{"DC001": true, "DC002": true},
			Scopes: func(string, []byte) []Scope { return scopes }})
	var got []string
	for _, d := range kept {
		got = append(got, d.Rule.Code+":"+strconv.Itoa(d.Pos.Line))
	}
	if strings.Join(got, " ") != "DC001:11 DC002:12 DC001:1" {
		t.Errorf("kept = %v", got)
	}
	got = nil
	for _, m := range meta {
		got = append(got, m.Rule.Code+":"+strconv.Itoa(m.Pos.Line))
	}
	if strings.Join(got, " ") != "DC901:7 DC901:13" {
		t.Errorf("meta = %v", got)
	}
}
