package workspace

import (
	"path/filepath"
	"sync"

	"github.com/decouple-dev/decouple/internal/compose"
	"github.com/decouple-dev/decouple/internal/dockerfile"
)

// serviceIndex finds services by what they build, so that a plan for one
// service need not walk every service of every project (quadratic on a
// large tree: the split is planned for each flagged service).
type serviceIndex struct {
	once         sync.Once
	byDockerfile map[string][]*Service // by Dockerfile path
	byBuildPos   map[buildPos][]*Service
	byFile       map[string][]*Project // by compose file path
	builds       map[string][]ComposeBuild
	byDir        map[string][]*Dockerfile // standalone Dockerfiles by folder
	byBase       map[string][]BaseUse     // by NormalizeImage of a stage's FROM image
	byName       map[nameIn][]*Service    // by name and the folder of the file declaring it
	byImage      map[string][]*Service    // services that run an image they do not build, by NormalizeImage
}

// nameIn is a service name in the folder of the compose file that
// declares it.
type nameIn struct{ dir, name string }

// BaseUse is a Dockerfile stage that starts FROM an image.
type BaseUse struct {
	Dockerfile *dockerfile.File
	Stage      *dockerfile.Stage
}

// ComposeBuild is a build a compose file names as written (see
// compose.File.Builds), with the project and file it is read from.
type ComposeBuild struct {
	Project *Project
	File    *compose.File
	Ref     compose.BuildRef
}

// buildPos is where a `build:` key is written.
type buildPos struct {
	file string
	line int
}

func (ws *Workspace) indexed() *serviceIndex {
	x := &ws.index
	x.once.Do(func() {
		x.byDockerfile = map[string][]*Service{}
		x.byBuildPos = map[buildPos][]*Service{}
		x.byFile = map[string][]*Project{}
		x.builds = map[string][]ComposeBuild{}
		x.byDir = map[string][]*Dockerfile{}
		x.byBase = map[string][]BaseUse{}
		x.byName = map[nameIn][]*Service{}
		x.byImage = map[string][]*Service{}
		seen := map[*dockerfile.File]bool{}
		addBases := func(df *dockerfile.File) {
			if df == nil || seen[df] {
				return
			}
			seen[df] = true
			for _, st := range df.Stages {
				if st.BaseStage == nil && st.Base != "" {
					k := NormalizeImage(st.Base)
					x.byBase[k] = append(x.byBase[k], BaseUse{df, st})
				}
			}
		}
		for _, d := range ws.Dockerfiles {
			dir := filepath.Dir(d.File.Path)
			x.byDir[dir] = append(x.byDir[dir], d)
			addBases(d.File)
		}
		for _, p := range ws.Projects {
			for _, f := range p.Files {
				x.byFile[f.Path] = append(x.byFile[f.Path], p)
				for _, b := range f.Builds() {
					x.builds[b.Dockerfile] = append(x.builds[b.Dockerfile], ComposeBuild{p, f, b})
					if filepath.Base(b.Dockerfile) == "Dockerfile" {
						// The build reads dockerfile when Dockerfile is
						// missing (lowercaseFallback).
						alt := filepath.Join(filepath.Dir(b.Dockerfile), "dockerfile")
						x.builds[alt] = append(x.builds[alt], ComposeBuild{p, f, b})
					}
				}
			}
			for _, s := range p.Services {
				addBases(s.Dockerfile)
				if s.Dockerfile != nil {
					x.byDockerfile[s.Dockerfile.Path] = append(x.byDockerfile[s.Dockerfile.Path], s)
				}
				if s.Build != nil {
					k := buildPos{s.Build.File.Path, s.Build.Line}
					x.byBuildPos[k] = append(x.byBuildPos[k], s)
				}
				if s.Key != nil {
					k := nameIn{filepath.Dir(s.Key.File.Path), s.Name}
					x.byName[k] = append(x.byName[k], s)
				}
				if s.Config.Build == nil && s.Config.Image != "" {
					k := NormalizeImage(s.Config.Image)
					x.byImage[k] = append(x.byImage[k], s)
				}
			}
		}
	})
	return x
}

// ServicesBuilding lists the services, in project and service order, whose
// Dockerfile is at path. The workspace must not change after the first
// call.
func (ws *Workspace) ServicesBuilding(path string) []*Service {
	return ws.indexed().byDockerfile[path]
}

// ServicesWithBuildAt lists the services, in project and service order,
// whose `build:` key (followed through extends) is at line of the file
// at path.
func (ws *Workspace) ServicesWithBuildAt(path string, line int) []*Service {
	return ws.indexed().byBuildPos[buildPos{path, line}]
}

// ServicesNamed lists the services, in project and service order, named
// name and declared in a compose file of folder dir. The workspace must
// not change after the first call.
func (ws *Workspace) ServicesNamed(dir, name string) []*Service {
	return ws.indexed().byName[nameIn{dir, name}]
}

// ProjectsWithFile lists the projects, in workspace order, that load the
// compose file at path. The workspace must not change after the first
// call.
func (ws *Workspace) ProjectsWithFile(path string) []*Project {
	return ws.indexed().byFile[path]
}

// ComposeBuildsOf lists the builds compose files name, as written, of the
// Dockerfile at path, in project, file and service order. The workspace
// must not change after the first call.
func (ws *Workspace) ComposeBuildsOf(path string) []ComposeBuild {
	return ws.indexed().builds[path]
}

// StagesFrom lists the Dockerfile stages of the workspace that start FROM
// image (compared as NormalizeImage writes it), in workspace order. The
// workspace must not change after the first call.
func (ws *Workspace) StagesFrom(image string) []BaseUse {
	return ws.indexed().byBase[NormalizeImage(image)]
}

// ServicesRunning lists the services of every project that run image
// (compared as NormalizeImage writes it) without building it, in project
// and service order. The workspace must not change after the first call.
func (ws *Workspace) ServicesRunning(image string) []*Service {
	return ws.indexed().byImage[NormalizeImage(image)]
}

// StandaloneIn lists the standalone Dockerfiles in folder dir, in
// workspace order. The workspace must not change after the first call.
func (ws *Workspace) StandaloneIn(dir string) []*Dockerfile {
	return ws.indexed().byDir[dir]
}
