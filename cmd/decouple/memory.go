package main

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"sync"
)

// A run holds every parsed file until the report is written, since rules
// look across files: about 43 bytes of memory for each byte of compose
// file and Dockerfile read (bench/README.md). With Go's default GOGC=100 the
// heap then peaks near twice that. The memory budget replaces GOGC with a
// soft memory limit that follows what was read: budgetBase plus
// budgetPerByte for each byte, about 1.3 times what the run holds. The
// collector then runs only when the heap nears the limit: none at all in a
// small pre-commit run, a few late ones in a large run, where peak memory
// drops by about a fifth at the same speed. Because the limit grows with
// the input, it stays above what the run holds whatever the tree's size,
// so the collector never runs without pause. GOGC or GOMEMLIMIT, when set,
// win: the budget is then left out.
const (
	budgetBase    = 32 << 20
	budgetPerByte = 56
	// budgetStep: the limit is raised once the input grows by an eighth.
	budgetStep = 8
)

type memoryBudget struct {
	mu   sync.Mutex
	base int64 // what an earlier run left live, when restarted
	read int64 // bytes read so far
	next int64 // read size at which to raise the limit again
	set  func(int64) int64
}

// newMemoryBudget turns the collector over to the budget, or returns nil
// when GOGC or GOMEMLIMIT is set.
func newMemoryBudget() *memoryBudget {
	for _, v := range []string{"GOGC", "GOMEMLIMIT"} {
		if _, ok := os.LookupEnv(v); ok {
			return nil
		}
	}
	debug.SetMemoryLimit(limitFor(0))
	debug.SetGCPercent(-1)
	return &memoryBudget{set: debug.SetMemoryLimit}
}

// add counts n more bytes read; it is called from several goroutines.
func (b *memoryBudget) add(n int) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.read += int64(n)
	if b.read < b.next {
		return
	}
	b.next = b.read + b.read/budgetStep + 1
	b.set(b.base + limitFor(b.read))
}

// restart begins a new run in the same process (the re-lint after --fix):
// the earlier run's files are garbage by now, except what it left in use
// (the Dockerfile parses the re-lint reuses), so the budget counts from
// what a collection finds live rather than adding the two runs up.
func (b *memoryBudget) restart() {
	if b == nil {
		return
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.mu.Lock()
	defer b.mu.Unlock()
	b.base = int64(ms.HeapAlloc) //nolint:gosec // a heap size fits an int64
	b.read, b.next = 0, 0
	b.set(b.base + limitFor(0))
}

// limitFor is the memory limit after read bytes of input.
func limitFor(read int64) int64 {
	if read > (math.MaxInt64-budgetBase)/budgetPerByte {
		return math.MaxInt64
	}
	return budgetBase + read*budgetPerByte
}
