package edit

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/decouple-dev/decouple/internal/analysis"
)

// tree is a folder's regular files and symbolic links: path -> content,
// or "-> target" for a link.
type tree map[string]string

func readTree(t *testing.T, dir string) tree {
	t.Helper()
	got := tree{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			got[rel] = "-> " + filepath.ToSlash(target)
			return err
		case d.Type().IsRegular():
			b, err := os.ReadFile(p)
			got[rel] = string(b)
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func checkTree(t *testing.T, dir string, want tree) {
	t.Helper()
	got := readTree(t, dir)
	for k, v := range got {
		if strings.Contains(k, ".decouple-") {
			t.Errorf("temporary file left behind: %s", k)
		} else if w, ok := want[k]; !ok {
			t.Errorf("unexpected file %s", k)
		} else if v != w {
			t.Errorf("%s = %q, want %q", k, v, w)
		}
	}
	for k := range want {
		if _, ok := got[k]; !ok {
			t.Errorf("missing file %s", k)
		}
	}
}

func checkMode(t *testing.T, name string, want fs.FileMode) {
	t.Helper()
	if runtime.GOOS == "windows" {
		return
	}
	fi, err := os.Stat(name)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != want {
		t.Errorf("%s: mode %v, want %v", name, got, want)
	}
}

// setHook replaces beforeRename for the duration of a test.
func setHook(t *testing.T, hook func(i int, target string) error) {
	t.Helper()
	saved := beforeRename
	beforeRename = hook
	t.Cleanup(func() { beforeRename = saved })
}

func plan(t *testing.T, dir string, edits ...analysis.TextEdit) []Change {
	t.Helper()
	changes, err := Plan(dir, edits)
	if err != nil {
		t.Fatal(err)
	}
	return changes
}

func TestCommit(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "compose.yml"), "services: {}\n", 0o644)
	writeFile(t, filepath.Join(dir, "run.sh"), "#!/bin/sh\necho hi\n", 0o755)
	writeFile(t, filepath.Join(dir, "private.env"), "A=1\n", 0o600)
	writeFile(t, filepath.Join(dir, "untouched.txt"), "same\n", 0o644)

	changes := plan(t, dir,
		edAt("compose.yml", 10, 12, "{ web: {} }"),
		edAt("run.sh", 15, 17, "bye"),
		edAt("private.env", 2, 3, "2"),
		edAt("app/new/.dockerignore", 0, 0, "node_modules\n"),
	)
	if err := Commit(dir, changes); err != nil {
		t.Fatal(err)
	}
	checkTree(t, dir, tree{
		"compose.yml":           "services: { web: {} }\n",
		"run.sh":                "#!/bin/sh\necho bye\n",
		"private.env":           "A=2\n",
		"untouched.txt":         "same\n",
		"app/new/.dockerignore": "node_modules\n",
	})
	checkMode(t, filepath.Join(dir, "run.sh"), 0o755)
	checkMode(t, filepath.Join(dir, "private.env"), 0o600)
	checkMode(t, filepath.Join(dir, "app", "new", ".dockerignore"), 0o644)
	checkMode(t, filepath.Join(dir, "app", "new"), 0o755)
}

func TestCommitNewFileMode(t *testing.T) {
	dir := t.TempDir()
	err := Commit(dir, []Change{
		{Path: "default.txt", New: []byte("x")},
		{Path: "script.sh", New: []byte("#!/bin/sh\n"), Mode: 0o755},
	})
	if err != nil {
		t.Fatal(err)
	}
	checkMode(t, filepath.Join(dir, "default.txt"), 0o644)
	checkMode(t, filepath.Join(dir, "script.sh"), 0o755)
}

