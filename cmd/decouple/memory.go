package main

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// A run holds every parsed file until the report is written, since rules
// look across files: about 43 bytes of memory for each byte of compose
// file and Dockerfile read (bench/README.md). With Go's default GOGC=100 the
// heap then peaks near twice that. The memory budget replaces GOGC with a
// soft memory limit that follows what was read: budgetBase plus
// budgetPerByte for each byte, about what a typical run holds, so that 500
// long-tail projects stay under 200 MiB (188 MiB; at 56 bytes a byte, 228
// MiB and a fifth less CPU spent collecting: bench/README.md).
// The collector then runs only when the heap nears the limit: none at all
// in a small pre-commit run, a few late ones in a large run, where peak
// memory drops by about a fifth at the same speed.
//
// Some inputs hold far more per byte (a flow sequence of a million
// one-character scalars: about 120 bytes each). Below what a run holds, a
// limit would have the collector run without pause, so after every
// collection the budget checks the live heap and keeps the limit at least
// budgetHeadroom times it: such a run is paced as with GOGC=50.
//
// GOGC or GOMEMLIMIT, when set, win: the budget is then left out.
const (
	budgetBase    = 32 << 20
	budgetPerByte = 44
	// budgetStep: the limit is raised once the input grows by an eighth.
	budgetStep = 8
	// budgetHeadroom (as a fraction, num/den) is the least limit over the
	// live heap a collection finds.
	budgetHeadroomNum, budgetHeadroomDen = 3, 2
)

type memoryBudget struct {
	mu         sync.Mutex
	off        bool  // released: Go's own pacing applies
	read       int64 // bytes read so far
	next       int64 // read size at which to raise the limit again
	floor      int64 // the least limit, from the live heap after a collection
	limit      int64 // the limit set last
	set        func(int64) int64
	setPercent func(int) int
}

// newMemoryBudget turns the collector over to the budget, or returns nil
// when GOGC or GOMEMLIMIT is set.
func newMemoryBudget() *memoryBudget {
	for _, v := range []string{"GOGC", "GOMEMLIMIT"} {
		if _, ok := os.LookupEnv(v); ok {
			return nil
		}
	}
	b := &memoryBudget{set: debug.SetMemoryLimit, setPercent: debug.SetGCPercent}
	b.apply()
	b.setPercent(-1)
	afterEachGC(b.collected)
	return b
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
	b.apply()
}

// collected raises the floor to keep the limit above the live heap.
func (b *memoryBudget) collected(live int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if f := live / budgetHeadroomDen * budgetHeadroomNum; f > b.floor {
		b.floor = f
		b.apply()
	}
}

// apply sets the limit; b.mu is held.
func (b *memoryBudget) apply() {
	if b.off {
		return
	}
	l := max(limitFor(b.read), b.floor)
	if l != b.limit {
		b.limit = l
		b.set(l)
	}
}

// release hands the collector back to Go's default pacing (GOGC=100, no
// limit), for the re-lint after --fix. There the budget saved no memory (the
// fix plan and the first run's garbage are in the heap when the re-lint
// starts) and cost about a tenth more time.
func (b *memoryBudget) release() {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.off = true
	b.setPercent(100)
	b.set(math.MaxInt64)
}

// limitFor is the memory limit after read bytes of input.
func limitFor(read int64) int64 {
	if read > (math.MaxInt64-budgetBase)/budgetPerByte {
		return math.MaxInt64
	}
	return budgetBase + read*budgetPerByte
}

// afterEachGC calls f with the live heap after every collection, for the
// life of the process. The runtime has no such hook: an unreachable object
// with a finalizer is freed by the next collection, whose finalizer
// reports and arms a new one.
func afterEachGC(f func(live int64)) {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	var arm func()
	arm = func() {
		runtime.SetFinalizer(&gcSentinel{}, func(*gcSentinel) {
			metrics.Read(sample)
			if sample[0].Value.Kind() == metrics.KindUint64 {
				f(int64(sample[0].Value.Uint64())) //nolint:gosec // a heap size fits an int64
			}
			arm()
		})
	}
	arm()
}

// gcSentinel holds a pointer so that it is never a tiny allocation: the
// runtime packs those with others, and their finalizers may never run.
type gcSentinel struct{ _ *byte }
