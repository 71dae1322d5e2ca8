package workspace

import (
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/decouple-dev/decouple/internal/safefile"
)

// The project's other files (lockfiles, ignore files, build contexts, the
// files a fix would create) reach rules and fix planners only through
// these methods: read-only, each path asked once per run (many services
// share a context), so that a rule is a function of the workspace. A later
// load, such as the re-lint after --fix, starts afresh and sees what the
// fix wrote.

type fsCache struct {
	mu    sync.Mutex
	stats map[string]statResult
	reads map[string]readResult
	globs map[string][]string
}

type statResult struct {
	info fs.FileInfo
	err  error
}

type readResult struct {
	src []byte
	err error
}

func (ws *Workspace) fsc() *fsCache {
	ws.fsOnce.Do(func() {
		ws.fs = &fsCache{stats: map[string]statResult{}, reads: map[string]readResult{}, globs: map[string][]string{}}
	})
	return ws.fs
}

// Stat is os.Stat, memoised.
func (ws *Workspace) Stat(path string) (fs.FileInfo, error) {
	c := ws.fsc()
	c.mu.Lock()
	r, ok := c.stats[path]
	c.mu.Unlock()
	if !ok {
		r.info, r.err = os.Stat(path)
		c.mu.Lock()
		c.stats[path] = r
		c.mu.Unlock()
	}
	return r.info, r.err
}

// Lstat is os.Lstat (a symlink is not followed); not memoised, as only
// a build context's existence checks ask it.
func (ws *Workspace) Lstat(path string) (fs.FileInfo, error) { return os.Lstat(path) }

// Exists reports whether something is at path.
func (ws *Workspace) Exists(path string) bool {
	_, err := ws.Stat(path)
	return err == nil
}

// ReadFile is safefile.Read with the default size limit (regular files
// only; a path under the working folder that leads out of it through a
// symlink is refused with safefile.ErrOutside, never read), memoised.
// Callers must not change the bytes.
func (ws *Workspace) ReadFile(path string) ([]byte, error) {
	c := ws.fsc()
	c.mu.Lock()
	r, ok := c.reads[path]
	c.mu.Unlock()
	if !ok {
		r.src, r.err = safefile.Read(path, 0)
		c.mu.Lock()
		c.reads[path] = r
		c.mu.Unlock()
	}
	return r.src, r.err
}

// Glob is filepath.Glob, memoised; a malformed pattern matches nothing.
func (ws *Workspace) Glob(pattern string) []string {
	c := ws.fsc()
	c.mu.Lock()
	m, ok := c.globs[pattern]
	c.mu.Unlock()
	if !ok {
		m, _ = filepath.Glob(pattern)
		c.mu.Lock()
		c.globs[pattern] = m
		c.mu.Unlock()
	}
	return m
}
