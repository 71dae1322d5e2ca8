package edit

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// fakeSync replaces syncfs and barrierWorks for the duration of a test;
// each call to syncfs runs fn with the call's number, from 1.
func fakeSync(t *testing.T, barrier bool, fn func(n int) error) *int {
	t.Helper()
	savedSync, savedWorks := syncfs, barrierWorks
	t.Cleanup(func() { syncfs, barrierWorks = savedSync, savedWorks })
	calls := 0
	syncfs = func(*os.File) error {
		calls++
		return fn(calls)
	}
	barrierWorks = func(*os.File) bool { return barrier }
	return &calls
}

// barrierTree sets up files in several folders of one file system and the
// changes to them, new folders included.
func barrierTree(t *testing.T) (dir string, changes []Change, before, after tree) {
	t.Helper()
	dir = t.TempDir()
	writeFile(t, filepath.Join(dir, "a.yml"), "a\n", 0o600)
	writeFile(t, filepath.Join(dir, "sub", "b.sh"), "b\n", 0o755)
	writeFile(t, filepath.Join(dir, "sub", "deep", "c.yml"), "c\n", 0o644)
	changes = plan(t, dir,
		edAt("a.yml", 0, 1, "A"),
		edAt("new/folder/n.yml", 0, 0, "n\n"),
		edAt("sub/b.sh", 0, 1, "B"),
		edAt("sub/deep/c.yml", 0, 1, "C"),
	)
	before = readTree(t, dir)
	after = tree{"a.yml": "A\n", "sub/b.sh": "B\n", "sub/deep/c.yml": "C\n", "new/folder/n.yml": "n\n"}
	return dir, changes, before, after
}

func TestCommitSyncBarrier(t *testing.T) {
	dir, changes, before, after := barrierTree(t)
	var seen []tree
	calls := fakeSync(t, true, func(int) error {
		seen = append(seen, readTree(t, dir))
		return nil
	})
	if err := Commit(dir, changes); err != nil {
		t.Fatal(err)
	}
	// One file system: one barrier before the renames, one after.
	if *calls != 2 {
		t.Fatalf("syncfs called %d times, want 2", *calls)
	}
	// At the barrier, every temporary file is written and no target yet.
	temps := 0
	for name, content := range seen[0] {
		if filepath.Base(name)[0] == '.' {
			temps++
			continue
		}
		if content != before[name] {
			t.Errorf("at the barrier %s = %q, want the old %q", name, content, before[name])
		}
	}
	if temps != len(changes) {
		t.Errorf("at the barrier %d temporary files, want %d", temps, len(changes))
	}
	// At the second sync, every target is in place.
	for name, content := range after {
		if seen[1][name] != content {
			t.Errorf("at the final sync %s = %q, want %q", name, seen[1][name], content)
		}
	}
	checkTree(t, dir, after)
	checkMode(t, filepath.Join(dir, "a.yml"), 0o600)
	checkMode(t, filepath.Join(dir, "sub", "b.sh"), 0o755)
}

func TestCommitSyncBarrierFailure(t *testing.T) {
	injected := errors.New("injected sync failure")
	for _, failAt := range []int{1, 2} {
		dir, changes, before, _ := barrierTree(t)
		fakeSync(t, true, func(n int) error {
			if n == failAt {
				return injected
			}
			return nil
		})
		renames := 0
		setHook(t, func(int, string) error {
			renames++
			return nil
		})
		err := Commit(dir, changes)
		if !errors.Is(err, injected) {
			t.Fatalf("failAt %d: got %v, want the injected error", failAt, err)
		}
		if want := map[int]int{1: 0, 2: len(changes)}[failAt]; renames != want {
			t.Errorf("failAt %d: %d renames, want %d", failAt, renames, want)
		}
		checkTree(t, dir, before) // no temporary file either
		checkMode(t, filepath.Join(dir, "a.yml"), 0o600)
		if _, err := os.Lstat(filepath.Join(dir, "new")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("failAt %d: created folder left behind (%v)", failAt, err)
		}
	}
}

func TestCommitWithoutBarrier(t *testing.T) {
	dir, changes, _, after := barrierTree(t)
	calls := fakeSync(t, false, func(int) error { return errors.New("syncfs used") })
	if err := Commit(dir, changes); err != nil {
		t.Fatal(err)
	}
	if *calls != 0 {
		t.Errorf("syncfs called %d times on a file system without barrier", *calls)
	}
	checkTree(t, dir, after)
}

func TestBarrierWorksHere(t *testing.T) {
	if !kernelAtLeast(2, 6) {
		t.Errorf("kernel version %v not read", kernelVersion())
	}
	f, err := os.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	t.Logf("sync barrier on %s: %v", os.TempDir(), barrierWorks(f))
	if barrierWorks(f) {
		if err := syncfs(f); err != nil {
			t.Error(err)
		}
	}
}
