package rules

import (
	"sync"

	"github.com/decouple-dev/decouple/internal/workspace"
	"github.com/decouple-dev/decouple/transform"
)

// runCache holds what several rules (or several services of one rule) ask
// of the file system and of the workspace during one Run: each folder is
// stat'ed for lockfiles once, each ignore file read once, each path made
// relative once. It lives for one Run only, so a later run over a changed
// tree (the re-lint after --fix) sees the new files. Rules run
// concurrently, so every map is behind mu; a value is computed outside the
// lock, so two rules asking at once may both compute it, which is harmless.
type runCache struct {
	mu        sync.Mutex
	ws        *workspace.Workspace
	rels      map[string]string
	lockfiles map[string]bool
	ignores   map[[2]string]ignoreResult
	images    map[string]nodeImageResult
}

type ignoreResult struct {
	path    string
	missing []string
}

type nodeImageResult struct {
	ni nodeImage
	ok bool
}

func newRunCache(ws *workspace.Workspace) *runCache {
	return &runCache{
		ws:        ws,
		rels:      map[string]string{},
		lockfiles: map[string]bool{},
		ignores:   map[[2]string]ignoreResult{},
		images:    map[string]nodeImageResult{},
	}
}

// memo returns m[k], computing and storing it with f when absent.
func memo[K comparable, V any](c *runCache, m map[K]V, k K, f func() V) V {
	c.mu.Lock()
	v, ok := m[k]
	c.mu.Unlock()
	if ok {
		return v
	}
	v = f()
	c.mu.Lock()
	m[k] = v
	c.mu.Unlock()
	return v
}

// Rel is ws.Rel, memoised.
func (c *runCache) Rel(path string) string {
	return memo(c, c.rels, path, func() string { return c.ws.Rel(path) })
}

// hasLockfile is hasLockfile, memoised per folder.
func (c *runCache) hasLockfile(dir string) bool {
	return memo(c, c.lockfiles, dir, func() bool { return hasLockfile(c.ws, dir) })
}

// missingIgnores is transform.MissingIgnores, memoised per context and
// Dockerfile.
func (c *runCache) missingIgnores(_ transform.FS, dir, dockerfilePath string) (string, []string) {
	r := memo(c, c.ignores, [2]string{dir, dockerfilePath}, func() ignoreResult {
		p, m := transform.MissingIgnores(c.ws, dir, dockerfilePath)
		return ignoreResult{p, m}
	})
	return r.path, r.missing
}

// exist reports whether a path exists (the workspace memoises it).
func (c *runCache) exist(path string) bool {
	return c.ws.Exists(path)
}

// parseNodeImage is parseNodeImage, memoised per reference.
func (c *runCache) parseNodeImage(ref string) (nodeImage, bool) {
	r := memo(c, c.images, ref, func() nodeImageResult {
		ni, ok := parseNodeImage(ref)
		return nodeImageResult{ni, ok}
	})
	return r.ni, r.ok
}

// cacheOf is the pass's run cache; a Pass made outside Run gets its own.
func (p *Pass) cacheOf() *runCache {
	if p.cache == nil {
		p.cache = newRunCache(p.WS)
	}
	return p.cache
}
