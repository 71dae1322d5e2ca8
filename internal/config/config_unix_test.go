//go:build unix

package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/decouple-dev/decouple/internal/safefile"
)

// TestLoadHostile: a configuration file that is a named pipe would block a
// plain read for ever, and a huge one would be read whole; both are errors
// naming the file.
func TestLoadHostile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.yaml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip(err)
	}
	if _, err := Load(fifo); !errors.Is(err, safefile.ErrNotRegular) || !strings.Contains(err.Error(), fifo) {
		t.Errorf("Load(fifo) = %v, want a not-a-regular-file error naming it", err)
	}
	huge := filepath.Join(dir, "huge.yaml")
	if err := os.WriteFile(huge, []byte("#"+strings.Repeat("x", safefile.DefaultMax)), 0o644); err != nil {
		t.Fatal(err)
	}
	var big *safefile.TooLargeError
	if _, err := Load(huge); !errors.As(err, &big) || !strings.Contains(err.Error(), huge) {
		t.Errorf("Load(huge) = %v, want a too-large error naming it", err)
	}
}
