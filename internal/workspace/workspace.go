// Package workspace is the loaded model the rules read: compose projects
// with their services, each tied to the Dockerfile stage it runs, and the
// Dockerfiles no compose service builds. Loading is the only I/O; rules are
// pure functions over this model.
package workspace

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/decouple-dev/decouple/internal/analysis"
	"github.com/decouple-dev/decouple/internal/compose"
	"github.com/decouple-dev/decouple/internal/discover"
	"github.com/decouple-dev/decouple/internal/dockerfile"
	"github.com/decouple-dev/decouple/internal/par"
	"github.com/decouple-dev/decouple/internal/safefile"
)

// Workspace is everything one run looks at.
type Workspace struct {
	Cwd         string
	Projects    []*Project
	Dockerfiles []*Dockerfile // standalone: built by no compose service
	Errors      []*FileError
	// Unloaded are the compose projects that did not load, which may
	// build Dockerfiles that otherwise look standalone.
	Unloaded []*Unloaded
	// ExtraNodeImages are company base images to treat as Node runtimes.
	ExtraNodeImages []string
	limits          Limits
	read            func(bytes int) // Options.Read, never nil
	index           serviceIndex
	fsOnce          sync.Once
	fs              *fsCache // see fsys.go
}

// FileError is a file that could not be read, parsed or loaded. Fatal
// errors set the exit status to 2; others are notes on what was not judged.
type FileError struct {
	File  string // slash path relative to Cwd
	Line  int
	Msg   string
	Fatal bool
}

func (e *FileError) Error() string {
	return analysis.Position{File: e.File, Line: e.Line}.String() + ": " + e.Msg
}

// Project is a compose project and its services.
type Project struct {
	*compose.Project
	Services []*Service
	// ProjectDirFrom names the script that runs the project with
	// --project-directory (its Dir), when it was loaded that way.
	ProjectDirFrom string
	// Alone are services as the base file alone runs them, where the
	// override file Compose merges by default replaces their build with
	// another image (alone.go).
	Alone []*Service
}

// Service is a compose service tied to the image it runs.
type Service struct {
	*compose.Service
	Project *Project
	// Dockerfile and Stage are what the service builds and runs; nil when it
	// builds nothing (or through BuiltBy, another service's build of the
	// same image). Facts describe that stage's image.
	Dockerfile *dockerfile.File
	Stage      *dockerfile.Stage
	Facts      *dockerfile.Facts
	// StageFacts are the facts of every stage of Dockerfile as the
	// workspace judged them (a stage FROM an image a compose service
	// builds holds what that build put in): what a split plans from.
	StageFacts []*dockerfile.Facts
	BuiltBy    *Service
	// Unjudged says why the image could not be judged, when it could not.
	Unjudged string
	// noDockerfile says the Dockerfile its build names does not exist.
	noDockerfile bool
	// OverriddenBy names the override file that replaces this build when
	// the project loads by default: set on a service of Project.Alone.
	OverriddenBy string
	// GitContext is the build context, its user information dropped, when
	// it is a git URL that names a folder of this working tree
	// (gitcontext.go); the service is judged from that folder,
	// LocalContext.
	GitContext, LocalContext string
}

// VariableTarget is the build target as written when a ${VAR} chooses it
// (target: ${MY_ENV}): the service may build any stage.
func (s *Service) VariableTarget() string {
	if s.Build == nil {
		return ""
	}
	for _, n := range s.Build.File.ServiceNames() {
		_, svc := s.Build.File.ServiceNode(n)
		bk, build := compose.MapGet(svc, "build")
		if bk == nil || bk.Line != s.Build.Line {
			continue
		}
		if _, t := compose.MapGet(build, "target"); t != nil && strings.Contains(t.Value, "$") {
			return t.Value
		}
	}
	return ""
}

// ContextDir is the folder the build reads: its context, or the local copy
// of a git URL context.
func (s *Service) ContextDir() string {
	if s.LocalContext != "" {
		return s.LocalContext
	}
	if s.Config.Build == nil {
		return ""
	}
	return s.Config.Build.Context
}

// Dockerfile is a Dockerfile with the facts of each stage.
type Dockerfile struct {
	File  *dockerfile.File
	Facts []*dockerfile.Facts
}

// Unloaded is a compose project that did not load: what it builds is
// unknown, so a Dockerfile it may build is not known to be standalone.
type Unloaded struct {
	File string // its first compose file, absolute
	// Dirs are the folders whose Dockerfiles it may build: those of its
	// files (a build context can be any folder under them) and the build
	// contexts its YAML names; Dockerfiles are those build.dockerfile names.
	Dirs, Dockerfiles []string
}

