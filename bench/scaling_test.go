package bench

import (
	"runtime"
	"testing"

	"github.com/decouple-dev/decouple/bench/gen"
	"github.com/decouple-dev/decouple/internal/lint"
)

// TestLintScalesLinearly guards against work that grows with the square
// of the tree (a plan for each finding walking every project, every
// compose file's builds, or every Dockerfile), which small test trees do
// not show and which made 5,000 files take 11 s instead of 2. Time is too
// noisy to test on a shared machine; the number of allocations is not,
// and every such walk allocated. Ten times the files (long-tail compose
// projects and standalone Dockerfiles) must cost less than twelve times
// the allocations: linear work gives about ten (9.3 now), the walks that
// made this test gave 14.
func TestLintScalesLinearly(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and lints two trees")
	}
	allocs := func(files int) float64 {
		dir := t.TempDir()
		if _, err := gen.Generate(dir, gen.Config{Seed: 7, Files: files, LongTail: true}); err != nil {
			t.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		res, err := lint.Run(lintOptions(dir))
		if err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		if len(res.Diagnostics) == 0 {
			t.Fatalf("%d files: no findings", files)
		}
		return float64(after.Mallocs - before.Mallocs)
	}
	small, large := allocs(100), allocs(1000)
	ratio := large / small
	t.Logf("allocations: %.0f for 100 files, %.0f for 1,000 (x%.2f)", small, large, ratio)
	if ratio > 12 {
		t.Errorf("10x the files cost %.1fx the allocations: some step grows faster than the tree", ratio)
	}
}
