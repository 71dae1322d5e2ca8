package main

import (
	"math"
	"os"
	"runtime/debug"
	"sync"
)

// A run holds every parsed file until the report is written, since rules
// look across files: about 43 bytes of memory for each byte of compose
// file and Dockerfile read (bench/README.md). With Go's default GOGC=100 the
// heap then peaks near twice that. memoryBudget sets a soft memory limit
// that follows what was read instead: budgetBase plus budgetPerByte for
// each byte, about 1.3 times what the run holds. The collector then works
// a little harder late in a large run (a few percent more time) and peak
// memory drops by about a fifth. Because the limit grows with the input, it
// stays above what the run holds whatever the tree's size, so the collector
// never runs without pause. GOMEMLIMIT, when set, wins.
const (
	budgetBase    = 32 << 20
	budgetPerByte = 56
	// budgetStep: the limit is raised once the input grows by an eighth.
	budgetStep = 8
)

type memoryBudget struct {
	mu   sync.Mutex
	read int64 // bytes read so far
	next int64 // read size at which to raise the limit again
	set  func(int64) int64
}

// newMemoryBudget returns the budget of a run, or nil when GOMEMLIMIT is set.
func newMemoryBudget() *memoryBudget {
	if _, ok := os.LookupEnv("GOMEMLIMIT"); ok {
		return nil
	}
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
	b.set(limitFor(b.read))
}

// limitFor is the memory limit after read bytes of input.
func limitFor(read int64) int64 {
	if read > (math.MaxInt64-budgetBase)/budgetPerByte {
		return math.MaxInt64
	}
	return budgetBase + read*budgetPerByte
}
