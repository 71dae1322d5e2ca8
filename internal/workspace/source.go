package workspace

import (
	"path/filepath"
	"sort"
)

// Source returns the text a compose file or Dockerfile was loaded from, by
// absolute path: the text the findings' fix offsets refer to, which for
// standard input (Options.Buffer) is not what is on disk. ok is false for
// a file the workspace did not load.
func (ws *Workspace) Source(path string) (src []byte, ok bool) {
	path = filepath.Clean(path)
	for _, p := range ws.Projects {
		for _, f := range p.Files {
			if f.Path == path {
				return f.Src, true
			}
		}
		for _, s := range p.Services {
			if s.Dockerfile != nil && s.Dockerfile.Path == path {
				return s.Dockerfile.Src, true
			}
		}
	}
	for _, d := range ws.Dockerfiles {
		if d.File.Path == path {
			return d.File.Src, true
		}
	}
	return nil, false
}

// Files lists every compose file and Dockerfile the workspace loaded, as
// slash paths relative to Cwd, sorted, each once: what a report lists as
// checked.
func (ws *Workspace) Files() []string {
	seen := map[string]bool{}
	add := func(p string) { seen[ws.Rel(p)] = true }
	for _, p := range ws.Projects {
		for _, f := range p.Files {
			add(f.Path)
		}
		for _, s := range p.Services {
			if s.Dockerfile != nil {
				add(s.Dockerfile.Path)
			}
		}
	}
	for _, d := range ws.Dockerfiles {
		add(d.File.Path)
	}
	out := make([]string, 0, len(seen))
	for p := range seen {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}
