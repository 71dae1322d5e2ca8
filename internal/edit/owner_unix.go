//go:build unix

package edit

import (
	"io/fs"
	"os"
	"syscall"
)

// owner is a file's user and group, kept so that rewriting a file as root
// does not hand it over to root.
type owner struct {
	uid, gid int
	ok       bool
}

func ownerOf(fi fs.FileInfo) owner {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return owner{}
	}
	return owner{uid: int(st.Uid), gid: int(st.Gid), ok: true}
}

// set gives f the owner o, at best: only root may give a file away, and a
// user who may replace a file they do not own still gets it replaced, as
// with any editor that writes a new file and renames it.
func (o owner) set(f *os.File) {
	if o.ok {
		_ = f.Chown(o.uid, o.gid)
	}
}
