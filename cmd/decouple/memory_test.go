package main

import (
	"math"
	"runtime"
	"sync"
	"testing"
	"time"
)

// TestMemoryBudget: the limit follows the bytes read, is raised in steps
// rather than on every file, never goes down, and GOMEMLIMIT disables it.
func TestMemoryBudget(t *testing.T) {
	var limits []int64
	b := &memoryBudget{set: func(l int64) int64 { limits = append(limits, l); return 0 }}
	for range 1000 {
		b.add(1000)
	}
	if b.read != 1_000_000 {
		t.Fatalf("read %d bytes, want 1000000", b.read)
	}
	if n := len(limits); n == 0 || n > 100 {
		t.Fatalf("limit set %d times for 1000 files, want a few dozen at most", n)
	}
	for i := 1; i < len(limits); i++ {
		if limits[i] <= limits[i-1] {
			t.Fatalf("limit went from %d to %d", limits[i-1], limits[i])
		}
	}
	last := limits[len(limits)-1]
	if want := limitFor(1_000_000); last > want || last < limitFor(1_000_000*budgetStep/(budgetStep+1)) {
		t.Errorf("last limit %d, want within one step below %d", last, want)
	}
	if got := limitFor(math.MaxInt64 / 2); got != math.MaxInt64 {
		t.Errorf("limitFor(huge) = %d, want MaxInt64", got)
	}

	// A collection that finds more live than the limit allows for raises
	// it, so the collector never runs flat out; one that finds less
	// changes nothing.
	before := limits[len(limits)-1]
	b.collected(before)
	if got, want := limits[len(limits)-1], before/2*3; got != want {
		t.Errorf("after a collection found %d live, limit %d, want %d", before, got, want)
	}
	n := len(limits)
	b.collected(1)
	if len(limits) != n {
		t.Errorf("a small live heap changed the limit to %d", limits[len(limits)-1])
	}

	// Released (the re-lint after --fix): Go's default pacing, and reads
	// or collections no longer touch the limit.
	var percent int
	b.setPercent = func(p int) int { percent = p; return 0 }
	b.release()
	if percent != 100 || limits[len(limits)-1] != math.MaxInt64 {
		t.Errorf("after release: GOGC %d, limit %d; want 100 and none", percent, limits[len(limits)-1])
	}
	n = len(limits)
	b.add(1 << 30)
	b.collected(1 << 40)
	if len(limits) != n {
		t.Errorf("a released budget set the limit to %d", limits[len(limits)-1])
	}
	(*memoryBudget)(nil).release() // no budget: nothing to do

	// Concurrent adds (the loader calls from several goroutines).
	c := &memoryBudget{set: func(int64) int64 { return 0 }}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 1000 {
				c.add(10)
			}
		})
	}
	wg.Wait()
	if c.read != 80_000 {
		t.Errorf("concurrent adds counted %d bytes, want 80000", c.read)
	}

	for _, v := range []string{"GOGC", "GOMEMLIMIT"} {
		t.Run(v, func(t *testing.T) {
			t.Setenv(v, "off")
			if newMemoryBudget() != nil {
				t.Errorf("%s is set, yet a budget was made", v)
			}
			newMemoryBudget().add(1) // a nil budget ignores reads
		})
	}
}

// TestAfterEachGC: the hook runs after every collection, with the live heap.
func TestAfterEachGC(t *testing.T) {
	calls := make(chan int64, 100)
	afterEachGC(func(live int64) {
		select {
		case calls <- live:
		default:
		}
	})
	for i := range 3 {
		runtime.GC()
		select {
		case live := <-calls:
			if live <= 0 {
				t.Errorf("collection %d: live heap %d", i, live)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("no call after collection %d", i)
		}
	}
}
