package rules

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/decouple-dev/decouple/internal/analysis"
	"github.com/decouple-dev/decouple/internal/workspace"
)

// nvRun writes files into a fresh folder, loads it as the working folder
// and runs one rule on the given day. Findings come back sorted by place.
func nvRun(t *testing.T, r *Rule, today string, files map[string]string) []analysis.Diagnostic {
	t.Helper()
	return nvRunWith(t, r, today, nil, files)
}

// nvRunWith is nvRun with an EOL window (nil: the default).
func nvRunWith(t *testing.T, r *Rule, today string, window *time.Duration, files map[string]string) []analysis.Diagnostic {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	day, err := ParseDay(today)
	if err != nil {
		t.Fatal(err)
	}
	ws, err := workspace.Load(workspace.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ws.Errors {
		if e.Fatal {
			t.Fatalf("load: %v", e)
		}
	}
	diags := Run(ws, []*Rule{r}, Settings{Today: day, EOLWindow: window})
	sort.SliceStable(diags, func(i, j int) bool {
		a, b := diags[i].Pos, diags[j].Pos
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Line < b.Line
	})
	return diags
}

// nvBrief is a finding as tests compare it: place, severity, message.
func nvBrief(d analysis.Diagnostic) string {
	return fmt.Sprintf("%s %s %s", d.Pos, d.Severity, d.Message)
}

// eolDates are the end-of-life days of every line, typed in from the
// Node.js release schedule independently of the embedded data.
var eolDates = []struct{ major, tag, end string }{
	{"0.8", "0.8.28", "2014-07-31"},
	{"0.10", "0.10.48", "2016-10-31"},
	{"0.12", "0.12.18", "2016-12-31"},
	{"4", "4.2.2", "2018-04-30"},
	{"5", "5.12.0", "2016-06-30"},
	{"6", "6.17.1", "2019-04-30"},
	{"7", "7.10.1", "2017-06-30"},
	{"8", "8.17.0", "2019-12-31"},
	{"9", "9.11.2", "2018-06-30"},
	{"10", "10.24.1", "2021-04-30"},
	{"11", "11.15.0", "2019-06-01"},
	{"12", "12.22.12", "2022-04-30"},
	{"13", "13.14.0", "2020-06-01"},
	{"14", "14.21.3", "2023-04-30"},
	{"15", "15.14.0", "2021-06-01"},
	{"16", "16.20.2", "2023-09-11"},
	{"17", "17.9.1", "2022-06-01"},
	{"18", "18.20.4", "2025-04-30"},
	{"19", "19.9.0", "2023-06-01"},
	{"20", "20.11.1", "2026-04-30"},
	{"21", "21.7.3", "2024-06-01"},
	{"22", "22.11.0", "2027-04-30"},
	{"23", "23.11.1", "2025-06-01"},
	{"24", "24.1.0", "2028-04-30"},
	{"25", "25.2.1", "2026-06-01"},
	{"26", "26", "2029-04-30"},
	{"27", "27", "2030-04-30"},
}

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// Every line, each on three days around its end of life, through the rule:
// nothing before the window, info inside it, a warning from the day on.
func TestNodeEOLEveryMajor(t *testing.T) {
	for _, l := range eolDates {
		end := day(l.end)
		for _, c := range []struct {
			day  time.Time
			want string // "" for no finding
		}{
			{end.AddDate(0, 0, -91), ""},
			{end.AddDate(0, 0, -90), "info"},
			{end.AddDate(0, 0, -1), "info"},
			{end, "warning"},
			{end.AddDate(3, 0, 0), "warning"},
		} {
			today := c.day.Format(time.DateOnly)
			if l.major == "27" && c.day.Before(day("2027-04-22")) {
				c.want = "" // not released yet
			}
			t.Run(l.major+"@"+today, func(t *testing.T) {
				diags := nvRun(t, nodeEOL, today, map[string]string{
					"Dockerfile": "FROM node:" + l.tag + "\nCMD [\"node\", \"server.js\"]\n",
				})
				if c.want == "" {
					if len(diags) != 0 {
						t.Fatalf("want no finding, got %s", nvBrief(diags[0]))
					}
					return
				}
				if len(diags) != 1 {
					t.Fatalf("want one finding, got %d", len(diags))
				}
				d := diags[0]
				if d.Severity.String() != c.want {
					t.Errorf("severity %s, want %s: %s", d.Severity, c.want, d.Message)
				}
				if !strings.Contains(d.Message, l.end) || !strings.Contains(d.Message, "Node "+l.major) {
					t.Errorf("message lacks the line or its date %s: %s", l.end, d.Message)
				}
				if d.Pos != (analysis.Position{File: "Dockerfile", Line: 1, Column: 1}) {
					t.Errorf("position %v", d.Pos)
				}
			})
		}
	}
}

// All lines on one fixed day, with the oldest supported LTS named.
func TestNodeEOLFixedDay(t *testing.T) {
	const today = "2026-11-27"
	for _, l := range eolDates {
		t.Run(l.major, func(t *testing.T) {
			diags := nvRun(t, nodeEOL, today, map[string]string{
				"compose.yaml": "services:\n  app:\n    image: node:" + l.tag + "\n    volumes: [\"./:/app\"]\n",
			})
			eol := !day(l.end).After(day(today))
			if !eol {
				if len(diags) != 0 {
					t.Fatalf("want none, got %s", nvBrief(diags[0]))
				}
				return
			}
			if len(diags) != 1 {
				t.Fatalf("want one finding, got %d", len(diags))
			}
			want := fmt.Sprintf("compose.yaml:3:12 warning service \"app\" image node:%s is Node %s", l.tag, l.major)
			if got := nvBrief(diags[0]); !strings.HasPrefix(got, want) || !strings.HasSuffix(got, "the oldest supported LTS is Node 22 (jod), supported until 2027-04-30") {
				t.Errorf("got  %s\nwant %s…", got, want)
			}
		})
	}
}

func TestNodeEOL(t *testing.T) {
	const today = "2026-11-27"
	tests := []struct {
		name  string
		files map[string]string
		want  []string // "file:line:col severity message-prefix"
	}{
		{
			name: "the major in the name: distroless",
			files: map[string]string{
				"Dockerfile": "FROM gcr.io/distroless/nodejs18-debian12\nCOPY . /app\n",
			},
			want: []string{"Dockerfile:1:1 warning FROM gcr.io/distroless/nodejs18-debian12 is Node 18 (hydrogen), which reached end of life on 2025-04-30"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			diags := nvRun(t, nodeEOL, today, tt.files)
			var got []string
			for _, d := range diags {
				got = append(got, nvBrief(d))
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d findings, want %d:\n%s", len(got), len(tt.want), strings.Join(got, "\n"))
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tt.want[i]) {
					t.Errorf("finding %d:\ngot  %s\nwant %s…", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestNodeEOLWindow(t *testing.T) {
	files := map[string]string{"Dockerfile": "FROM node:22-alpine\n"}
	diags := nvRun(t, nodeEOL, "2027-03-01", files)
	if len(diags) != 1 || diags[0].Severity != analysis.Info ||
		!strings.HasPrefix(diags[0].Message, "FROM node:22-alpine is Node 22 (jod), which reaches end of life on 2027-04-30 (in 60 days); the next supported LTS is Node 24 (krypton)") {
		t.Fatalf("got %v", diags)
	}
	month := 30 * 24 * time.Hour
	if diags := nvRunWith(t, nodeEOL, "2027-03-01", &month, files); len(diags) != 0 {
		t.Fatalf("a 30-day window still reports: %v", diags)
	}
	var off time.Duration
	if diags := nvRunWith(t, nodeEOL, "2027-04-29", &off, files); len(diags) != 0 {
		t.Fatalf("a zero window still reports: %v", diags)
	}
	// Past the end of life, DC003 reports whatever the window.
	if diags := nvRunWith(t, nodeEOL, "2027-05-01", &off, files); len(diags) != 1 || diags[0].Severity == analysis.Info {
		t.Fatalf("an EOL line with a zero window: %v", diags)
	}
}

func TestParseDay(t *testing.T) {
	if _, err := ParseDay("2020-02-30"); err == nil {
		t.Error("ParseDay accepted 2020-02-30")
	}
	if d, err := ParseDay("2024-05-06"); err != nil || d.Format(time.DateOnly) != "2024-05-06" {
		t.Errorf("ParseDay(2024-05-06) = %v, %v", d, err)
	}
	if (Settings{}).today().IsZero() || time.Since((Settings{}).today()) > time.Minute {
		t.Error("unset Today is not the clock")
	}
	if (Settings{}).eolWindow() != DefaultEOLWindow {
		t.Error("unset EOLWindow is not the default")
	}
}
