package verify

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/decouple-dev/decouple/internal/edit"
)

func tree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// change is a planned change of a file under dir: its content now, if any,
// becomes Old.
func change(t *testing.T, dir, path, content string) edit.Change {
	t.Helper()
	old, err := os.ReadFile(filepath.Join(dir, path))
	exists := err == nil
	return edit.Change{Path: path, Old: old, New: []byte(content), Exists: exists}
}

func TestCheck(t *testing.T) {
	dir := tree(t, map[string]string{
		"compose.yaml":          "services:\n  web:\n    image: node:22\n",
		"broken/compose.yaml":   "services:\n  web:\n    image: node:22\n    env_file: missing.env\n    bogus: 1\n",
		"Dockerfile":            "FROM node:22\nCOPY . /app\n",
		"base/compose.yaml":     "services:\n  web:\n    image: node:22\n",
		"base/compose.dev.yaml": "services:\n  web:\n    working_dir: /app\n",
		"dup/compose.yaml":      "services:\n  web:\n    image: node:22\n    image: node:24\n",
	})
	projects := [][]string{{filepath.Join(dir, "base/compose.yaml"), filepath.Join(dir, "base/compose.dev.yaml")}}
	for _, tc := range []struct {
		name   string
		change edit.Change
		want   string // "" for a pass, else text of the failure
	}{
		{"valid change", change(t, dir, "compose.yaml", "services:\n  web:\n    image: node:24\n"), ""},
		{"two services keys", change(t, dir, "compose.yaml", "services:\n  a:\n    image: x\nservices:\n  b:\n    image: y\n"),
			`compose.yaml does not pass compose-go: compose.yaml:4: invalid YAML: mapping key "services" already defined`},
		{"schema", change(t, dir, "compose.yaml", "services:\n  web:\n    image: node:22\n    bogus: 1\n"),
			"compose.yaml does not pass compose-go"},
		{"created and invalid", change(t, dir, "new/compose.yaml", "services:\n  web:\n    build: [1]\n"),
			"new/compose.yaml does not pass compose-go"},
		// It did not validate before (bogus: 1): held to what it was.
		{"already failing", change(t, dir, "broken/compose.yaml", "services:\n  web:\n    image: node:24\n    env_file: missing.env\n    bogus: 1\n"), ""},
		// A variant that does not stand alone passes as part of its project.
		{"variant with its base", change(t, dir, "base/compose.dev.yaml", "services:\n  web:\n    working_dir: /srv\n"), ""},
		{"variant breaks its project", change(t, dir, "base/compose.dev.yaml", "services:\n  web:\n    working_dir: [1]\n"),
			"base/compose.dev.yaml (loaded with base/compose.yaml) does not pass compose-go"},
		// A key given twice: Compose v2 refuses it before and after, but
		// it loads as Compose v1 read it, and must still load that way.
		{"v1 duplicates kept", change(t, dir, "dup/compose.yaml", "services:\n  web:\n    image: node:22\n    image: node:26\n"), ""},
		{"v1 duplicates broken", change(t, dir, "dup/compose.yaml", "services:\n  web:\n    image: node:22\n    image: node:24\n    bogus: 1\n"),
			"dup/compose.yaml does not pass compose-go"},
		{"created Dockerfile", change(t, dir, "Dockerfile.code", "FROM node:22\nCOPY --from=0 /app /app\nVOLUME /app\n"), ""},
		{"created Dockerfile without FROM", change(t, dir, "Dockerfile.code", "COPY . /app\n"),
			"Dockerfile.code does not pass BuildKit's Dockerfile parser"},
		{"changed Dockerfile breaks", change(t, dir, "Dockerfile", "FROM node:22\nCOPY --bogus=1 . /app\n"),
			"Dockerfile does not pass BuildKit's Dockerfile parser: line 2"},
		{"other files are not judged", change(t, dir, ".dockerignore", "node_modules\n"), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Check(dir, []edit.Change{tc.change}, Options{Projects: projects})
			if tc.want == "" {
				if err != nil {
					t.Fatalf("want a pass, got %v", err)
				}
				return
			}
			var f *Failure
			if !errors.As(err, &f) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want a *Failure containing %q, got %v", tc.want, err)
			}
			if strings.Contains(err.Error(), dir) {
				t.Errorf("the message shows the absolute root: %v", err)
			}
		})
	}
}

// The first failing file by path is reported, whatever the order of the
// changes.
func TestCheckReportsFirstByPath(t *testing.T) {
	dir := tree(t, nil)
	bad := "services: [\n"
	err := Check(dir, []edit.Change{
		{Path: "z/compose.yaml", New: []byte(bad)},
		{Path: "a/compose.yaml", New: []byte(bad)},
	}, Options{})
	var f *Failure
	if !errors.As(err, &f) || f.Path != "a/compose.yaml" {
		t.Fatalf("want a/compose.yaml, got %v", err)
	}
}

// With a docker binary, `docker compose config -q` judges compose files
// too: a fake binary that refuses files holding "refuse-me" stands in for
// Compose here.
func TestCheckWithDockerCompose(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the fake docker is a shell script")
	}
	bin := t.TempDir()
	docker := filepath.Join(bin, "docker")
	script := "#!/bin/sh\n" +
		"# decouple's test double for `docker compose config -q`\n" +
		"[ \"$1\" = compose ] || exit 3\n" +
		"prev=\nfor a in \"$@\"; do if [ \"$prev\" = -f ] && grep -q refuse-me \"$a\"; then echo \"refused by compose: $a\" >&2; exit 1; fi; prev=$a; done\n" +
		"exit 0\n"
	if err := os.WriteFile(docker, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	dir := tree(t, map[string]string{"compose.yaml": "services:\n  web:\n    image: node:22\n"})
	ok := change(t, dir, "compose.yaml", "services:\n  web:\n    image: node:24\n")
	if err := Check(dir, []edit.Change{ok}, Options{Docker: docker}); err != nil {
		t.Fatalf("want a pass, got %v", err)
	}
	bad := change(t, dir, "compose.yaml", "services:\n  web:\n    image: node:24\n    labels: [refuse-me]\n")
	err := Check(dir, []edit.Change{bad}, Options{Docker: docker})
	if err == nil || !strings.Contains(err.Error(), "compose.yaml does not pass docker compose config: refused by compose: compose.yaml") {
		t.Fatalf("want docker compose's refusal naming the real file, got %v", err)
	}
	// Without the binary the same plan passes: compose-go accepts it.
	if err := Check(dir, []edit.Change{bad}, Options{}); err != nil {
		t.Fatalf("compose-go alone: %v", err)
	}
}