// unloaded is what a project that failed to load may build, read from
// the YAML of those of its files that parsed (cp may be nil). A file
// recognised as compose only by its content (sniffed) may be some other
// YAML: only the build contexts it names count, not its whole folder.
func unloaded(files []string, cp *compose.Project, sniffed bool) *Unloaded {
	u := &Unloaded{File: files[0]}
	if !sniffed {
		for _, f := range files {
			u.Dirs = append(u.Dirs, filepath.Dir(f))
		}
	}
	if cp != nil {
		for _, f := range cp.Files {
			for _, b := range f.Builds() {
				u.Dirs = append(u.Dirs, b.Context)
				if b.Named {
					u.Dockerfiles = append(u.Dockerfiles, b.Dockerfile)
				}
			}
		}
	}
	return u
}

// MayBuild returns the first compose file (relative, as findings show it)
// of a project that did not load and may build the Dockerfile at path,
// or "".
func (ws *Workspace) MayBuild(path string) string {
	for _, u := range ws.Unloaded {
		if slices.Contains(u.Dockerfiles, path) {
			return ws.Rel(u.File)
		}
		for _, d := range u.Dirs {
			if rel, err := filepath.Rel(d, path); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				return ws.Rel(u.File)
			}
		}
	}
	return ""
}

// Options configure a load.
type Options struct {
	Paths           []string // folders or files; default "."
	ComposeFiles    []string // -f: one project from these files
	ExtraNodeImages []string
	Limits          Limits
	// Parsed, when set, keeps parsed Dockerfiles for later loads in the
	// same process: the re-lint after --fix parses only what changed.
	Parsed *ParseCache
	// Read, when set, is told the size of each compose file and
	// Dockerfile once loaded, from several goroutines: the CLI sizes its
	// memory budget by it.
	Read func(bytes int)
	// Buffer, when set, is linted instead of Paths: its text stands in for
	// the file at its path (which need not exist), and everything else
	// (Dockerfiles, build contexts, .env, an override beside it) is read
	// from that file's folder. This is how editors lint unsaved text.
	Buffer *compose.Overlay
}

// Limits bound what a run reads; zero fields take the defaults. A file
// that breaks one is a fatal error naming it, and the rest is still linted.
type Limits struct {
	MaxFileSize   int64 // bytes of one compose file or Dockerfile (default 10 MiB)
	MaxFiles      int   // compose files and Dockerfiles found (default 100000)
	MaxAliasNodes int   // nodes YAML aliases may expand to in one document (default 100000)
	MaxDepth      int   // nesting of a compose document (default 1000)
	MaxStages     int   // stages of one Dockerfile (default 256)
	MaxCommand    int   // bytes of a compose command, entrypoint or test string (default 32 KiB)
	// NoFastPath loads compose files with compose-go alone (for tests
	// that compare it with the fast path).
	NoFastPath bool

	overlay *compose.Overlay // Options.Buffer, read in place of its file
}

// DefaultMaxStages is the default of Limits.MaxStages.
const DefaultMaxStages = 256

func (l Limits) compose() compose.Limits {
	return compose.Limits{MaxFileSize: l.MaxFileSize, MaxAliasNodes: l.MaxAliasNodes, MaxDepth: l.MaxDepth, MaxCommand: l.MaxCommand, Overlay: l.overlay, NoFastPath: l.NoFastPath}
}

// ComposeLimits are the limits compose files were loaded within, for
// loading them again (the check before a fix is written).
func (ws *Workspace) ComposeLimits() compose.Limits { return ws.limits.compose() }

