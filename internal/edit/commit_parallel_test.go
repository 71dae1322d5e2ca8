package edit

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/decouple-dev/decouple/internal/analysis"
)

// setWriters makes Commit write with n goroutines, and keep at most
// handles folders open, for the duration of a test.
func setWriters(t *testing.T, n, handles int) {
	t.Helper()
	savedWriters, savedFolders := writers, maxOpenFolders
	writers = func() int { return n }
	maxOpenFolders = func() int { return handles }
	t.Cleanup(func() { writers, maxOpenFolders = savedWriters, savedFolders })
}

// setAfterWrite replaces afterWrite for the duration of a test.
func setAfterWrite(t *testing.T, hook func(i int, target string) error) {
	t.Helper()
	saved := afterWrite
	afterWrite = hook
	t.Cleanup(func() { afterWrite = saved })
}

// manyFiles sets up files in many folders, a few per folder, and plans a
// change to each, with new files in new folders among them: changes to
// make in the order Plan gives them, and the tree before and after.
func manyFiles(t *testing.T) (dir string, changes []Change, before, after tree) {
	t.Helper()
	dir = t.TempDir()
	after = tree{}
	var edits []analysis.TextEdit
	for i := range 60 {
		name := fmt.Sprintf("d%d/e%d/f%d.yml", i%4, i/4%5, i/20)
		writeFile(t, filepath.Join(dir, filepath.FromSlash(name)), "old\n", 0o644)
		edits = append(edits, edAt(name, 0, 3, "new"))
		after[name] = "new\n"
	}
	// Sorted among the others: before, between and after existing folders;
	// two share a created folder.
	for _, name := range []string{"a/new/x.yml", "d1/n/y.yml", "d1/n/z.yml", "d2/e1/new.yml", "z/n/w.yml"} {
		edits = append(edits, edAt(name, 0, 0, "created\n"))
		after[name] = "created\n"
	}
	before = readTree(t, dir)
	return dir, plan(t, dir, edits...), before, after
}

// checkNoCreatedFolders checks that the folders made for new files by
// manyFiles are gone.
func checkNoCreatedFolders(t *testing.T, dir string) {
	t.Helper()
	for _, name := range []string{"a", "d1/n", "z"} {
		if _, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(name))); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("created folder %s left behind (%v)", name, err)
		}
	}
}

func TestCommitParallel(t *testing.T) {
	for _, w := range []int{1, 2, 4, 16} {
		for _, handles := range []int{1, 3, 1000} {
			t.Run(fmt.Sprintf("%d writers %d handles", w, handles), func(t *testing.T) {
				setWriters(t, w, handles)
				dir, changes, _, after := manyFiles(t)
				if err := Commit(dir, changes); err != nil {
					t.Fatal(err)
				}
				checkTree(t, dir, after)
			})
		}
	}
}

// TestCommitParallelWriteFailure fails two temporary files in the middle
// of the parallel write: every temporary file written by any goroutine
// must go, with the folders created, no target may change, and the error
// must be the first failed file's, however the goroutines ran.
func TestCommitParallelWriteFailure(t *testing.T) {
	for _, w := range []int{1, 2, 4} {
		for _, handles := range []int{1, 1000} {
			for _, failAt := range []int{0, 7, 31, 64} {
				name := fmt.Sprintf("%d writers %d handles fail at %d", w, handles, failAt)
				t.Run(name, func(t *testing.T) {
					setWriters(t, w, handles)
					dir, changes, before, _ := manyFiles(t)
					first, second := errors.New("first injected failure"), errors.New("second injected failure")
					var mu sync.Mutex
					tried := map[int]bool{}
					setAfterWrite(t, func(i int, _ string) error {
						mu.Lock()
						tried[i] = true
						mu.Unlock()
						switch i {
						case failAt:
							return first
						case failAt + 5, len(changes) - 1:
							return second
						}
						return nil
					})
					var renames atomic.Int32
					setHook(t, func(int, string) error {
						renames.Add(1)
						return nil
					})
					err := Commit(dir, changes)
					if !errors.Is(err, first) || errors.Is(err, second) {
						t.Errorf("got %v, want only the first failure", err)
					}
					for i := range failAt {
						if !tried[i] {
							t.Errorf("change %d, before the failure, was not written", i)
						}
					}
					if n := renames.Load(); n != 0 {
						t.Errorf("%d renames after a failed write", n)
					}
					checkTree(t, dir, before) // no temporary file either
					checkNoCreatedFolders(t, dir)
				})
			}
		}
	}
}

// TestCommitParallelManyModified changes one of many targets between Plan
// and Commit: nothing is written.
func TestCommitParallelManyModified(t *testing.T) {
	setWriters(t, 4, 1000)
	dir, changes, _, _ := manyFiles(t)
	writeFile(t, filepath.Join(dir, "d2", "e3", "f1.yml"), "theirs\n", 0o644)
	before := readTree(t, dir)
	err := Commit(dir, changes)
	if !errors.Is(err, ErrModified) {
		t.Errorf("got %v, want ErrModified", err)
	}
	checkTree(t, dir, before)
	checkNoCreatedFolders(t, dir)
}
