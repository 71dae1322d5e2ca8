package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/decouple-dev/decouple/internal/workspace"
)

// corpusDir holds the shared corpus of real projects, when present.
const corpusDir = "../../shared/corpus/cases"

// minCorpusFast is the share of corpus projects the fast path must load.
const minCorpusFast = 0.95

// TestFastPathCoverage loads every project of the shared corpus (and of
// DECOUPLE_COVERAGE_DIRS, a list of further trees separated by the path
// list separator) and logs the share the fast path loaded and the keys that
// made it give up, most frequent first. The corpus share must reach
// minCorpusFast.
func TestFastPathCoverage(t *testing.T) {
	var dirs []string
	if cases, err := os.ReadDir(corpusDir); err == nil {
		for _, c := range cases {
			if c.IsDir() {
				abs, _ := filepath.Abs(filepath.Join(corpusDir, c.Name()))
				dirs = append(dirs, abs)
			}
		}
	}
	corpus := len(dirs)
	if extra := os.Getenv("DECOUPLE_COVERAGE_DIRS"); extra != "" {
		dirs = append(dirs, filepath.SplitList(extra)...)
	}
	if len(dirs) == 0 {
		t.Skip("no corpus at " + corpusDir)
	}
	var corpusFast, corpusTotal, fast, total int
	misses := map[string][]string{}
	for i, dir := range dirs {
		ws, err := workspace.Load(workspace.Options{Paths: []string{dir}})
		if err != nil {
			t.Errorf("%s: %v", dir, err)
			continue
		}
		for _, p := range ws.Projects {
			total++
			if i < corpus {
				corpusTotal++
			}
			if p.Fast {
				fast++
				if i < corpus {
					corpusFast++
				}
				continue
			}
			why := p.FastMiss
			if why == "" {
				why = "(not tried: legacy, empty or more than two files)"
			}
			misses[why] = append(misses[why], p.Dir)
		}
	}
	t.Log(coverageReport(fast, total, misses))
	if corpusTotal > 0 {
		share := float64(corpusFast) / float64(corpusTotal)
		t.Logf("corpus: fast path loaded %d of %d projects (%.1f%%)", corpusFast, corpusTotal, 100*share)
		if share < minCorpusFast {
			t.Errorf("fast path share on the corpus %.1f%% < %.0f%%", 100*share, 100*minCorpusFast)
		}
	}
}

// coverageReport renders the share and the keys given up on.
func coverageReport(fast, total int, misses map[string][]string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "fast path loaded %d of %d projects", fast, total)
	cases, _ := filepath.Abs(corpusDir)
	cases += string(filepath.Separator)
	keys := make([]string, 0, len(misses))
	for k := range misses {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if len(misses[keys[i]]) != len(misses[keys[j]]) {
			return len(misses[keys[i]]) > len(misses[keys[j]])
		}
		return keys[i] < keys[j]
	})
	for _, k := range keys {
		fmt.Fprintf(&b, "\n  %3d  %s  (e.g. %s)", len(misses[k]), k, strings.ReplaceAll(strings.Join(misses[k], " "), cases, ""))
	}
	return b.String()
}
