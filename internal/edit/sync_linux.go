//go:build linux

package edit

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// On Linux, Commit makes its files durable with a sync barrier instead of
// one fsync per file and one per folder: it writes every temporary file
// (content, owner, mode) unsynced, calls syncfs once per file system, then
// renames, then calls syncfs once more per file system.
//
// This keeps the crash guarantee. The first syncfs returns only once every
// temporary file is on disk, and it runs before the first rename, so no
// target name ever points at bytes that are not durable: after a crash each
// target holds its old or its new content, as with per-file fsync. The
// second syncfs writes out the renamed folder entries (and created
// folders), so they are durable before Commit returns, as the per-folder
// fsync made them. A crash before the first syncfs leaves only temporary
// files behind, as a crash during per-file writing did.
//
// syncfs reports write-back errors since the file it is given was opened
// (Linux 5.8 and later); that file is a folder opened before Commit wrote
// anything on that file system. Where syncfs is known to do all this (local
// file systems with their own write-back, a recent enough kernel), the
// barrier is used; elsewhere (FUSE, network and stacked file systems such as
// overlayfs, whose sync does not report the errors of the layer below),
// files and folders are synced one by one as on other platforms.

// filesystem is one file system Commit writes on.
type filesystem struct {
	dir     *os.File // a folder on it, opened before Commit wrote there
	barrier bool     // syncfs makes it durable; otherwise sync file by file
}

// durability tracks the file systems Commit writes on. Temporary files are
// written by several goroutines at once: mu guards what they share.
type durability struct {
	mu      sync.Mutex
	byDev   map[uint64]*filesystem
	of      map[string]*filesystem // by folder name
	fss     []*filesystem          // in order of first use
	folders folderList             // on file systems without barrier, to sync after the renames
}

// syncfs calls syncfs(2) on f's file system; tests replace it.
var syncfs = func(f *os.File) error {
	return control(f, unix.Syncfs)
}

// barrierWorks reports whether syncfs on f fully syncs its file system and
// reports its write-back errors; tests replace it.
var barrierWorks = func(f *os.File) bool {
	if !kernelAtLeast(5, 8) {
		return false
	}
	var st unix.Statfs_t
	if control(f, func(fd int) error { return unix.Fstatfs(fd, &st) }) != nil {
		return false
	}
	switch uint32(st.Type) { //nolint:gosec // magic numbers are 32 bits
	case unix.EXT4_SUPER_MAGIC, // also ext2 and ext3
		unix.XFS_SUPER_MAGIC,
		unix.BTRFS_SUPER_MAGIC,
		unix.F2FS_SUPER_MAGIC,
		unix.TMPFS_MAGIC:
		return true
	}
	return false
}

func control(f *os.File, fn func(fd int) error) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	if err := rc.Control(func(fd uintptr) { ferr = fn(int(fd)) }); err != nil { //nolint:gosec // a file descriptor fits an int
		return err
	}
	return ferr
}

// kernelAtLeast reports whether the running kernel's version is at least
// major.minor.
func kernelAtLeast(major, minor int) bool {
	v := kernelVersion()
	return v[0] > major || v[0] == major && v[1] >= minor
}

var kernelVersion = sync.OnceValue(func() [2]int {
	var u unix.Utsname
	if unix.Uname(&u) != nil {
		return [2]int{}
	}
	release := unix.ByteSliceToString(u.Release[:])
	parts := strings.SplitN(release, ".", 3)
	if len(parts) < 2 {
		return [2]int{}
	}
	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(strings.TrimRightFunc(parts[1], func(r rune) bool { return r < '0' || r > '9' }))
	if err1 != nil || err2 != nil {
		return [2]int{}
	}
	return [2]int{major, minor}
})

// track notes the file system of d, opened as sub, before anything is
// written in d.
func (du *durability) track(d *folder, sub *os.Root) error {
	st, ok := d.info.Sys().(*syscall.Stat_t)
	if !ok {
		return fmt.Errorf("%s: no device number", d.name)
	}
	dev := uint64(st.Dev) //nolint:unconvert // uint32 on some architectures
	du.mu.Lock()
	defer du.mu.Unlock()
	if du.byDev == nil {
		du.byDev, du.of = make(map[uint64]*filesystem), make(map[string]*filesystem)
	}
	if fsys := du.byDev[dev]; fsys != nil {
		du.of[d.name] = fsys
		return nil
	}
	f, err := sub.Open(".")
	if err != nil {
		return err
	}
	fsys := &filesystem{dir: f, barrier: barrierWorks(f)}
	du.byDev[dev] = fsys
	du.of[d.name] = fsys
	du.fss = append(du.fss, fsys)
	return nil
}

// written is called on each temporary file before it is closed.
func (du *durability) written(d *folder, f *os.File) error {
	du.mu.Lock()
	barrier := du.of[d.name].barrier
	if !barrier {
		du.folders.add(d.name)
	}
	du.mu.Unlock()
	if barrier {
		return nil // the barrier syncs it
	}
	return f.Sync()
}

// barrier makes every temporary file durable, before the first rename.
func (du *durability) barrier() error {
	return du.syncAll()
}

// done makes the renames durable.
func (du *durability) done(c *committer) error {
	c.syncFolders(du.folders.names)
	return du.syncAll()
}

func (du *durability) syncAll() error {
	for _, fsys := range du.fss {
		if !fsys.barrier {
			continue
		}
		if err := syncfs(fsys.dir); err != nil {
			return fmt.Errorf("syncing the file system of %s: %w", fsys.dir.Name(), err)
		}
	}
	return nil
}

func (du *durability) close() {
	for _, fsys := range du.fss {
		_ = fsys.dir.Close() // opened for reading
	}
}
