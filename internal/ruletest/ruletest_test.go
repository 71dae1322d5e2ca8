package ruletest

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/decouple-dev/decouple/rules"
)

// TestCheckFails proves the runner can fail: each archive in testdata holds
// a wrong expectation, and Check must name exactly what is wrong.
func TestCheckFails(t *testing.T) {
	dc002, dc004 := lookup(t, "DC002"), lookup(t, "DC004")
	tests := []struct {
		archive string
		rule    *rules.Rule
		want    []string // the problems, each a prefix
	}{
		{"right", dc004, nil},
		{"right_fix", dc002, nil},
		{"wrong_column", dc004, []string{
			"compose.yaml:3:12: unexpected warning diagnostic: service \"a\" image node names no Node major",
			"compose.yaml:3:5: no diagnostic matching \"names no Node major\" (expected by the comment on line 3)",
		}},
		{"wrong_message", dc004, []string{
			"compose.yaml:3:12: unexpected warning diagnostic: service \"a\" image node names",
			"compose.yaml:3:12: no diagnostic matching \"is Node 8\"",
		}},
		{"wrong_line", dc004, []string{
			"Dockerfile:1:1: unexpected warning diagnostic: FROM node:lts names no Node major",
			"Dockerfile:3: no diagnostic matching \"names no Node major\" (expected by the comment on line 2)",
		}},
		{"wrong_severity", dc004, []string{
			"compose.yaml:3:12: unexpected warning diagnostic",
			"compose.yaml:3:12: no error diagnostic matching",
		}},
		{"missing", dc004, []string{
			"compose.yaml:3:12: no diagnostic matching \"names no Node major\"",
			"want/compose.yaml: the fixes leave compose.yaml unchanged, and it differs from the section",
		}},
		{"unexpected", dc004, []string{"compose.yaml:3:12: unexpected warning diagnostic: service \"a\" image node names no Node major"}},
		{"fix_mismatch", dc002, []string{".dockerignore after the fixes:\nnode_modules\n.git\n\nwant:\nnode_modules\n.git/\n"}},
		{"fix_unlisted", dc002, []string{
			"the fixes change .dockerignore, which has no want/.dockerignore section; it becomes:\nnode_modules\n.git\n",
			"want/extra.txt: the fixes do not create extra.txt",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.archive, func(t *testing.T) {
			res, err := Check(t, filepath.Join("testdata", tt.archive+".txtar"), tt.rule)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Problems) != len(tt.want) {
				t.Fatalf("got %d problems, want %d:\n%s", len(res.Problems), len(tt.want), strings.Join(res.Problems, "\n"))
			}
			for i, p := range res.Problems {
				if !strings.HasPrefix(p, tt.want[i]) {
					t.Errorf("problem %d:\ngot  %s\nwant %s…", i, p, tt.want[i])
				}
			}
		})
	}
}

// TestCheckBadArchive: a `# want` that is not a quoted regexp, or one with
// no line after it, is an error, not a silent pass.
func TestCheckBadArchive(t *testing.T) {
	if _, err := Check(t, filepath.Join("testdata", "bad_want.txtar"), lookup(t, "DC004")); err == nil || !strings.Contains(err.Error(), "compose.yaml:3: want: expected a quoted regexp") {
		t.Errorf("bad want: err = %v", err)
	}
	if _, err := parseWants("Dockerfile", []byte("FROM node:22\n# want \"x\"")); err == nil || !strings.Contains(err.Error(), "Dockerfile:2: a `# want` comment on its own line must be followed") {
		t.Errorf("trailing want: err = %v", err)
	}
}

func lookup(t *testing.T, code string) *rules.Rule {
	t.Helper()
	for _, r := range rules.All() {
		if r.Code == code {
			return r
		}
	}
	t.Fatalf("no rule %s", code)
	return nil
}

func TestParseExpectations(t *testing.T) {
	ws, err := parseExpectations(`"a" :5 info "b\"c" ` + "`d`")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, w := range ws {
		sev := "-"
		if w.sev != nil {
			sev = w.sev.String()
		}
		got = append(got, fmt.Sprintf("%d %s %s", w.col, sev, w.rawRe))
	}
	if want := `0 - a|5 info b"c|0 - d`; strings.Join(got, "|") != want {
		t.Errorf("got %q, want %q", strings.Join(got, "|"), want)
	}
	for _, bad := range []string{"", ":x \"a\"", "bogus \"a\"", "\"a", "\"(\""} {
		if _, err := parseExpectations(bad); err == nil {
			t.Errorf("parseExpectations(%q) accepted", bad)
		}
	}
}
