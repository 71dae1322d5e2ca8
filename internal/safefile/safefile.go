// Package safefile reads files decouple did not write (compose files,
// Dockerfiles, ignore files, its own configuration) without trusting them:
// only regular files, and none larger than a limit. A named pipe where a
// file is expected would block a plain read for ever, and a huge file
// would be read into memory whole.
package safefile

import (
	"errors"
	"fmt"
	"io"
	"os"
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

// Read reads a regular file of at most max bytes (0: DefaultMax). A larger
// file is refused before its content is read; a file that grows while it
// is read is refused too.
func Read(path string, max int64) ([]byte, error) {
	if max <= 0 {
		max = DefaultMax
	}
	// Stat first: opening a named pipe or a device (dockerfile:
	// /dev/stdin, a FIFO in an unpacked archive) could block for ever.
	if st, err := os.Stat(path); err != nil {
		return nil, err
	} else if st.IsDir() {
		return nil, &os.PathError{Op: "read", Path: path, Err: fmt.Errorf("is a directory, not a file")}
	} else if !st.Mode().IsRegular() {
		return nil, &os.PathError{Op: "read", Path: path, Err: ErrNotRegular}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }() // read-only
	// Stat the opened file too: the path may have been replaced since.
	st, err := f.Stat()
	if err != nil {
		return nil, err
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
