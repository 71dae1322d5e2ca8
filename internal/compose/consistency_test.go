package compose

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// compose-go names the broken service its map iteration meets first; the
// note must not change from run to run on the same input. Five broken
// services make a stable answer by chance unlikely (1 in 5 per load).
func TestDegradedNoteIsStable(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "compose.yaml")
	src := "services:\n  e:\n    networks: [n]\n  b:\n    networks: [n]\n  c:\n    networks: [n]\n" +
		"  d:\n    image: x\n    volumes: [nope:/data]\n  a:\n    networks: [n]\nnetworks:\n  n: {}\n"
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, fast := range []bool{true, false} {
		for range 8 {
			p, err := LoadLimited([]string{path}, Limits{NoFastPath: !fast})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(p.Degraded, `service "e" has neither an image nor a build context specified`) || p.DegradedAt.Line != 2 {
				t.Fatalf("fast path %v: note %q at line %d; want the first broken service in file order, e, at line 2", fast, p.Degraded, p.DegradedAt.Line)
			}
		}
	}
}