// Load discovers and loads everything under the options' paths.
func Load(opts Options) (*Workspace, error) {
	cwd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	ws := &Workspace{Cwd: cwd, ExtraNodeImages: opts.ExtraNodeImages, limits: opts.Limits, read: opts.Read}
	if ws.read == nil {
		ws.read = func(int) {}
	}
	if ws.limits.MaxStages <= 0 {
		ws.limits.MaxStages = DefaultMaxStages
	}
	paths := opts.Paths
	if len(paths) == 0 && len(opts.ComposeFiles) == 0 {
		paths = []string{"."}
	}
	var found discover.Result
	if b := opts.Buffer; b != nil {
		ws.limits.overlay = b
		found = findBuffer(b)
	} else {
		found = discover.FindLimited(paths, opts.Limits.MaxFiles)
	}
	for _, e := range found.Errors {
		ws.Errors = append(ws.Errors, ws.pathError(e))
	}
	projects := found.Projects
	if len(opts.ComposeFiles) > 0 {
		var abs []string
		refused := false
		for _, f := range opts.ComposeFiles {
			a, err := filepath.Abs(f)
			if err != nil {
				return nil, err
			}
			if err := discover.CheckSymlink(a); err != nil {
				ws.Errors = append(ws.Errors, ws.pathError(err))
				refused = true
			}
			abs = append(abs, a)
		}
		if !refused {
			projects = append([][]string{abs}, projects...)
		}
	}

	cache := newDockerfileCache(ws.limits, opts.Parsed, ws.read)
	loaded := make([]*Project, len(projects))
	errs := make([][]*FileError, len(projects))
	failed := make([]*Unloaded, len(projects))
	par.For(len(projects), func(i int) {
		sniffed := len(projects[i]) == 1 && found.Sniffed[projects[i][0]]
		loaded[i], errs[i], failed[i] = ws.loadProject(projects[i], cache, sniffed)
		if sniffed {
			// A YAML file that only looks like a compose file: what
			// compose-go says of it is a note, never a failed run.
			for _, e := range errs[i] {
				if e.Fatal {
					e.Fatal = false
					e.Msg = "recognised as a compose file by its content, but not loaded: " + e.Msg
				}
			}
		}
	})
	built := map[string]bool{}
	named := map[string]bool{} // Dockerfiles of builds that could not be judged
	said := map[string]bool{}
	for i, p := range loaded {
		for _, e := range errs[i] {
			// Variants layered on one base repeat the base's notes:
			// each is said once.
			if msg := e.Error(); !said[msg] {
				said[msg] = true
				ws.Errors = append(ws.Errors, e)
			}
		}
		if p == nil {
			if failed[i] != nil {
				ws.Unloaded = append(ws.Unloaded, failed[i])
			}
			continue
		}
		ws.Projects = append(ws.Projects, p)
		for _, s := range p.Judged() {
			// A Dockerfile whose final stage some service runs is judged
			// through that service; other stages it may hold are not run.
			if s.Dockerfile != nil && s.BuiltBy == nil && (s.Stage == s.Dockerfile.Final() || s.VariableTarget() != "") {
				// A target a variable chooses may be the final stage.
				built[s.Dockerfile.Path] = true
			}
			if s.Dockerfile == nil && s.Config.Build != nil {
				named[compose.DockerfilePath(s.Config)] = true
			}
		}
	}
	// Standalone Dockerfiles are most of a large tree: parse them side by
	// side, then keep discovery's order.
	standalone := make([]*Dockerfile, len(found.Dockerfiles))
	dfErrs := make([]error, len(found.Dockerfiles))
	par.For(len(found.Dockerfiles), func(i int) {
		path := found.Dockerfiles[i]
		if built[path] || dockerfile.Superseded(path) {
			return
		}
		df, err := cache.get(path, filepath.Dir(path), nil)
		if err != nil {
			dfErrs[i] = err
			return
		}
		standalone[i] = &Dockerfile{File: df, Facts: df.Analyze(ws.ExtraNodeImages)}
	})
	for i, d := range standalone {
		empty := errors.Is(dfErrs[i], dockerfile.ErrNoInstructions)
		switch {
		case empty && named[found.Dockerfiles[i]]:
			// Its build's error says so.
		case empty:
			// Commented out whole: set aside, as no build names it. A
			// note, not a failed run.
			ws.Errors = append(ws.Errors, &FileError{File: ws.Rel(found.Dockerfiles[i]), Msg: "holds no instructions (empty, or all comments): not judged"})
		case dfErrs[i] != nil:
			// A build that names it has said so already (docker-compose.prod.yml
			// builds a Dockerfile.prod that does not parse): once.
			if e := ws.dockerfileError(found.Dockerfiles[i], dfErrs[i]); !said[e.Error()] {
				said[e.Error()] = true
				ws.Errors = append(ws.Errors, e)
			}
		case d != nil:
			ws.Dockerfiles = append(ws.Dockerfiles, d)
		}
	}
	ws.dropNamedAlone()
	ws.onBuiltBases()
	return ws, nil
}

// Rel is a path as findings show it: slash-separated, relative to the
// working folder when under it.
func (ws *Workspace) Rel(path string) string {
	if rel, err := filepath.Rel(ws.Cwd, path); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return filepath.ToSlash(path)
}

func (ws *Workspace) pathError(err error) *FileError {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return &FileError{File: ws.Rel(pe.Path), Msg: pe.Err.Error(), Fatal: true}
	}
	return &FileError{Msg: err.Error(), Fatal: true}
}

func (ws *Workspace) dockerfileError(path string, err error) *FileError {
	var le *compose.LimitError
	if errors.As(err, &le) {
		return &FileError{File: ws.Rel(le.Path), Line: le.Line, Msg: limitMsg(le), Fatal: true}
	}
	var pe *dockerfile.ParseError
	if errors.As(err, &pe) {
		return &FileError{File: ws.Rel(path), Line: pe.Line, Msg: pe.Err.Error(), Fatal: true}
	}
	var ose *os.PathError
	if errors.As(err, &ose) {
		return &FileError{File: ws.Rel(path), Msg: ose.Err.Error(), Fatal: true}
	}
	return &FileError{File: ws.Rel(path), Msg: err.Error(), Fatal: true}
}

