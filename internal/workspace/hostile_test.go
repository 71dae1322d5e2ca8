package workspace

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// goodDockerfile is a bundled image that every case lints next to the
// hostile file: the rest of the run must still be judged.
const goodDockerfile = "FROM node:24-alpine\nWORKDIR /app\nCOPY . .\nCMD [\"node\", \"a.js\"]\n"

// TestHostileInputs builds inputs too big or too deep for a txtar (see
// testdata/script/hostile_*.txtar for the small ones) and loads each next
// to a good Dockerfile: the hostile file is one fatal error naming it, the
// good one is still loaded, nothing panics, and each load ends in time.
func TestHostileInputs(t *testing.T) {
	deepBlock := func(n int) string {
		// "- - - x": block sequences nested on one line, n deep.
		return "services:\n  app:\n    image: nginx\nx-deep:\n  " + strings.Repeat("- ", n) + "x\n"
	}
	bomb := func() string {
		var b strings.Builder
		b.WriteString("services:\n  app:\n    image: nginx\n")
		b.WriteString(`x-a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]` + "\n")
		for c := 'b'; c <= 'j'; c++ {
			fmt.Fprintf(&b, "x-%c: &%c [%s]\n", c, c, strings.TrimSuffix(strings.Repeat("*"+string(c-1)+",", 10), ","))
		}
		return b.String()
	}
	cases := []struct {
		name    string
		file    string // relative path of the hostile file
		content func() string
		limits  Limits
		want    string // in the error message; "" = loads without error
		line    int
	}{
		{name: "50 MB file", file: "compose.yaml", want: "file is larger than the limit of 10485760 bytes (52428800 bytes)",
			content: func() string {
				return "services:\n  app:\n    image: nginx\nx-pad: |\n" + strings.Repeat("  "+strings.Repeat("a", 1023)+"\n", 50<<10)[:50<<20-len("services:\n  app:\n    image: nginx\nx-pad: |\n")]
			}},
		{name: "50 MB Dockerfile", file: "Dockerfile", want: "file is larger than the limit of 10485760 bytes",
			content: func() string { return "FROM node:24\n" + strings.Repeat("# padding padding padding\n", 2<<20) }},
		{name: "billion laughs", file: "compose.yaml", content: bomb, want: "YAML aliases expand to more than 100000 nodes"},
		{name: "10,000-deep flow nesting", file: "compose.yaml", want: "nesting deeper than the limit of 1000 levels",
			content: func() string {
				return "services:\n  app:\n    image: nginx\nx-deep: " + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + "\n"
			}},
		{name: "5,000-deep block nesting", file: "compose.yaml", content: func() string { return deepBlock(5000) },
			want: "nesting deeper than the limit of 1000 levels"},
		// yaml.v3 stops at 10,000 levels itself.
		{name: "10,000-deep block nesting", file: "compose.yaml", content: func() string { return deepBlock(10000) },
			want: "exceeded max depth of 10000"},
		{name: "2,000-deep block nesting, limit raised", file: "compose.yaml", content: func() string { return deepBlock(2000) },
			limits: Limits{MaxDepth: 5000}},
		{name: "1 MB command line", file: "compose.yaml", want: "command is 1000000 bytes long, more than the limit of 32768", line: 4,
			content: func() string {
				return "services:\n  app:\n    image: nginx\n    command: \"" + strings.Repeat("a", 1_000_000) + "\"\n"
			}},
		{name: "1 MB environment line", file: "compose.yaml",
			content: func() string {
				return "services:\n  app:\n    image: nginx\n    environment:\n      A: \"" + strings.Repeat("a", 1_000_000) + "\"\n"
			}},
		{name: "1 MB Dockerfile line", file: "sub/Dockerfile", want: "dockerfile line greater than max allowed size", line: 3,
			content: func() string {
				return "FROM node:24\nWORKDIR /app\nLABEL x=" + strings.Repeat("a", 1_000_000) + "\nCOPY . .\n"
			}},
		{name: "300 stages", file: "sub/Dockerfile", want: "300 stages, more than the limit of 256",
			content: func() string {
				var b strings.Builder
				for i := range 300 {
					fmt.Fprintf(&b, "FROM alpine AS s%d\n", i)
				}
				return b.String()
			}},
		{name: "10,000 services", file: "compose.yaml",
			content: func() string {
				var b strings.Builder
				b.WriteString("services:\n")
				for i := range 10000 {
					fmt.Fprintf(&b, "  s%d:\n    image: nginx\n", i)
				}
				return b.String()
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, filepath.Join(dir, tc.file), tc.content())
			write(t, filepath.Join(dir, "good", "Dockerfile"), goodDockerfile)
			t.Chdir(dir)
			ws := loadInTime(t, Options{Limits: tc.limits}, 20*time.Second)
			var hostile []*FileError
			for _, e := range ws.Errors {
				if e.Fatal {
					hostile = append(hostile, e)
				}
			}
			if tc.want == "" {
				if len(hostile) > 0 {
					t.Fatalf("want no error, got %v", hostile)
				}
			} else {
				if len(hostile) != 1 || hostile[0].File != tc.file || !strings.Contains(hostile[0].Msg, tc.want) {
					t.Fatalf("want one error on %s containing %q, got %v", tc.file, tc.want, hostile)
				}
				if tc.line > 0 && hostile[0].Line != tc.line {
					t.Errorf("error at line %d, want %d", hostile[0].Line, tc.line)
				}
			}
			if !hasDockerfile(ws, "good/Dockerfile") {
				t.Errorf("good/Dockerfile was not loaded next to the hostile file")
			}
		})
	}
}

