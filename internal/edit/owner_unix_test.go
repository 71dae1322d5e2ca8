//go:build unix

package edit

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestCommitKeepsOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root may give a file to another user")
	}
	dir := t.TempDir()
	name := filepath.Join(dir, "compose.yml")
	writeFile(t, name, "a\n", 0o640)
	if err := os.Chown(name, 4242, 4243); err != nil {
		t.Skip(err)
	}
	if err := Commit(dir, plan(t, dir, edAt("compose.yml", 0, 1, "b"))); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(name)
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	if st.Uid != 4242 || st.Gid != 4243 || fi.Mode().Perm() != 0o640 {
		t.Errorf("owner %d:%d mode %v, want 4242:4243 -rw-r-----", st.Uid, st.Gid, fi.Mode().Perm())
	}
}
