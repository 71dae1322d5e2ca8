package rules

// Lockfiles for DC006: whether npm ci can run where the rule would suggest
// it (a lockfile in the context, copied or mounted before the RUN).

import (
	"bytes"
	"fmt"
	"path"
	"path/filepath"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"

	"github.com/decouple-dev/decouple/internal/dockerfile"
	"github.com/decouple-dev/decouple/internal/workspace"
	"github.com/decouple-dev/decouple/transform"
)

// lockfiles are the files npm ci installs from.
var lockfiles = []string{"package-lock.json", "npm-shrinkwrap.json"}

// hasLockfile reports whether a folder holds an npm lockfile.
func hasLockfile(ws *workspace.Workspace, dir string) bool {
	return lockfileIn(ws, dir, nil)
}

// lockfileIn reports whether a folder holds an npm lockfile that keep (nil:
// any) accepts by name.
func lockfileIn(ws *workspace.Workspace, dir string, keep func(name string) bool) bool {
	if dir == "" {
		return false
	}
	for _, l := range lockfiles {
		if st, err := ws.Stat(filepath.Join(dir, l)); err == nil && st.Mode().IsRegular() && (keep == nil || keep(l)) {
			return true
		}
	}
	return false
}

// contextLockfile reports whether an npm lockfile reaches a build: one in
// the context folder that its ignore file does not keep out (a
// .dockerignore listing package-lock.json leaves npm ci nothing to read).
func contextLockfile(cache *runCache, ws *workspace.Workspace, contextDir, dockerfilePath string) bool {
	// The memo first: most folders hold none.
	return cache.hasLockfile(contextDir) && lockfileIn(ws, contextDir, func(name string) bool {
		return !transform.IgnoredInContext(ws, contextDir, dockerfilePath, name)
	})
}

// lockMounted reports a RUN that bind-mounts the lockfile itself.
func lockMounted(run []byte) bool {
	if !bytes.Contains(run, []byte("--mount")) {
		return false
	}
	for _, l := range lockfiles {
		if bytes.Contains(run, []byte(l)) {
			return true
		}
	}
	return false
}

// lockCopiedBefore reports whether a COPY or ADD from the build context
// in the stage (or the stages it builds on) before line brings a lockfile
// into the image: the lockfile by name or glob, the whole context, or a
// folder that holds one.
func lockCopiedBefore(f *dockerfile.File, st *dockerfile.Stage, line int) bool {
	for s := st; s != nil; s = s.BaseStage {
		for _, cmd := range s.Commands {
			l := dockerfile.InstructionLine(cmd)
			if s == st && l >= line {
				break
			}
			var srcs []string
			switch c := cmd.(type) {
			case *instructions.CopyCommand:
				if c.From != "" {
					continue
				}
				srcs = c.SourcePaths
			case *instructions.AddCommand:
				srcs = c.SourcePaths
			}
			for _, src := range srcs {
				if copiesLockfile(src) {
					return true
				}
			}
		}
	}
	return false
}

func copiesLockfile(src string) bool {
	s := strings.TrimPrefix(path.Clean("/"+strings.TrimPrefix(src, "./")), "/")
	switch s {
	case "", ".", "*":
		return true
	}
	for _, l := range lockfiles {
		if ok, _ := path.Match(path.Base(s), l); ok {
			return true
		}
	}
	return false
}

// serviceLockfile looks for the lockfile in the code a runtime service
// runs: its own build context, the contexts of the services it takes
// volumes from, and its bind mounts.
func serviceLockfile(cache *runCache, ws *workspace.Workspace, proj *workspace.Project, s *workspace.Service) (bool, string) {
	if dir := s.ContextDir(); dir != "" && cache.hasLockfile(dir) {
		if s.Dockerfile == nil || lockCopiedBefore(s.Dockerfile, s.Stage, 1<<30) && contextLockfile(cache, ws, dir, s.Dockerfile.Path) {
			return true, "the lockfile in " + relDir(ws, dir)
		}
	}
	for _, vf := range s.Config.VolumesFrom {
		name, _, _ := strings.Cut(vf, ":")
		if strings.HasPrefix(vf, "container:") {
			continue
		}
		for _, o := range proj.Services {
			if o.Name == name && o.Config.Build != nil && cache.hasLockfile(o.Config.Build.Context) {
				return true, fmt.Sprintf("the lockfile in %s (the code of service %q)", relDir(ws, o.Config.Build.Context), name)
			}
		}
	}
	for _, v := range s.Config.Volumes {
		if v.Type == "bind" && cache.hasLockfile(v.Source) {
			return true, "the lockfile in " + relDir(ws, v.Source)
		}
	}
	return false, ""
}