// limitMsg is a limit error's message without its path, which the
// FileError carries.
func limitMsg(le *compose.LimitError) string {
	return le.Msg + " (raise it with --" + le.Flag + ")"
}

// findBuffer is what a search finds for a buffer: a standalone
// Dockerfile, or the compose project its file belongs to in its folder.
func findBuffer(b *compose.Overlay) discover.Result {
	var r discover.Result
	if err := discover.CheckSymlink(b.Path); err != nil {
		r.Errors = append(r.Errors, err)
		return r
	}
	if discover.KindOfText(b.Path, b.Src) == discover.Dockerfile {
		r.Dockerfiles = []string{b.Path}
	} else {
		r.Projects = [][]string{discover.ProjectOf(b.Path)}
	}
	return r
}

// baseNames are files a partial compose file is layered on, most specific
// first: `docker compose -f base -f variant` is how such files are used.
var baseNames = []string{
	"docker-compose.common.yml", "docker-compose.common.yaml", "docker-compose.base.yml", "docker-compose.base.yaml",
	"compose.common.yaml", "compose.common.yml", "compose.base.yaml", "compose.base.yml",
	"compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml",
}

// layered retries a lone variant file that does not stand on its own (it
// fails validation, or does not load at all: `build: null` only makes
// sense over a base) on top of a base file beside it. A file whose YAML
// does not parse, or that breaks a limit, stays as it is.
func layered(files []string, cp *compose.Project, err error, lim compose.Limits) (*compose.Project, error) {
	var pe *compose.ParseError
	var le *compose.LimitError
	switch {
	case len(files) != 1:
		return cp, err
	case err != nil && (errors.As(err, &pe) || errors.As(err, &le)):
		return cp, err
	case err == nil && (cp == nil || cp.Degraded == ""):
		return cp, err
	}
	dir := filepath.Dir(files[0])
	for _, name := range baseNames {
		base := filepath.Join(dir, name)
		if base == files[0] {
			return cp, err
		}
		if st, serr := os.Stat(base); serr != nil || !st.Mode().IsRegular() {
			continue
		}
		if both, berr := compose.LoadLimited([]string{base, files[0]}, lim); berr == nil && both.Degraded == "" {
			return both, nil
		}
		return cp, err
	}
	return cp, err
}

// loadProject loads one project; when it does not load it says what the
// project may build instead.
func (ws *Workspace) loadProject(files []string, cache *dockerfileCache, sniffed bool) (*Project, []*FileError, *Unloaded) {
	cp, err := compose.LoadLimited(files, ws.limits.compose())
	cp, err = layered(files, cp, err, ws.limits.compose())
	if err != nil {
		return nil, ws.loadErrors(files, err), unloaded(files, cp, sniffed)
	}
	for _, f := range cp.Files {
		ws.read(len(f.Src))
	}
	p, notes := ws.judgeProject(files, cp, cache)
	if missingDockerfile(p) {
		// Its builds do not resolve from its own folder: the project's
		// scripts may run it from another (--project-directory).
		paths := make([]string, len(cp.Files))
		for i, f := range cp.Files {
			paths[i] = f.Path
		}
		if dir, from := ws.projectDirFlag(paths); dir != "" && dir != cp.Dir {
			lim := ws.limits.compose()
			lim.ProjectDir = dir
			if again, err := compose.LoadLimited(paths, lim); err == nil {
				if q, qnotes := ws.judgeProject(files, again, cache); !missingDockerfile(q) {
					q.ProjectDirFrom = ws.Rel(from)
					return q, qnotes, nil
				}
			}
		}
	}
	p.Alone = ws.baseAlone(files, cp, p, cache)
	return p, notes, nil
}

// missingDockerfile reports whether a service of the project builds from a
// Dockerfile that is not there.
func missingDockerfile(p *Project) bool {
	for _, s := range p.Services {
		if s.BuiltBy == nil && s.noDockerfile {
			return true
		}
	}
	return false
}