func TestCommitSymlinkInsideRoot(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "real", "compose.yml"), "a: 1\n", 0o640)
	symlink(t, filepath.Join("real", "compose.yml"), filepath.Join(dir, "compose.yml"))
	symlink(t, "compose.yml", filepath.Join(dir, "chain.yml"))
	symlink(t, "real", filepath.Join(dir, "linkdir"))
	writeFile(t, filepath.Join(dir, "real", "other.yml"), "b: 1\n", 0o644)

	changes := plan(t, dir, edAt("chain.yml", 3, 4, "2"), edAt("linkdir/other.yml", 3, 4, "2"))
	if err := Commit(dir, changes); err != nil {
		t.Fatal(err)
	}
	checkTree(t, dir, tree{
		"real/compose.yml": "a: 2\n",
		"real/other.yml":   "b: 2\n",
		"compose.yml":      "-> real/compose.yml",
		"chain.yml":        "-> compose.yml",
		"linkdir":          "-> real",
	})
	checkMode(t, filepath.Join(dir, "real", "compose.yml"), 0o640)
}

func TestCommitSymlinkEscapingRefused(t *testing.T) {
	outside := t.TempDir()
	writeFile(t, filepath.Join(outside, "secret.yml"), "x\n", 0o644)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "ok.yml"), "ok\n", 0o644)
	rel := filepath.Join("..", filepath.Base(outside), "secret.yml")
	symlink(t, rel, filepath.Join(dir, "rel.yml"))
	symlink(t, filepath.Join(outside, "secret.yml"), filepath.Join(dir, "abs.yml"))
	symlink(t, filepath.Join("..", filepath.Base(outside)), filepath.Join(dir, "linkdir"))
	symlink(t, "rel.yml", filepath.Join(dir, "chain.yml"))

	for _, name := range []string{"rel.yml", "abs.yml", "linkdir/secret.yml", "chain.yml", "linkdir/new.yml"} {
		exists := name != "linkdir/new.yml"
		changes := []Change{
			{Path: "ok.yml", Old: []byte("ok\n"), New: []byte("changed\n"), Exists: true},
			{Path: name, Old: []byte("x\n"), New: []byte("pwned\n"), Exists: exists},
		}
		if err := Commit(dir, changes); err == nil {
			t.Errorf("%s: Commit wrote through a link leaving the root", name)
		}
	}
	checkTree(t, outside, tree{"secret.yml": "x\n"})
	checkTree(t, dir, tree{
		"ok.yml":    "ok\n",
		"rel.yml":   "-> " + filepath.ToSlash(rel),
		"abs.yml":   "-> " + filepath.ToSlash(filepath.Join(outside, "secret.yml")),
		"linkdir":   "-> " + filepath.ToSlash(filepath.Join("..", filepath.Base(outside))),
		"chain.yml": "-> rel.yml",
	})
}

func TestCommitSameFileTwice(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "real.yml"), "a\n", 0o644)
	symlink(t, "real.yml", filepath.Join(dir, "link.yml"))
	changes := []Change{
		{Path: "real.yml", Old: []byte("a\n"), New: []byte("b\n"), Exists: true},
		{Path: "link.yml", Old: []byte("a\n"), New: []byte("c\n"), Exists: true},
	}
	if err := Commit(dir, changes); err == nil || !strings.Contains(err.Error(), "same file") {
		t.Errorf("got %v, want a same-file error", err)
	}
	checkTree(t, dir, tree{"real.yml": "a\n", "link.yml": "-> real.yml"})
}

