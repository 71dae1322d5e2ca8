package edit

import (
	"bytes"
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// BenchmarkCommit rewrites 3,000 files spread over 1,000 nested folders,
// the shape of a large --fix run; each iteration swaps every file between
// two contents.
func BenchmarkCommit(b *testing.B) {
	dir := b.TempDir()
	var ab [2][]Change
	for i := range 3000 {
		name := fmt.Sprintf("d%d/e%d/f%d/compose-%d.yml", i%10, i/10%10, i/100%10, i/1000)
		a := bytes.Repeat([]byte(fmt.Sprintf("services: # %s\n", name)), 40)
		c := bytes.Replace(a, []byte("services"), []byte("SERVICES"), 1)
		full := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(full, a, 0o644); err != nil {
			b.Fatal(err)
		}
		ab[0] = append(ab[0], Change{Path: name, Old: a, New: c, Exists: true, Mode: 0o644})
		ab[1] = append(ab[1], Change{Path: name, Old: c, New: a, Exists: true, Mode: 0o644})
	}
	// In path order, as Plan returns them.
	for _, cs := range ab {
		slices.SortFunc(cs, func(x, y Change) int { return cmp.Compare(x.Path, y.Path) })
	}
	for i := 0; b.Loop(); i++ {
		if err := Commit(dir, ab[i%2]); err != nil {
			b.Fatal(err)
		}
	}
}
