// Package par runs independent pieces of work side by side: loading
// projects, parsing Dockerfiles, planning fixes. Callers write each result
// into its own slot, so the output keeps the input's order whatever the
// scheduling.
package par

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// For calls f(i) for every i < n on up to GOMAXPROCS goroutines and
// returns when all calls have. f must only write what belongs to item i.
func For(n int, f func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), n) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				f(i)
			}
		})
	}
	wg.Wait()
}