func TestCommitConcurrentModification(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "a.yml"), "a\n", 0o644)
	writeFile(t, filepath.Join(dir, "b.yml"), "b\n", 0o644)
	changes := plan(t, dir, edAt("a.yml", 0, 1, "A"), edAt("b.yml", 0, 1, "B"), edAt("c.yml", 0, 0, "C\n"))

	// Changed, removed, created: each is refused before anything is written.
	for _, tc := range []struct {
		name   string
		mutate func()
	}{
		{"b.yml", func() { writeFile(t, filepath.Join(dir, "b.yml"), "b2\n", 0o644) }},
		{"b.yml", func() { _ = os.Remove(filepath.Join(dir, "b.yml")) }},
		{"c.yml", func() { writeFile(t, filepath.Join(dir, "c.yml"), "mine\n", 0o644) }},
	} {
		writeFile(t, filepath.Join(dir, "b.yml"), "b\n", 0o644)
		_ = os.Remove(filepath.Join(dir, "c.yml"))
		tc.mutate()
		before := readTree(t, dir)
		err := Commit(dir, changes)
		if !errors.Is(err, ErrModified) || !strings.Contains(err.Error(), tc.name) {
			t.Errorf("got %v, want ErrModified naming %s", err, tc.name)
		}
		checkTree(t, dir, before)
	}
}

func TestCommitRollback(t *testing.T) {
	for _, failAt := range []int{0, 1, 2} {
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "a.yml"), "a\n", 0o600)
		writeFile(t, filepath.Join(dir, "sub", "b.sh"), "b\n", 0o755)
		original := readTree(t, dir)
		// The new file comes first, so later failures must delete it and
		// the folders made for it.
		changes := []Change{
			{Path: "new/deep/c.yml", New: []byte("c\n")},
			{Path: "a.yml", Old: []byte("a\n"), New: []byte("A\n"), Exists: true},
			{Path: "sub/b.sh", Old: []byte("b\n"), New: []byte("B\n"), Exists: true},
		}
		injected := errors.New("injected failure")
		renamed := 0
		setHook(t, func(i int, _ string) error {
			if i == failAt {
				return injected
			}
			renamed++
			return nil
		})
		err := Commit(dir, changes)
		if !errors.Is(err, injected) {
			t.Fatalf("failAt %d: got %v, want the injected error", failAt, err)
		}
		if renamed != failAt {
			t.Errorf("failAt %d: %d files renamed before the failure", failAt, renamed)
		}
		checkTree(t, dir, original)
		checkMode(t, filepath.Join(dir, "a.yml"), 0o600)
		checkMode(t, filepath.Join(dir, "sub", "b.sh"), 0o755)
		if _, err := os.Lstat(filepath.Join(dir, "new")); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("failAt %d: created folder left behind (%v)", failAt, err)
		}
	}
}

// TestCommitRollbackOnRealFailure makes the second file fail for real
// after the first one was replaced: its folder turns into a file.
func TestCommitRollbackOnRealFailure(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "a.yml"), "a\n", 0o644)
	writeFile(t, filepath.Join(dir, "sub", "b.yml"), "b\n", 0o644)
	changes := plan(t, dir, edAt("a.yml", 0, 1, "A"), edAt("sub/b.yml", 0, 1, "B"))
	setHook(t, func(i int, _ string) error {
		if i == 1 {
			if err := os.RemoveAll(filepath.Join(dir, "sub")); err != nil {
				return err
			}
			writeFile(t, filepath.Join(dir, "sub"), "now a file\n", 0o644)
		}
		return nil
	})
	if err := Commit(dir, changes); err == nil {
		t.Fatal("Commit succeeded")
	}
	checkTree(t, dir, tree{"a.yml": "a\n", "sub": "now a file\n"})
}

func TestCommitParentIsAFile(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "a.yml"), "a\n", 0o644)
	writeFile(t, filepath.Join(dir, "blocker"), "file\n", 0o644)
	changes := []Change{
		{Path: "a.yml", Old: []byte("a\n"), New: []byte("A\n"), Exists: true},
		{Path: "blocker/new.yml", New: []byte("x\n")},
	}
	if err := Commit(dir, changes); err == nil {
		t.Fatal("Commit succeeded")
	}
	checkTree(t, dir, tree{"a.yml": "a\n", "blocker": "file\n"})
}

