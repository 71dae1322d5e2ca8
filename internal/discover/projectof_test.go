package discover

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestProjectOf(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"compose.yaml", "compose.override.yaml", "docker-compose.dev.yml", "notes.yml"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("services: {}\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	rel := func(files []string) string {
		var out []string
		for _, f := range files {
			out = append(out, filepath.Base(f))
		}
		return strings.Join(out, " ")
	}
	for _, tc := range []struct{ name, want string }{
		{"compose.yaml", "compose.yaml compose.override.yaml"},
		{"compose.override.yaml", "compose.yaml compose.override.yaml"},
		{"docker-compose.dev.yml", "docker-compose.dev.yml"},
		{"stack.yml", "stack.yml"}, // need not exist
	} {
		if got := rel(ProjectOf(filepath.Join(dir, tc.name))); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestKindOfText(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      Kind
	}{
		{"Dockerfile", "services: {}", Dockerfile},
		{"x.yml", "FROM node", Compose},
		{"build.txt", "# c\n\nARG V=1\nFROM node:${V}", Dockerfile},
		{"stdin", "services:\n  a: {}", Compose},
	} {
		if got := KindOfText(tc.name, []byte(tc.src)); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}
