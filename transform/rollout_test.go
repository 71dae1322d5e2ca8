package transform

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// ComposeFiles names files only when docker compose's default discovery
// (the preferred base name, then one override) would not find them.
func TestComposeFiles(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"compose.yaml", "compose.override.yaml", "docker-compose.yml", "docker-compose.prod.yml"} {
		if err := os.WriteFile(filepath.Join(dir, n), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	abs := func(names ...string) []string {
		var out []string
		for _, n := range names {
			out = append(out, filepath.Join(dir, n))
		}
		return out
	}
	for _, tc := range []struct {
		files, want []string
	}{
		{abs("compose.yaml", "compose.override.yaml"), nil},
		{abs("compose.yaml"), []string{"compose.yaml"}},
		{abs("docker-compose.yml"), []string{"docker-compose.yml"}},
		{abs("docker-compose.prod.yml"), []string{"docker-compose.prod.yml"}},
		{abs("sub/compose.yaml"), []string{"sub/compose.yaml"}},
	} {
		if got := ComposeFiles(osFS{}, dir, tc.files); !slices.Equal(got, tc.want) {
			t.Errorf("ComposeFiles(%v) = %v, want %v", tc.files, got, tc.want)
		}
	}
	// A file a fix creates counts as there.
	empty := t.TempDir()
	if got := ComposeFiles(osFS{}, empty, []string{filepath.Join(empty, "compose.yaml")}); got != nil {
		t.Errorf("a created compose.yaml needs no -f, got %v", got)
	}
	if got := RenewCommand([]string{"my app/compose.yaml"}, []string{"web", "web-code"}); got != "`docker compose -f 'my app/compose.yaml' up -d --build -V web web-code`" {
		t.Errorf("RenewCommand = %s", got)
	}
}