func TestCommitReadOnlyFolder(t *testing.T) {
	if runtime.GOOS == "windows" || os.Geteuid() == 0 {
		t.Skip("root, or Windows, can write into a read-only folder")
	}
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "a.yml"), "a\n", 0o644)
	writeFile(t, filepath.Join(dir, "ro", "b.yml"), "b\n", 0o644)
	changes := plan(t, dir, edAt("a.yml", 0, 1, "A"), edAt("ro/b.yml", 0, 1, "B"))
	if err := os.Chmod(filepath.Join(dir, "ro"), 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(filepath.Join(dir, "ro"), 0o755) })
	if err := Commit(dir, changes); err == nil {
		t.Fatal("Commit succeeded")
	}
	checkTree(t, dir, tree{"a.yml": "a\n", "ro/b.yml": "b\n"})
}

func TestCommitRefusesBadPaths(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"../x", "/tmp/x", ""} {
		if err := Commit(dir, []Change{{Path: p, New: []byte("x")}}); !errors.Is(err, ErrPath) {
			t.Errorf("%q: got %v, want ErrPath", p, err)
		}
	}
	checkTree(t, dir, tree{})
}

// TestCommitFolderReplaced moves a folder away after its temporary file
// was written and puts an identical one in its place: the file must not be
// written into the moved folder, nor the new one left half done.
func TestCommitFolderReplaced(t *testing.T) {
	for _, handles := range []int{1, 100} {
		saved := maxOpenFolders
		maxOpenFolders = func() int { return handles }
		t.Cleanup(func() { maxOpenFolders = saved })
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "a.yml"), "a\n", 0o644)
		writeFile(t, filepath.Join(dir, "sub", "b.yml"), "b\n", 0o644)
		changes := plan(t, dir, edAt("a.yml", 0, 1, "A"), edAt("sub/b.yml", 0, 1, "B"))
		setHook(t, func(i int, _ string) error {
			if i == 1 {
				if err := os.Rename(filepath.Join(dir, "sub"), filepath.Join(dir, "moved")); err != nil {
					return err
				}
				writeFile(t, filepath.Join(dir, "sub", "b.yml"), "b\n", 0o644)
			}
			return nil
		})
		if err := Commit(dir, changes); !errors.Is(err, ErrModified) {
			t.Errorf("%d handles: got %v, want ErrModified", handles, err)
		}
		want := tree{"a.yml": "a\n", "sub/b.yml": "b\n", "moved/b.yml": "b\n"}
		if handles == 1 {
			// The moved folder's handle was closed, so its temporary file
			// can no longer be reached from the root: it stays, as a crash
			// would leave it.
			for name := range readTree(t, dir) {
				if strings.HasPrefix(name, "moved/.decouple-") {
					_ = os.Remove(filepath.Join(dir, filepath.FromSlash(name)))
				}
			}
		}
		checkTree(t, dir, want)
	}
}

// TestCommitFewFolderHandles commits across more folders than Commit may
// keep open, so that folders are closed and opened again on the way.
func TestCommitFewFolderHandles(t *testing.T) {
	saved := maxOpenFolders
	maxOpenFolders = func() int { return 1 }
	t.Cleanup(func() { maxOpenFolders = saved })
	dir := t.TempDir()
	want := tree{}
	var edits []analysis.TextEdit
	for _, name := range []string{"a.yml", "x/b.yml", "x/y/c.yml", "z/d.yml"} {
		writeFile(t, filepath.Join(dir, filepath.FromSlash(name)), "old\n", 0o644)
		edits = append(edits, edAt(name, 0, 3, "new"))
		want[name] = "new\n"
	}
	edits = append(edits, edAt("n/e/w.yml", 0, 0, "created\n"), edAt("x/n.yml", 0, 0, "created\n"))
	want["n/e/w.yml"], want["x/n.yml"] = "created\n", "created\n"
	if err := Commit(dir, plan(t, dir, edits...)); err != nil {
		t.Fatal(err)
	}
	checkTree(t, dir, want)
}
