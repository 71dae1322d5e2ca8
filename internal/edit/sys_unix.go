//go:build unix

package edit

import (
	"io/fs"
	"syscall"
)

// fileID identifies a file: what os.SameFile compares.
type fileID struct{ dev, ino uint64 }

// fileIDOf is what os.SameFile compares on this platform: device and inode.
func fileIDOf(fi fs.FileInfo) (fileID, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fileID{}, false
	}
	return fileID{dev: uint64(st.Dev), ino: uint64(st.Ino)}, true //nolint:unconvert // int32 on some platforms
}

// folderBudget is how many folder handles Commit may keep open: a quarter
// of the file descriptors the process may open, within bounds.
func folderBudget() int {
	var lim syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim) != nil {
		return minFolders
	}
	return int(min(max(lim.Cur/4, minFolders), maxFolders)) //nolint:gosec // bounded by maxFolders
}
