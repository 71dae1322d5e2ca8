package transform

import (
	"io/fs"
	"os"
	"path/filepath"

	"github.com/decouple-dev/decouple/internal/safefile"
)

// osFS is FS straight on the file system, for tests that plan without a
// workspace.
type osFS struct{}

func (osFS) Stat(p string) (fs.FileInfo, error)  { return os.Stat(p) }
func (osFS) Lstat(p string) (fs.FileInfo, error) { return os.Lstat(p) }
func (osFS) Exists(p string) bool                { _, err := os.Stat(p); return err == nil }
func (osFS) ReadFile(p string) ([]byte, error)   { return safefile.Read(p, 0) }
func (osFS) Glob(p string) []string              { m, _ := filepath.Glob(p); return m }