// judgeProject ties a loaded project's services to the images they run,
// and says what a reader should know of the load.
func (ws *Workspace) judgeProject(files []string, cp *compose.Project, cache *dockerfileCache) (*Project, []*FileError) {
	var notes []*FileError
	if cp.Degraded != "" {
		note := &FileError{File: ws.Rel(files[0]), Msg: cp.Degraded}
		if at := cp.DegradedAt; at.Path != "" {
			note.File, note.Line = ws.Rel(at.Path), at.Line
		}
		notes = append(notes, note)
	}
	for _, f := range cp.Files {
		if f.Template {
			notes = append(notes, &FileError{File: ws.Rel(f.Path), Msg: "a template ({{ … }} placeholders where YAML wants a value): read with each placeholder as a plain name"})
		}
	}
	for _, err := range cp.Refused {
		// A .env that leads out of the working folder: not read, and
		// the project judged as if it had none.
		fe := ws.pathError(err)
		fe.Msg += "; variables it would set are judged as unset"
		fe.Fatal = false
		notes = append(notes, fe)
	}
	if n := unsetNote(cp); n != "" {
		notes = append(notes, &FileError{File: ws.Rel(files[0]), Msg: n})
	}
	p := &Project{Project: cp}
	byImage := map[string]*Service{}
	for _, cs := range cp.Services() {
		s := &Service{Service: cs, Project: p}
		p.Services = append(p.Services, s)
		if cs.Config.Build == nil {
			continue
		}
		addBuiltNames(byImage, s)
		ws.judgeBuild(s, cache, &notes)
	}
	for _, s := range p.Services {
		if s.Config.Build == nil && s.Config.Image != "" {
			if b := byImage[NormalizeImage(s.Config.Image)]; b != nil {
				s.BuiltBy, s.Dockerfile, s.Stage, s.Facts, s.StageFacts, s.Unjudged = b, b.Dockerfile, b.Stage, b.Facts, b.StageFacts, b.Unjudged
			}
		}
	}
	return p, notes
}

// addBuiltNames records the names of the image a service builds: its
// image:, and its build.tags where no other service's image has the name.
func addBuiltNames(byImage map[string]*Service, s *Service) {
	if s.Config.Image != "" {
		byImage[NormalizeImage(s.Config.Image)] = s
	}
	for _, t := range s.Config.Build.Tags {
		if _, taken := byImage[NormalizeImage(t)]; !taken {
			byImage[NormalizeImage(t)] = s
		}
	}
}

// onBuiltBases judges the stages that start FROM an image a compose
// service of the workspace builds (a `base` service tagged org/base, and
// web.Dockerfile FROM org/base, in the same compose file or in another
// anywhere in the searched tree): the
// image holds what that build put in, which decouple sees, instead of an
// unknown base, and the base's ONBUILD triggers run in the stage's build.
// Services and standalone Dockerfiles are judged again with those bases.
// Bases are taken as first judged: one level, whatever the order.
func (ws *Workspace) onBuiltBases() {
	type builder struct {
		s     *Service
		facts *dockerfile.Facts
	}
	byImage := map[string]*Service{}
	for _, p := range ws.Projects {
		for _, s := range p.Services {
			if s.Config.Build != nil && s.BuiltBy == nil {
				addBuiltNames(byImage, s)
			}
		}
	}
	if len(byImage) == 0 {
		return
	}
	builders := map[string]builder{}
	for name, s := range byImage {
		if s.Facts != nil && s.Facts.Runtime != dockerfile.NoRuntime {
			builders[name] = builder{s, s.Facts}
		}
	}
	bases := func(self *Service) func(*dockerfile.Stage) (dockerfile.BuiltBase, bool) {
		return func(st *dockerfile.Stage) (dockerfile.BuiltBase, bool) {
			if st.Base == "" || dockerfile.OfficialImage(st.Base) {
				// An official image (node:20) is pulled, whatever a
				// service tags its own build.
				return dockerfile.BuiltBase{}, false
			}
			b, ok := builders[NormalizeImage(st.Base)]
			if !ok || b.s == self {
				return dockerfile.BuiltBase{}, false
			}
			return dockerfile.BuiltBase{Facts: b.facts, By: b.s.Name}, true
		}
	}
	onBase := func(df *dockerfile.File, self *Service) []*dockerfile.Facts {
		on := bases(self)
		for _, st := range df.Stages {
			if _, ok := on(st); ok && st.BaseStage == nil {
				return df.AnalyzeOn(ws.ExtraNodeImages, on)
			}
		}
		return nil
	}
	// judged is the target's facts, saying which other stage it needs
	// starts on a built image.
	judged := func(df *dockerfile.File, facts []*dockerfile.Facts, target *dockerfile.Stage) *dockerfile.Facts {
		f := facts[target.Index]
		for _, st := range df.Needed(target) {
			if g := facts[st.Index]; st.Root() != target.Root() && g.BaseBuiltBy != "" {
				c := *f
				c.BuiltStage = fmt.Sprintf("stage %s starts FROM %s, which service %q builds", st.ID(), g.RootBase, g.BaseBuiltBy)
				return &c
			}
		}
		return f
	}
	for _, p := range ws.Projects {
		for _, s := range p.Judged() {
			if s.BuiltBy != nil || s.Dockerfile == nil || s.Stage == nil {
				continue
			}
			if facts := onBase(s.Dockerfile, s); facts != nil {
				s.StageFacts, s.Facts = facts, judged(s.Dockerfile, facts, s.Stage)
			}
		}
		for _, s := range p.Services {
			if s.BuiltBy != nil {
				// The image it runs, judged again.
				s.StageFacts, s.Facts = s.BuiltBy.StageFacts, s.BuiltBy.Facts
			}
		}
	}
	for _, d := range ws.Dockerfiles {
		if facts := onBase(d.File, nil); facts != nil {
			final := d.File.Final()
			facts[final.Index] = judged(d.File, facts, final)
			d.Facts = facts
		}
	}
}