// TestUnreadable: a file the run cannot read is an error naming it. As root
// every file is readable, so the case is skipped there (the directory in
// place of a Dockerfile below, and hostile_dockerfile.txtar, cover a read
// that fails whoever runs it).
func TestUnreadable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads a chmod 000 file anyway")
	}
	dir := t.TempDir()
	write(t, filepath.Join(dir, "compose.yaml"), "services:\n  app:\n    image: nginx\n")
	if err := os.Chmod(filepath.Join(dir, "compose.yaml"), 0); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "good", "Dockerfile"), goodDockerfile)
	t.Chdir(dir)
	ws := loadInTime(t, Options{}, 10*time.Second)
	if len(ws.Errors) != 1 || ws.Errors[0].File != "compose.yaml" || !strings.Contains(ws.Errors[0].Msg, "permission denied") {
		t.Fatalf("want a permission error on compose.yaml, got %v", ws.Errors)
	}
	if !hasDockerfile(ws, "good/Dockerfile") {
		t.Errorf("good/Dockerfile was not loaded")
	}
}

// TestDirectoryInPlaceOfFile: a folder where a compose file or Dockerfile
// is expected is an error naming it, not a hang or a crash.
func TestDirectoryInPlaceOfFile(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "compose.yaml"), "services:\n  app:\n    build: .\n")
	if err := os.Mkdir(filepath.Join(dir, "Dockerfile"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	ws := loadInTime(t, Options{}, 10*time.Second)
	found := false
	for _, e := range ws.Errors {
		found = found || (e.File == "Dockerfile" && strings.Contains(e.Msg, "directory"))
	}
	if !found {
		t.Fatalf("want an error naming Dockerfile as a directory, got %v", ws.Errors)
	}
}

// TestMaxFiles: the search stops at --max-files with an error, and what it
// found before is still loaded.
func TestMaxFiles(t *testing.T) {
	dir := t.TempDir()
	for i := range 20 {
		write(t, filepath.Join(dir, fmt.Sprintf("d%02d", i), "Dockerfile"), goodDockerfile)
	}
	t.Chdir(dir)
	ws := loadInTime(t, Options{Limits: Limits{MaxFiles: 5}}, 10*time.Second)
	if len(ws.Dockerfiles) != 5 {
		t.Errorf("loaded %d Dockerfiles, want 5", len(ws.Dockerfiles))
	}
	if len(ws.Errors) != 1 || !strings.Contains(ws.Errors[0].Msg, "more than 5 compose files and Dockerfiles") {
		t.Fatalf("want one max-files error, got %v", ws.Errors)
	}
}

func loadInTime(t *testing.T, opts Options, limit time.Duration) *Workspace {
	t.Helper()
	type result struct {
		ws  *Workspace
		err error
	}
	done := make(chan result, 1)
	start := time.Now()
	go func() {
		ws, err := Load(opts)
		done <- result{ws, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			t.Fatal(r.err)
		}
		t.Logf("loaded in %v", time.Since(start).Round(time.Millisecond))
		return r.ws
	case <-time.After(limit):
		t.Fatalf("Load took more than %v", limit)
		return nil
	}
}

func hasDockerfile(ws *Workspace, rel string) bool {
	for _, d := range ws.Dockerfiles {
		if ws.Rel(d.File.Path) == rel {
			return true
		}
	}
	return false
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
