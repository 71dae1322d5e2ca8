package transform

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestMissingIgnoresMemo: the answer for an ignore file's text is the same
// whether computed or remembered, per context, and a caller that changes
// the slice it got changes no later answer.
func TestMissingIgnoresMemo(t *testing.T) {
	cases := map[string][]string{
		"":                                 {".git", "node_modules"},
		"node_modules\n":                   {".git"},
		"**/node_modules\n.git\n":          nil,
		".git\nnode_modules\n!.git/HEAD\n": nil,
		"dist\n":                           {".git", "node_modules"},
	}
	for text, want := range cases {
		for round := 0; round < 3; round++ {
			dir := t.TempDir()
			if text != "" {
				if err := os.WriteFile(filepath.Join(dir, ".dockerignore"), []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			path, got := MissingIgnores(osFS{}, dir, filepath.Join(dir, "Dockerfile"))
			if path != filepath.Join(dir, ".dockerignore") || !reflect.DeepEqual(got, want) {
				t.Errorf("%q, round %d: got %s %v, want %v", text, round, path, got, want)
			}
			for i := range got {
				got[i] = "changed"
			}
		}
	}
}
