package safefile

import (
	"errors"
	"os"
	"path/filepath"
	"sync"

	"golang.org/x/sys/unix"
)

// beneath keeps the working folder open for the process, so that a file
// under it is opened with one openat2 call that the kernel resolves
// beneath it (RESOLVE_BENEATH): a symlink that leads out fails the open.
// The checked walk (confine, then os.Root) costs a stat and an open per
// path element and was a sixth of a large tree's run; it remains for
// what this path cannot take (see readBeneath).
var beneath struct {
	sync.Mutex
	wd  string
	fd  int  // -1: wd cannot be opened
	off bool // openat2 is not available
}

// rootFD is an open descriptor of the working folder wd.
func rootFD(wd string) int {
	beneath.Lock()
	defer beneath.Unlock()
	if beneath.wd == wd {
		return beneath.fd
	}
	fd, err := unix.Open(wd, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		fd = -1
	}
	// A working folder left behind (tests change it) keeps its
	// descriptor: a reader of the old one may still hold it.
	beneath.wd, beneath.fd = wd, fd
	return fd
}

// lastWd is os.Getwd's answer, kept with what it depends on: os.Getwd
// stats "." and $PWD (two calls, per file read), where getcwd is one that
// tells whether the working folder is still the same one.
var lastWd struct {
	sync.Mutex
	physical, pwd, wd string
}

// workingDir is os.Getwd, remembered while the working folder (getcwd)
// and $PWD stay the same.
func workingDir() (string, bool) {
	physical, err := unix.Getwd()
	if err != nil {
		return "", false
	}
	pwd := os.Getenv("PWD")
	lastWd.Lock()
	defer lastWd.Unlock()
	if lastWd.wd != "" && lastWd.physical == physical && lastWd.pwd == pwd {
		return lastWd.wd, true
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", false
	}
	lastWd.physical, lastWd.pwd, lastWd.wd = physical, pwd, wd
	return wd, true
}

// underRoot places path under the working folder: a descriptor of that
// folder (-1 when none can be had) and path relative to it. inside is
// false for a path outside it as written (fd 0) or one that cannot be
// placed (fd -1).
func underRoot(path string) (fd int, rel string, inside bool) {
	beneath.Lock()
	off := beneath.off
	beneath.Unlock()
	if off {
		return -1, "", false
	}
	// A relative path that stays local as written is placed already:
	// openat2 resolves it beneath the working folder itself (AT_FDCWD).
	// That saves the two Getwd calls (a stat or two each) per file read
	// that placing it costs, a tenth of a large tree's run.
	if filepath.IsLocal(path) {
		return unix.AT_FDCWD, path, true
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return -1, "", false
	}
	wd, ok := workingDir()
	if !ok {
		return -1, "", false
	}
	rel, ok = within(wd, abs)
	if !ok {
		return 0, "", false
	}
	return rootFD(wd), rel, true
}

// readBeneath reads a file under the working folder through openat2. done
// is false when the slow path must decide: a path outside the working
// folder as written, an absolute symlink (which RESOLVE_BENEATH refuses
// even when it stays inside), a link that leads out or loops (the slow
// path tells which), or a kernel without openat2.
func readBeneath(path string, max int64) (src []byte, err error, done bool) {
	fd, rel, inside := underRoot(path)
	if !inside || fd == -1 {
		return nil, nil, false
	}
	var nfd int
	for {
		// O_NONBLOCK: a named pipe opens without waiting for a writer,
		// and readOpened refuses it.
		nfd, err = unix.Openat2(fd, rel, &unix.OpenHow{
			Flags:   unix.O_RDONLY | unix.O_CLOEXEC | unix.O_NONBLOCK | unix.O_NOCTTY,
			Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_MAGICLINKS,
		})
		if !errors.Is(err, unix.EINTR) && !errors.Is(err, unix.EAGAIN) {
			break
		}
	}
	switch {
	case err == nil:
	case errors.Is(err, unix.ENOENT), errors.Is(err, unix.ENOTDIR):
		return nil, &os.PathError{Op: "open", Path: path, Err: err}, true
	default:
		// EXDEV (out of the folder, or an absolute link), ELOOP, ENOSYS,
		// EPERM under a seccomp filter: the slow path says why.
		if errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EPERM) {
			beneath.Lock()
			beneath.off = true
			beneath.Unlock()
		}
		return nil, nil, false
	}
	src, err = readFD(path, nfd, max)
	return src, err, true
}

// readFD is readOpened on a raw descriptor: os.NewFile would stat it again
// to tell whether it can be polled.
func readFD(path string, fd int, max int64) ([]byte, error) {
	defer func() { _ = unix.Close(fd) }() // read-only
	if max <= 0 {
		max = DefaultMax
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, &os.PathError{Op: "stat", Path: path, Err: err}
	}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFREG:
	case unix.S_IFDIR:
		return nil, &os.PathError{Op: "read", Path: path, Err: errIsDir}
	default:
		return nil, &os.PathError{Op: "read", Path: path, Err: ErrNotRegular}
	}
	if st.Size > max {
		return nil, &TooLargeError{Path: path, Max: max, Size: st.Size}
	}
	// One byte more than the size sees a file that grew past the limit.
	buf := make([]byte, 0, min(st.Size, max)+1)
	for {
		if int64(len(buf)) > max {
			return nil, &TooLargeError{Path: path, Max: max, Size: int64(len(buf))}
		}
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := unix.Read(fd, buf[len(buf):cap(buf)])
		if errors.Is(err, unix.EINTR) || errors.Is(err, unix.EAGAIN) {
			continue
		}
		if err != nil {
			return nil, &os.PathError{Op: "read", Path: path, Err: err}
		}
		if n == 0 {
			return buf, nil
		}
		buf = buf[:len(buf)+n]
	}
}

// checkBeneath is Check's fast path: the path opened (O_PATH, nothing
// read) beneath the working folder, or missing. done is false when the
// slow path must decide.
func checkBeneath(path string) (err error, done bool) {
	fd, rel, inside := underRoot(path)
	switch {
	case !inside && fd == 0:
		return nil, true // outside as written: read where it is
	case !inside || fd == -1:
		return nil, false
	}
	for {
		nfd, err := unix.Openat2(fd, rel, &unix.OpenHow{
			Flags:   unix.O_PATH | unix.O_CLOEXEC,
			Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_MAGICLINKS,
		})
		switch {
		case err == nil:
			_ = unix.Close(nfd)
			return nil, true
		case errors.Is(err, unix.EINTR), errors.Is(err, unix.EAGAIN):
			continue
		case errors.Is(err, unix.ENOENT), errors.Is(err, unix.ENOTDIR):
			return nil, true
		}
		return nil, false
	}
}