// loadErrors says why a project did not load, at the file and line that
// say it when known.
func (ws *Workspace) loadErrors(files []string, err error) []*FileError {
	var lim *compose.LimitError
	if errors.As(err, &lim) {
		return []*FileError{{File: ws.Rel(lim.Path), Line: lim.Line, Msg: limitMsg(lim), Fatal: true}}
	}
	var pe *compose.ParseError
	if errors.As(err, &pe) {
		if pe.Template {
			// A project template (cookiecutter, Jinja, django
			// startproject): no compose file until rendered. A note: a
			// template repository's hook must not fail on every commit.
			return []*FileError{{File: ws.Rel(pe.Path), Line: pe.Line, Msg: pe.Msg + "; the file is a template ({{ … }} placeholders), not loaded"}}
		}
		return []*FileError{{File: ws.Rel(pe.Path), Line: pe.Line, Msg: pe.Msg, Fatal: true}}
	}
	var ose *os.PathError
	if errors.As(err, &ose) {
		return []*FileError{{File: ws.Rel(ose.Path), Msg: ose.Err.Error(), Fatal: true}}
	}
	var le *compose.LoadError
	if errors.As(err, &le) && len(le.Unresolved) > 0 {
		return []*FileError{{File: ws.Rel(files[0]), Msg: le.Error()}}
	}
	// compose-go quotes files by their absolute paths; findings name them
	// relative to the working folder.
	msg := err.Error()
	for _, f := range files {
		msg = strings.ReplaceAll(msg, f, ws.Rel(f))
	}
	if le != nil && le.Path != "" {
		return []*FileError{{File: ws.Rel(le.Path), Line: le.Line, Msg: "cannot load compose project: " + msg, Fatal: true}}
	}
	return []*FileError{{File: ws.Rel(files[0]), Msg: "cannot load compose project: " + msg, Fatal: true}}
}

// unsetNote says once per project which variables had no value and what
// stood in for .env. Names only: values may be secrets.
func unsetNote(cp *compose.Project) string {
	var parts []string
	if cp.EnvFallback != "" {
		parts = append(parts, "no .env; variables read from "+cp.EnvFallback)
	}
	if n := len(cp.Unresolved); n > 0 {
		what, its := "variable "+cp.Unresolved[0]+" is", "its"
		if n > 1 {
			what, its = "variables "+strings.Join(cp.Unresolved, ", ")+" are", "their"
		}
		how := " unset"
		if cp.EnvFallback != "" {
			how = " unset, or " + its + " example value does not fit the field"
		}
		parts = append(parts, what+how+": judged with stand-in values where a field needs one")
	}
	return strings.Join(parts, "; ")
}

// inlineOrigin places a service's dockerfile_inline in its compose file:
// a literal block (|) line by line, from the line after its key; any other
// scalar (or one set through extends) at its key's line.
func inlineOrigin(s *Service) *dockerfile.Origin {
	o := &dockerfile.Origin{Path: s.Key.File.Path, Line: s.Key.Line, Flat: true}
	if s.Build == nil || s.Build.File != s.Key.File {
		return o
	}
	_, svc := s.Key.File.ServiceNode(s.Name)
	_, build := compose.MapGet(svc, "build")
	k, v := compose.MapGet(build, "dockerfile_inline")
	if k == nil {
		return o
	}
	o.Line = k.Line
	if v.Kind == yaml.ScalarNode && v.Style&yaml.LiteralStyle != 0 && v.Value == s.Config.Build.DockerfileInline {
		// The block's text starts on the next line, indented one step
		// past its key (yaml.v3 gives no position for the text itself).
		starts, src, indent := s.Key.File.LineStarts(), s.Key.File.Src, 0
		// The block's indent is its first line's that is not blank.
		for l := k.Line; l < len(starts) && indent == 0; l++ {
			i := starts[l]
			for i < len(src) && src[i] == ' ' {
				i++
			}
			if i < len(src) && src[i] != '\n' && src[i] != '\r' {
				indent = i - starts[l]
			}
		}
		o.Line, o.Indent, o.Flat = k.Line+1, indent, false
	}
	return o
}

