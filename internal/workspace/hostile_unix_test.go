//go:build unix

package workspace

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestNamedPipes: a FIFO where a Dockerfile or an included compose file is
// expected would block a read for ever; each is an error naming it, and
// the run ends.
func TestNamedPipes(t *testing.T) {
	for _, tc := range []struct {
		name, compose string
	}{
		{"dockerfile", "services:\n  app:\n    build: .\n"},
		{"dockerfile /dev/stdin", "services:\n  app:\n    build:\n      context: .\n      dockerfile: /dev/stdin\n"},
		{"include", "include:\n  - Dockerfile\nservices:\n  app:\n    image: nginx\n"},
		{"extends", "services:\n  app:\n    extends:\n      file: Dockerfile\n      service: x\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, filepath.Join(dir, "compose.yaml"), tc.compose)
			if err := syscall.Mkfifo(filepath.Join(dir, "Dockerfile"), 0o644); err != nil {
				t.Skip(err)
			}
			write(t, filepath.Join(dir, "good", "Dockerfile"), goodDockerfile)
			t.Chdir(dir)
			ws := loadInTime(t, Options{}, 10*time.Second)
			found := false
			for _, e := range ws.Errors {
				found = found || strings.Contains(e.Msg, "not a regular file")
			}
			if !found {
				t.Errorf("want a 'not a regular file' error, got %v", ws.Errors)
			}
			if !hasDockerfile(ws, "good/Dockerfile") {
				t.Errorf("good/Dockerfile was not loaded")
			}
		})
	}
}
