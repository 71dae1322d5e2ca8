package compose

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkLoadLongTail loads the long-tail files of fast_test.go with the
// fast path and with compose-go alone:
// go test ./internal/compose -run XXX -bench LoadLongTail
func BenchmarkLoadLongTail(b *testing.B) {
	dir := b.TempDir()
	var projects [][]string
	i := 0
	for _, files := range longTail {
		d := filepath.Join(dir, string(rune('a'+i)))
		i++
		var paths []string
		for name, src := range files {
			p := filepath.Join(d, name)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				b.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
				b.Fatal(err)
			}
		}
		for _, n := range []string{"compose.yaml", "compose.override.yaml", "docker-compose.yml"} {
			if _, ok := files[n]; ok {
				paths = append(paths, filepath.Join(d, n))
			}
		}
		projects = append(projects, paths)
	}
	for _, mode := range []struct {
		name string
		lim  Limits
	}{{"fast", Limits{}}, {"compose-go", Limits{NoFastPath: true}}} {
		b.Run(mode.name, func(b *testing.B) {
			for n := 0; n < b.N; n++ {
				for _, paths := range projects {
					if _, err := LoadLimited(paths, mode.lim); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(projects)), "µs/project")
		})
	}
}