// lowercaseFallback is the Dockerfile a build reads at path: when the
// default name, Dockerfile, is missing, Docker (BuildKit and the classic
// builder) reads dockerfile in the same folder.
func (ws *Workspace) lowercaseFallback(path string) string {
	if filepath.Base(path) != "Dockerfile" || ws.Exists(path) {
		return path
	}
	if alt := filepath.Join(filepath.Dir(path), "dockerfile"); ws.Exists(alt) {
		return alt
	}
	return path
}

// judgeBuild ties a service to the stage it runs: build.target, else the
// last stage.
func (ws *Workspace) judgeBuild(s *Service, cache *dockerfileCache, notes *[]*FileError) {
	b := s.Config.Build
	var df *dockerfile.File
	var err error
	var path string // the Dockerfile read, when from a file
	args := map[string]string{}
	for k, v := range b.Args {
		if v != nil {
			args[k] = *v
		}
	}
	switch {
	case b.DockerfileInline != "":
		df, err = dockerfile.Parse(ws.Rel(s.Key.File.Path)+" (dockerfile_inline of "+s.Name+")", []byte(b.DockerfileInline), args)
		if df != nil {
			df.Origin = inlineOrigin(s)
		}
	default:
		path = compose.DockerfilePath(s.Config)
		if path == "" {
			local := ws.localGitContext(filepath.Dir(s.Key.File.Path), b.Context, b.Dockerfile)
			if local == "" {
				s.Unjudged = "its build context " + redactURL(b.Context) + " is remote"
				return
			}
			s.GitContext, s.LocalContext = redactURL(b.Context), local
			path = filepath.Join(local, cmp.Or(b.Dockerfile, "Dockerfile"))
		}
		df, err = cache.get(ws.lowercaseFallback(path), cmp.Or(s.LocalContext, b.Context), args)
	}
	if err != nil {
		s.Unjudged = "its Dockerfile could not be read"
		if errors.Is(err, safefile.ErrOutside) || errors.Is(err, safefile.ErrLoop) {
			// Never read where the link leads: an error at the line
			// that names the build, as for a symlink named on the
			// command line.
			why := "is a symlink to a path outside the working folder: not read"
			if errors.Is(err, safefile.ErrLoop) {
				why = "is a symlink that cannot be resolved (a loop?): not read"
			}
			s.Unjudged = "its Dockerfile " + ws.Rel(path) + " " + why
			at := s.Key
			if s.Build != nil {
				at = s.Build
			}
			*notes = append(*notes, &FileError{File: ws.Rel(at.File.Path), Line: at.Line, Msg: fmt.Sprintf("service %q: %s", s.Name, s.Unjudged), Fatal: true})
			return
		}
		var ose *os.PathError
		if errors.As(err, &ose) && errors.Is(err, os.ErrNotExist) {
			s.Unjudged, s.noDockerfile = "its Dockerfile "+ws.Rel(ose.Path)+" does not exist", true
			*notes = append(*notes, &FileError{File: ws.Rel(s.Key.File.Path), Line: s.Key.Line, Msg: fmt.Sprintf("service %q: %s", s.Name, s.Unjudged)})
			return
		}
		*notes = append(*notes, ws.dockerfileError(path, err))
		return
	}
	stage := df.Final()
	if b.Target != "" {
		stage = df.Stage(b.Target)
		if stage == nil {
			s.Unjudged = fmt.Sprintf("build target %q is not a stage of %s", b.Target, ws.Rel(df.Path))
			var names []string
			for _, st := range df.Stages {
				if st.Name != "" {
					names = append(names, st.Name)
				}
			}
			have := "it names no stage"
			if len(names) > 0 {
				have = "its stages are " + strings.Join(names, ", ")
			}
			at := s.Key
			if s.Build != nil {
				at = s.Build
			}
			*notes = append(*notes, &FileError{File: ws.Rel(at.File.Path), Line: at.Line,
				Msg: fmt.Sprintf("service %q: %s (%s)", s.Name, s.Unjudged, have)})
			return
		}
	}
	s.Dockerfile, s.Stage = df, stage
	s.StageFacts = df.Analyze(ws.ExtraNodeImages)
	s.Facts = s.StageFacts[stage.Index]
	ws.refusedIgnores(s, df.Path, notes)
}

// refusedIgnores notes a .dockerignore of the build that leads out of the
// working folder: it is never read (ReadFile refuses it), so the rules
// judge the build as if it had none that they may read, and say why.
func (ws *Workspace) refusedIgnores(s *Service, dockerfilePath string, notes *[]*FileError) {
	dir := s.ContextDir()
	if dir == "" {
		return
	}
	for _, p := range []string{dockerfilePath + ".dockerignore", filepath.Join(dir, ".dockerignore")} {
		if err := safefile.Check(p); err != nil {
			at := s.Key
			if s.Build != nil {
				at = s.Build
			}
			fe := ws.pathError(err)
			*notes = append(*notes, &FileError{File: ws.Rel(at.File.Path), Line: at.Line,
				Msg: fmt.Sprintf("service %q: its ignore file %s: %s (not read)", s.Name, fe.File, fe.Msg)})
		}
	}
}

