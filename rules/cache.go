package rules

import (
	"os"

	"github.com/decouple-dev/decouple/internal/workspace"
	"github.com/decouple-dev/decouple/transform"
)

// runCache holds what several rules (or several services of one rule) ask
// of the file system and of the workspace during one Run: each folder is
// stat'ed for lockfiles once, each ignore file read once, each path made
// relative once. It lives for one Run only, so a later run over a changed
// tree (the re-lint after --fix) sees the new files.
type runCache struct {
	ws        *workspace.Workspace
	rels      map[string]string
	lockfiles map[string]bool
	ignores   map[[2]string]ignoreResult
	exists    map[string]bool
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
		exists:    map[string]bool{},
		images:    map[string]nodeImageResult{},
	}
}

// Rel is ws.Rel, memoised.
func (c *runCache) Rel(path string) string {
	if r, ok := c.rels[path]; ok {
		return r
	}
	r := c.ws.Rel(path)
	c.rels[path] = r
	return r
}

// hasLockfile is hasLockfile, memoised per folder.
func (c *runCache) hasLockfile(dir string) bool {
	if v, ok := c.lockfiles[dir]; ok {
		return v
	}
	v := hasLockfile(dir)
	c.lockfiles[dir] = v
	return v
}

// missingIgnores is transform.MissingIgnores, memoised per context and
// Dockerfile.
func (c *runCache) missingIgnores(dir, dockerfilePath string) (string, []string) {
	k := [2]string{dir, dockerfilePath}
	if r, ok := c.ignores[k]; ok {
		return r.path, r.missing
	}
	p, m := transform.MissingIgnores(dir, dockerfilePath)
	c.ignores[k] = ignoreResult{p, m}
	return p, m
}

// exist reports whether a path exists, memoised.
func (c *runCache) exist(path string) bool {
	if v, ok := c.exists[path]; ok {
		return v
	}
	_, err := os.Stat(path)
	c.exists[path] = err == nil
	return err == nil
}

// parseNodeImage is parseNodeImage, memoised per reference.
func (c *runCache) parseNodeImage(ref string) (nodeImage, bool) {
	if r, ok := c.images[ref]; ok {
		return r.ni, r.ok
	}
	ni, ok := parseNodeImage(ref)
	c.images[ref] = nodeImageResult{ni, ok}
	return ni, ok
}

// cacheOf is the pass's run cache; a Pass made outside Run gets its own.
func (p *Pass) cacheOf() *runCache {
	if p.cache == nil {
		p.cache = newRunCache(p.WS)
	}
	return p.cache
}
