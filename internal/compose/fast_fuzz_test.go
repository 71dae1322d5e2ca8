package compose

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzFastPathDifferential loads arbitrary bytes, as a compose file, with
// the fast path allowed and with compose-go alone: whenever the fast path
// takes a file, its model, notes and errors must be compose-go's. Seeded
// with the long-tail and refused files of fast_test.go and, when present,
// the compose files of the shared corpus (read in place, never copied).
func FuzzFastPathDifferential(f *testing.F) {
	for _, files := range longTail {
		for name, src := range files {
			if strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml") {
				f.Add([]byte(src))
			}
		}
	}
	for _, s := range []string{
		"services:\n  a:\n    image: x\n    depends_on: [m]\n  b:\n    image: x\n    depends_on: [n]\n",
		"services:\n  a:\n    image: x\n    container_name: a\n    deploy: {replicas: 2}\n",
		"services:\n  a:\n    image: x\n    tmpfs: [/t]\n    volumes: [./x:/t]\n",
		"services:\n  a:\n    image: x\n    cpus: 1\n    deploy: {resources: {limits: {cpus: '2'}}}\n",
	} {
		f.Add([]byte(s))
	}
	corpus, _ := filepath.Glob("../../../shared/corpus/cases/*/*compose*.y*ml")
	for _, p := range corpus {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		if len(src) > 8<<10 {
			return // compose-go's own cost, not the comparison, would dominate
		}
		fast, diffs := loadBoth(t, map[string]string{"compose.yaml": string(src)}, "compose.yaml")
		if !fast {
			return
		}
		for _, d := range diffs {
			t.Errorf("%s\ninput:\n%s", d, src)
		}
	})
}
