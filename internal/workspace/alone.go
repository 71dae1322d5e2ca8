package workspace

import (
	"path/filepath"

	"github.com/decouple-dev/decouple/internal/compose"
	"github.com/decouple-dev/decouple/internal/discover"
)

// A base compose file is often the production stack and its override the
// development one, which Compose merges by default: the override's build
// of a service (a runtime-only Dockerfile, a dev target) replaces the
// base's, which is what `docker compose -f docker-compose.yml up` and a
// deploy build. Judging only the merged pair, as `docker compose up` does,
// would hide the production image; the base file alone is judged too, for
// the services whose build the override replaces.

// Judged are the project's services and those of its base file alone.
func (p *Project) Judged() []*Service {
	if len(p.Alone) == 0 {
		return p.Services
	}
	return append(append([]*Service(nil), p.Services...), p.Alone...)
}

// baseAlone judges the base file of a project that is a base file and its
// default override, alone, and returns the services whose build the
// override replaces with a build of another Dockerfile or stage. It loads
// the base file again only when the override sets a build: that a service
// of the base file also sets.
func (ws *Workspace) baseAlone(files []string, cp *compose.Project, p *Project, cache *dockerfileCache) []*Service {
	if len(files) < 2 || len(cp.Files) < 2 || cp.Files[0].Path != files[0] {
		return nil
	}
	for _, f := range files[1:] {
		if !discover.IsOverride(filepath.Base(f)) {
			return nil
		}
	}
	base := cp.Files[0]
	replaced := map[string]string{} // service -> the override file
	for _, s := range p.Services {
		if !builds(base, s.Name) {
			continue
		}
		for _, f := range cp.Files[1:] {
			if builds(f, s.Name) {
				replaced[s.Name] = f.Path
			}
		}
	}
	if len(replaced) == 0 {
		return nil
	}
	alone, err := compose.LoadLimited(files[:1], ws.limits.compose())
	if err != nil || alone.Degraded != "" {
		// The base file does not stand alone (the override gives what
		// it lacks): Compose would not run it by itself either.
		return nil
	}
	q, _ := ws.judgeProject(files[:1], alone, cache)
	merged := map[string]*Service{}
	for _, s := range p.Services {
		merged[s.Name] = s
	}
	var out []*Service
	for _, s := range q.Services {
		over, ok := replaced[s.Name]
		if !ok || s.Dockerfile == nil || s.BuiltBy != nil {
			continue
		}
		if m := merged[s.Name]; m.Dockerfile != nil && m.Dockerfile.Path == s.Dockerfile.Path && m.Stage.Index == s.Stage.Index {
			continue // the same image: judged once, merged
		}
		s.OverriddenBy = ws.Rel(over)
		out = append(out, s)
	}
	return out
}

// builds reports whether file f gives service name a build: key.
func builds(f *compose.File, name string) bool {
	_, v := f.ServiceNode(name)
	k, _ := compose.MapGet(v, "build")
	return k != nil
}

// dropNamedAlone forgets the base files judged alone that are also loaded
// by themselves (named with --file): their services are judged there.
func (ws *Workspace) dropNamedAlone() {
	single := map[string]bool{}
	for _, p := range ws.Projects {
		if len(p.Files) == 1 {
			single[p.Files[0].Path] = true
		}
	}
	for _, p := range ws.Projects {
		if len(p.Alone) > 0 && single[p.Files[0].Path] {
			p.Alone = nil
		}
	}
}
