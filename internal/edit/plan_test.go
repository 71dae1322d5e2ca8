package edit

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/decouple-dev/decouple/internal/analysis"
)

func edAt(file string, start, end int, text string) analysis.TextEdit {
	return analysis.TextEdit{File: file, Start: start, End: end, NewText: []byte(text)}
}

func TestPlan(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "compose.yml"), "services:\n  web: {}\n", 0o644)
	writeFile(t, filepath.Join(dir, "app", "run.sh"), "echo hi\n", 0o755)
	writeFile(t, filepath.Join(dir, "same.txt"), "keep\n", 0o644)

	changes, err := Plan(dir, []analysis.TextEdit{
		edAt("app/run.sh", 5, 7, "bye"),
		edAt("./compose.yml", 0, 0, "# fixed\n"),
		edAt("compose.yml", 17, 19, "{ image: x }"),
		edAt(filepath.Join("app", "Dockerfile"), 0, 0, "FROM scratch\n"),
		edAt("same.txt", 0, 4, "keep"), // changes nothing: left out
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []Change{
		{Path: "app/Dockerfile", New: []byte("FROM scratch\n"), Mode: 0o644},
		{Path: "app/run.sh", Old: []byte("echo hi\n"), New: []byte("echo bye\n"), Exists: true, Mode: 0o755},
		{Path: "compose.yml", Old: []byte("services:\n  web: {}\n"), New: []byte("# fixed\nservices:\n  web: { image: x }\n"), Exists: true, Mode: 0o644},
	}
	if len(changes) != len(want) {
		t.Fatalf("got %d changes, want %d: %+v", len(changes), len(want), changes)
	}
	for i, c := range changes {
		w := want[i]
		if c.Path != w.Path || !bytes.Equal(c.Old, w.Old) || !bytes.Equal(c.New, w.New) || c.Exists != w.Exists || c.Mode != w.Mode {
			t.Errorf("change %d:\ngot  %+v\nwant %+v", i, c, w)
		}
	}
}

func TestPlanErrors(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "compose.yml"), "services: {}\n", 0o644)
	outside := t.TempDir()
	writeFile(t, filepath.Join(outside, "secret.yml"), "x\n", 0o644)
	symlink(t, filepath.Join(outside, "secret.yml"), filepath.Join(dir, "abs-link.yml"))
	symlink(t, filepath.Join("..", filepath.Base(outside), "secret.yml"), filepath.Join(dir, "rel-link.yml"))
	symlink(t, filepath.Join("..", filepath.Base(outside)), filepath.Join(dir, "linkdir"))
	symlink(t, "missing.yml", filepath.Join(dir, "dangling.yml"))
	if err := os.Mkdir(filepath.Join(dir, "folder"), 0o755); err != nil {
		t.Fatal(err)
	}

	abs := filepath.Join(dir, "compose.yml")
	for _, tc := range []struct {
		name string
		edit analysis.TextEdit
		want string
	}{
		{"empty name", edAt("", 0, 0, "x"), "empty file name"},
		{"absolute path", edAt(abs, 0, 0, "x"), "relative to the root"},
		{"dot-dot escape", edAt("../compose.yml", 0, 0, "x"), "relative to the root"},
		{"hidden dot-dot escape", edAt("a/../../x.yml", 0, 0, "x"), "relative to the root"},
		{"the root itself", edAt(".", 0, 0, "x"), "relative to the root"},
		{"absolute symlink", edAt("abs-link.yml", 0, 0, "x"), "abs-link.yml"},
		{"escaping symlink", edAt("rel-link.yml", 0, 0, "x"), "rel-link.yml"},
		{"escaping folder link", edAt("linkdir/secret.yml", 0, 0, "x"), "linkdir"},
		{"dangling symlink", edAt("dangling.yml", 0, 0, "x"), "dangling"},
		{"folder", edAt("folder", 0, 0, "x"), "not a regular file"},
		{"new file edited past 0", edAt("new.yml", 1, 1, "x"), "does not exist"},
		{"out of range", edAt("compose.yml", 0, 100, "x"), "compose.yml"},
		{"overlap", edAt("compose.yml", 0, 5, "x"), "overlap"},
	} {
		edits := []analysis.TextEdit{tc.edit}
		if tc.name == "overlap" {
			edits = append(edits, edAt("compose.yml", 3, 8, "y"))
		}
		_, err := Plan(dir, edits)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got error %v, want one mentioning %q", tc.name, err, tc.want)
		}
	}
	if _, err := Plan(dir, []analysis.TextEdit{edAt("../x", 0, 0, "")}); !errors.Is(err, ErrPath) {
		t.Errorf("escape: got %v, want ErrPath", err)
	}
}

func TestPlanFollowsSymlinkInsideRoot(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "real", "compose.yml"), "a: 1\n", 0o600)
	symlink(t, filepath.Join("real", "compose.yml"), filepath.Join(dir, "compose.yml"))
	changes, err := Plan(dir, []analysis.TextEdit{edAt("compose.yml", 3, 4, "2")})
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 1 || string(changes[0].Old) != "a: 1\n" || string(changes[0].New) != "a: 2\n" || changes[0].Mode != 0o600 {
		t.Errorf("got %+v", changes)
	}
}

func TestCleanPath(t *testing.T) {
	ok := map[string]string{
		"compose.yml":        "compose.yml",
		"./compose.yml":      "compose.yml",
		"a/./b/../c.yml":     "a/c.yml",
		"a//b.yml":           "a/b.yml",
		"dir/compose.yml":    "dir/compose.yml",
		"..dotted/x":         "..dotted/x",
		"a/b/../../c/../d.y": "d.y",
	}
	if runtime.GOOS == "windows" {
		ok[`dir\compose.yml`] = "dir/compose.yml"
	}
	for in, want := range ok {
		got, err := cleanPath(in)
		if err != nil || got != want {
			t.Errorf("cleanPath(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", ".", "..", "../a", "a/../..", "/etc/passwd", "a/../../b"} {
		if got, err := cleanPath(in); !errors.Is(err, ErrPath) {
			t.Errorf("cleanPath(%q) = %q, %v; want ErrPath", in, got, err)
		}
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("cannot create symbolic links: %v", err)
	}
}