// dockerfileCache parses each Dockerfile once per set of build args, since
// several services often build the same file.
type dockerfileCache struct {
	mu     sync.Mutex
	m      map[string]*cacheEntry
	limits Limits
	parsed *ParseCache
	read   func(bytes int)
}

type cacheEntry struct {
	once sync.Once
	df   *dockerfile.File
	err  error
}

func newDockerfileCache(lim Limits, parsed *ParseCache, read func(int)) *dockerfileCache {
	return &dockerfileCache{m: map[string]*cacheEntry{}, limits: lim, parsed: parsed, read: read}
}

// get parses the Dockerfile at path, built with contextDir as its context
// and args as its build args: one File for each.
func (c *dockerfileCache) get(path, contextDir string, args map[string]string) (*dockerfile.File, error) {
	keys := make([]string, 0, len(args))
	for k, v := range args {
		keys = append(keys, k+"="+v)
	}
	sort.Strings(keys)
	key := path + "\x00" + contextDir + "\x00" + strings.Join(keys, "\x00")
	c.mu.Lock()
	e, ok := c.m[key]
	if !ok {
		e = &cacheEntry{}
		c.m[key] = e
	}
	c.mu.Unlock()
	e.once.Do(func() {
		var src []byte
		src, e.err = c.limits.compose().ReadFile(path)
		if e.err != nil {
			return
		}
		c.read(len(src))
		if df := c.parsed.lookup(key, src); df != nil {
			e.df = df
			return
		}
		e.df, e.err = dockerfile.Parse(path, src, args)
		if e.err == nil {
			e.df.ReadContext = c.contextReader(contextDir)
		}
		if e.err == nil && len(e.df.Stages) > c.limits.MaxStages {
			e.df, e.err = nil, &compose.LimitError{Path: path, Flag: "max-stages",
				Msg: fmt.Sprintf("%d stages, more than the limit of %d", len(e.df.Stages), c.limits.MaxStages)}
		}
		if e.err == nil {
			c.parsed.store(key, e.df)
		}
	})
	return e.df, e.err
}

// contextReader reads the files of a build context for the scripts its
// Dockerfile runs (dockerfile.File.ReadContext), through the same safe
// reader as every other file: nothing outside the context, no symlink out
// of the working folder.
func (c *dockerfileCache) contextReader(dir string) func(string) ([]byte, bool) {
	if dir == "" {
		return nil
	}
	return func(name string) ([]byte, bool) {
		rel := filepath.FromSlash(name)
		if !filepath.IsLocal(rel) {
			return nil, false
		}
		src, err := c.limits.compose().ReadFile(filepath.Join(dir, rel))
		return src, err == nil
	}
}

// ParseCache keeps parsed Dockerfiles across loads in one process. An entry
// is reused only when the file still holds the very bytes it was parsed
// from, so a file changed in between is parsed again.
type ParseCache struct {
	mu sync.Mutex
	m  map[string]*dockerfile.File // by path and build args
}

// NewParseCache returns an empty cache.
func NewParseCache() *ParseCache { return &ParseCache{m: map[string]*dockerfile.File{}} }

func (pc *ParseCache) lookup(key string, src []byte) *dockerfile.File {
	if pc == nil {
		return nil
	}
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if df := pc.m[key]; df != nil && bytes.Equal(df.Src, src) {
		return df
	}
	return nil
}

func (pc *ParseCache) store(key string, df *dockerfile.File) {
	if pc == nil {
		return
	}
	pc.mu.Lock()
	pc.m[key] = df
	pc.mu.Unlock()
}

// NormalizeImage writes an image reference the way Docker resolves it, so
// that "app", "app:latest", "docker.io/library/app" and
// "index.docker.io/library/app:latest" compare equal: the default registry
// and its library/ namespace are dropped and a missing tag becomes latest.
func NormalizeImage(ref string) string {
	for _, reg := range []string{"docker.io/", "index.docker.io/", "registry-1.docker.io/"} {
		if strings.HasPrefix(ref, reg) {
			ref = ref[len(reg):]
			break
		}
	}
	ref = strings.TrimPrefix(ref, "library/")
	if strings.Contains(ref, "@") {
		return ref
	}
	last := ref[strings.LastIndex(ref, "/")+1:]
	if !strings.Contains(last, ":") {
		ref += ":latest"
	}
	return ref
}
