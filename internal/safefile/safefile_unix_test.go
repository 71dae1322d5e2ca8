//go:build unix

package safefile

import (
	"errors"
	"path/filepath"
	"syscall"
	"testing"
)

// TestReadFIFO: a plain read of a named pipe blocks for ever when no writer
// opens it; Read refuses it instead.
func TestReadFIFO(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip(err)
	}
	if _, err := Read(fifo, 0); !errors.Is(err, ErrNotRegular) {
		t.Errorf("Read(fifo) = %v, want ErrNotRegular", err)
	}
}
