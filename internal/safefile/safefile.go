// Package safefile reads files decouple did not write (compose files,
// Dockerfiles, ignore files, its own configuration) without trusting them:
// only regular files, and none larger than a limit. A named pipe where a
// file is expected would block a plain read for ever, and a huge file
// would be read into memory whole.
//
// A file under the working folder (the root) is also read only where it
// resolves inside the root: a symlink, or a linked folder on the way, that
// leads out of it is refused with ErrOutside, and the file is opened
// through an os.Root on the root, as internal/edit writes, so a link
// swapped in between is refused too. A file whose path is outside the
// working folder to begin with (a folder named on the command line, a
// build context written as ../x) is read where it is.
package safefile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// DefaultMax is the size limit Read applies when given none.
const DefaultMax = 10 << 20

// ErrNotRegular is a named pipe, socket or device where a file is expected.
var ErrNotRegular = errors.New("not a regular file")

// TooLargeError is a file over the size limit.
type TooLargeError struct {
	Path      string
	Max, Size int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s: %s", e.Path, e.Detail())
}

// Detail is the message without the path.
func (e *TooLargeError) Detail() string {
	return fmt.Sprintf("file is larger than the limit of %d bytes (%d bytes)", e.Max, e.Size)
}

// errIsDir is a directory where a file is expected.
var errIsDir = errors.New("is a directory, not a file")

// ErrOutside is a path under the working folder that leads out of it
// through a symlink: it is not followed, and nothing is read there.
var ErrOutside = errors.New("symlink to a path outside the working folder: not followed")

// ErrLoop is a symlink that cannot be resolved.
var ErrLoop = errors.New("symlink that cannot be resolved (a loop?): not followed")

// Read reads a regular file of at most max bytes (0: DefaultMax). A larger
// file is refused before its content is read; a file that grows while it
// is read is refused too. A path under the working folder that resolves
// outside it is refused with ErrOutside (see Check).
func Read(path string, max int64) ([]byte, error) {
	if src, err, done := readBeneath(path, max); done {
		return src, err
	}
	root, rel, err := confine(path)
	if err != nil {
		return nil, err
	}
	if root == "" {
		return read(path, max, os.Stat, os.Open)
	}
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, err
	}
	defer func() { _ = r.Close() }()
	return read(path, max,
		func(string) (fs.FileInfo, error) { return r.Stat(rel) },
		func(string) (*os.File, error) { return r.Open(rel) })
}

// ReadAnywhere is Read without the confinement to the working folder, for
// a file the user named (--config): it is read where they said.
func ReadAnywhere(path string, max int64) ([]byte, error) {
	return read(path, max, os.Stat, os.Open)
}

// Check reports whether path may be read: nil when it is outside the
// working folder to begin with or resolves inside it (or does not exist:
// the read will say so), a *os.PathError wrapping ErrOutside or ErrLoop
// when it is under the working folder and a symlink on the way leads out
// of it or does not resolve. It is for files another library opens itself
// (compose-go's .env): check, then let it read.
func Check(path string) error {
	if err, done := checkBeneath(path); done {
		return err
	}
	_, _, err := confine(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// root is the working folder with its symlinks resolved, remembered for
// the working folder it was resolved from.
var root struct {
	sync.Mutex
	wd, resolved string
}

func resolvedRoot(wd string) (string, error) {
	root.Lock()
	defer root.Unlock()
	if root.wd == wd && root.resolved != "" {
		return root.resolved, nil
	}
	r, err := filepath.EvalSymlinks(wd)
	if err != nil {
		return "", err
	}
	root.wd, root.resolved = wd, r
	return r, nil
}

// within reports whether path (absolute, clean) is dir or under it.
func within(dir, path string) (string, bool) {
	rel, err := filepath.Rel(dir, path)
	if err != nil || !filepath.IsLocal(rel) {
		return "", false
	}
	return rel, true
}

// confine returns the resolved working folder and path's place in it, or
// "" when path is outside the working folder as written (read it as it
// is). A path under it that resolves outside is refused.
func confine(path string) (rootDir, rel string, err error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", "", err
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", "", nil
	}
	if _, ok := within(wd, abs); !ok {
		return "", "", nil
	}
	rwd, err := resolvedRoot(wd)
	if err != nil {
		return "", "", &os.PathError{Op: "read", Path: path, Err: fmt.Errorf("not read: the working folder cannot be resolved (%v)", err)}
	}
	target, err := filepath.EvalSymlinks(abs)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			// Missing, or a link to nothing: read as it is, and the
			// read says it does not exist (a dangling link reads
			// nothing wherever it points).
			if _, serr := os.Stat(abs); serr != nil {
				return "", "", serr
			}
		}
		return "", "", &os.PathError{Op: "read", Path: path, Err: ErrLoop}
	}
	rel, ok := within(rwd, target)
	if !ok {
		return "", "", &os.PathError{Op: "read", Path: path, Err: ErrOutside}
	}
	return rwd, rel, nil
}

func read(path string, max int64, stat func(string) (fs.FileInfo, error), open func(string) (*os.File, error)) ([]byte, error) {
	if max <= 0 {
		max = DefaultMax
	}
	// Stat first: opening a named pipe or a device (dockerfile:
	// /dev/stdin, a FIFO in an unpacked archive) could block for ever.
	if st, err := stat(path); err != nil {
		return nil, pathErr(path, err)
	} else if st.IsDir() {
		return nil, &os.PathError{Op: "read", Path: path, Err: errIsDir}
	} else if !st.Mode().IsRegular() {
		return nil, &os.PathError{Op: "read", Path: path, Err: ErrNotRegular}
	}
	f, err := open(path)
	if err != nil {
		return nil, pathErr(path, err)
	}
	return readOpened(path, f, max)
}

// readOpened reads an opened file of at most max bytes, and closes it.
func readOpened(path string, f *os.File, max int64) ([]byte, error) {
	defer func() { _ = f.Close() }() // read-only
	if max <= 0 {
		max = DefaultMax
	}
	// Stat the opened file too: the path may have been replaced since.
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return nil, &os.PathError{Op: "read", Path: path, Err: errIsDir}
	}
	if !st.Mode().IsRegular() {
		return nil, &os.PathError{Op: "read", Path: path, Err: ErrNotRegular}
	}
	if st.Size() > max {
		return nil, &TooLargeError{Path: path, Max: max, Size: st.Size()}
	}
	src, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(src)) > max {
		return nil, &TooLargeError{Path: path, Max: max, Size: int64(len(src))}
	}
	return src, nil
}

// pathErr names path in an error of os.Root, which names the path
// relative to the root; an escape os.Root caught (a link swapped in since
// the check) is ErrOutside.
func pathErr(path string, err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		if pe.Err != nil && pe.Err.Error() == "path escapes from parent" {
			return &os.PathError{Op: "read", Path: path, Err: ErrOutside}
		}
		return &os.PathError{Op: pe.Op, Path: path, Err: pe.Err}
	}
	return err
}
