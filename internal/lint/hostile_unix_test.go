//go:build unix

package lint

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/decouple-dev/decouple/rules"
)

// TestHostileSideFiles: the files rules read beside a Dockerfile (its
// .dockerignore, a Dockerfile.code from an earlier fix) may be named pipes,
// which a plain read would wait on for ever, or huge. The run ends, the
// Dockerfile is still judged, and no fix appends to such a file.
func TestHostileSideFiles(t *testing.T) {
	const bundled = "FROM node:22-alpine\nWORKDIR /app\nCOPY . .\nCMD [\"node\", \"a.js\"]\n"
	for _, tc := range []struct {
		name  string
		setup func(dir string) error
	}{
		{"fifo .dockerignore", func(dir string) error { return syscall.Mkfifo(filepath.Join(dir, ".dockerignore"), 0o644) }},
		{"fifo Dockerfile.code", func(dir string) error { return syscall.Mkfifo(filepath.Join(dir, "Dockerfile.code"), 0o644) }},
		{"huge .dockerignore", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, ".dockerignore"), []byte(strings.Repeat("x\n", 6<<20)), 0o644)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(bundled), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := tc.setup(dir); err != nil {
				t.Skip(err)
			}
			t.Chdir(dir)
			done := make(chan *Result, 1)
			go func() {
				res, err := Run(Options{Rules: rules.Settings{Strategy: "build"}})
				if err != nil {
					t.Error(err)
				}
				done <- res
			}()
			var res *Result
			select {
			case res = <-done:
			case <-time.After(20 * time.Second):
				t.Fatal("the run did not end: a side file was read as it came")
			}
			if res == nil {
				return
			}
			judged := false
			for _, d := range res.Diagnostics {
				judged = judged || d.Rule.Code == "DC001"
				if d.Rule.Code == "DC002" && strings.Contains(tc.name, ".dockerignore") {
					t.Errorf("DC002 on a .dockerignore that is not a plain file of sane size: %s", d.Message)
				}
			}
			if !judged {
				t.Errorf("the Dockerfile was not judged: %v", res.Diagnostics)
			}
		})
	}
}
