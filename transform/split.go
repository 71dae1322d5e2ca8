package transform

import (
	"bytes"
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"go.yaml.in/yaml/v3"

	"github.com/decouple-dev/decouple/internal/analysis"
	"github.com/decouple-dev/decouple/internal/compose"
	"github.com/decouple-dev/decouple/internal/dockerfile"
	"github.com/decouple-dev/decouple/internal/workspace"
)

// Strategies for the split.
const (
	// StrategyBuild keeps the original final stage as a build stage: the
	// code image copies the finished WORKDIR, dependencies included.
	StrategyBuild = "build"
	// StrategyInstall ships only the sources; the runtime installs
	// production dependencies before it starts, as the original article did.
	StrategyInstall = "install"
)

// DefaultCodeImage is the base of generated code-only images: it holds
// nothing but a no-op binary.
const DefaultCodeImage = "tianon/true"

// SplitOptions configure the split.
type SplitOptions struct {
	Strategy string
	// Runtime is "stock" (the base image always), "built" (a code-free
	// stage of the old image's steps always) or "" (built exactly when the
	// old image set up something the stock one lacks).
	Runtime   string
	CodeImage string
	// MissingIgnores, when set, replaces the package's MissingIgnores: a
	// linter that already read every .dockerignore passes its memo.
	MissingIgnores func(fsys FS, contextDir, dockerfilePath string) (string, []string)
	// siblingOf is the service whose check of its siblings asks for this
	// plan: this one does not ask back.
	siblingOf *workspace.Service
}

// missingIgnores is o.MissingIgnores or the package's.
func (o SplitOptions) missingIgnores(fsys FS, contextDir, dockerfilePath string) (string, []string) {
	if o.MissingIgnores != nil {
		return o.MissingIgnores(fsys, contextDir, dockerfilePath)
	}
	return MissingIgnores(fsys, contextDir, dockerfilePath)
}

// splitPlan gathers what the split needs to know about one service.
type splitPlan struct {
	ws     *workspace.Workspace
	s      *workspace.Service
	opts   SplitOptions
	file   *compose.File
	svcKey *yaml.Node
	svcVal *yaml.Node
	// ownerKey is the key of svcVal, the mapping that holds build: and that
	// the split edits: the service's own key, or an x- extension's that the
	// service merges (shared).
	ownerKey *yaml.Node
	// sharedExt is the x- extension whose build: the split edits, when
	// the service merges it (split_shared.go).
	sharedExt string
	// sharedOwner is the service whose split covers this one's shared
	// build (split_shared.go), when that is another.
	sharedOwner *workspace.Service
	// editedKeys are the keys of svcVal the split changes in place.
	editedKeys map[string]bool
	// img is what the old image set that the runtime carries, once
	// the contract adjusted it.
	img image
	// orig is the service as the workspace holds it; s is a copy when the
	// plan moved its code from / (moveRootCode), and root then plans the
	// code image.
	orig        *workspace.Service
	root        *rootCode
	rootRefusal string
	// envRefusal says why a stock runtime cannot carry the image's ENV.
	envRefusal string
	// layerBase is the file that declares the service when its build: is
	// set again in a variant layered on it (split_layered.go), and
	// layerBuild the build: node it has there (nil for none).
	layerBase  *compose.File
	layerBuild *yaml.Node
	// opaque says why no runtime is known to start (a step after the code
	// that decouple cannot read), or "".
	opaque string
	chain  []*dockerfile.Stage
	// runtimeStage is the code-free stage the runtime builds when Node is
	// installed by the Dockerfile rather than shipped by its base image;
	// nil when the base image is the runtime.
	runtimeStage *dockerfile.Stage
	// wd is the code path, the folder the code volume carries; cwd is the
	// folder the runtime starts in (working_dir), wd itself or under it.
	wd, cwd string
	unsafe  []string
	codeSvc string
	// genContext is the build context of a generated compose file,
	// relative to it ("" means ".").
	genContext string
	// rebased are the lines of COPY/ADD instructions that put code at /
	// and that the code image copies again under wd (see rootCode): their
	// destinations are carried, not lost.
	rebased map[int]bool
	// dependents run the image this service builds (image: only); they
	// become runtimes on the same code volume.
	dependents []*workspace.Service
	// contract is what the runtime must carry over to start (contract.go).
	contract contract
	// codeExists says the code Dockerfile is there already: the split is
	// refused for it once every other check has passed.
	codeExists bool
	// built is the code-free runtime stage the runtime builds when a
	// stock image would lack what the old image set up (runtime_built.go).
	built *builtRuntime
	// layout is the code Dockerfile's shape, once computed.
	layout *codeLayout
	// runtimes are the built runtimes planned so far (runtimeFor).
	runtimes map[runtimeKey]builtRuntime
	// copiedOut maps the file a one-source COPY/ADD put outside the code
	// path to its entry in unsafe, which the contract drops when init:
	// true replaces that file (a tini the old ENTRYPOINT ran).
	copiedOut map[string]int
}

// Split plans the split of a service DC001 flagged. It returns the fix, or
// the reason it cannot be done; a fix that may change behaviour is marked
// unsafe and says why.
func Split(ws *workspace.Workspace, s *workspace.Service, opts SplitOptions) (*analysis.SuggestedFix, string) {
	if opts.Strategy == "" {
		opts.Strategy = StrategyBuild
	}
	if opts.CodeImage == "" {
		opts.CodeImage = DefaultCodeImage
	}
	if s.BuiltBy != nil {
		// The service runs another service's build: that split re-points
		// it too, so its fix is the builder's.
		fix, reason := Split(ws, s.BuiltBy, opts)
		if reason != "" {
			reason = fmt.Sprintf("it runs the image service %q builds, whose split is refused: %s", s.BuiltBy.Name, reason)
		}
		return fix, reason
	}
	p := &splitPlan{ws: ws, s: s, orig: s, opts: opts, codeSvc: s.Name + "-code"}
	if reason := p.check(); reason != "" {
		if p.sharedOwner != nil {
			// Its fix is the owner's: the same edits, applied once.
			fix, why := Split(ws, p.sharedOwner, opts)
			if fix == nil {
				return nil, fmt.Sprintf("%s, and that split is refused: %s", reason, why)
			}
			return fix, ""
		}
		return nil, reason
	}
	fix, reason := p.build()
	if fix != nil && p.codeExists {
		if !p.keepCodeDockerfile(fix) {
			return nil, fmt.Sprintf("%s already exists", p.ws.Rel(p.codeDockerfile()))
		}
	}
	return fix, reason
}

// keepCodeDockerfile drops the fix's edit that creates the code Dockerfile
// when the file there holds the very text it would write: another service
// of the same build was split into it in an earlier run (a Compose v1
// file, which a split rewrites whole, splits one service a run). Any other
// file there is not decouple's to replace.
func (p *splitPlan) keepCodeDockerfile(fix *analysis.SuggestedFix) bool {
	path := p.codeDockerfile()
	old, err := p.ws.ReadFile(path)
	if err != nil {
		return false
	}
	for i, e := range fix.Edits {
		if e.File == path {
			if !bytes.Equal(e.NewText, old) {
				return false
			}
			fix.Edits = slices.Delete(fix.Edits, i, i+1)
			return true
		}
	}
	return false
}

func (p *splitPlan) check() string {
	s, rel := p.s, p.ws.Rel
	switch {
	case s.Build == nil || s.Key == nil:
		return "the service's build: key was not found"
	case s.OverriddenBy != "":
		// Its runtime would be written into the base file, under the
		// override's build, which Compose merges over it.
		return fmt.Sprintf("%s replaces this build when both files load (Compose's default): a split written in %s would change what the override merges over; split both files by hand",
			s.OverriddenBy, rel(s.Key.File.Path))
	case s.GitContext != "":
		// The code image must build from what the URL fetches, which
		// holds no Dockerfile.code until the split is pushed.
		return fmt.Sprintf("its build context is the git URL %s (judged from the local folder %s): the code service must build from that URL once the split is pushed; split it by hand",
			s.GitContext, rel(s.LocalContext))
	case s.Project.ProjectDirFrom != "":
		// The written files' paths, and the roll-out command, would
		// have to follow that folder too.
		return fmt.Sprintf("the project runs with --project-directory %s (%s), which its paths are relative to: split it by hand",
			rel(s.Project.Dir), s.Project.ProjectDirFrom)
	case s.Build.File != s.Key.File && layeredFiles(s):
		if reason := p.checkLayered(); reason != "" {
			return reason
		}
	case s.Build.File != s.Key.File:
		// The finding sits at the build: key in the extended file, so
		// the message must say why this service cannot be split where
		// it is declared.
		from := serviceAt(s.Build.File, s.Build.Line)
		return fmt.Sprintf("service %q gets its build: from service %q in %s through extends: a split must change both files (the code service declared where each is used); split them by hand", s.Name, from, rel(s.Build.File.Path))
	case s.Config.Build.DockerfileInline != "":
		return "the Dockerfile is inline (dockerfile_inline); move it to a file first"
	case s.VariableTarget() != "":
		// The code image would build the one stage the variable names
		// today, and the runtime run its command in every environment.
		return fmt.Sprintf("its build target is chosen by a variable (target: %s): a split would fix one stage for every environment; split it by hand", s.VariableTarget())
	}
	if d := s.Config.Develop; d != nil {
		for _, t := range d.Watch {
			if t.Action == types.WatchActionRebuild {
				// docker compose watch refuses a rebuild trigger on a
				// service with no build:, and the runtime has none.
				return fmt.Sprintf("its develop.watch rebuilds it when %s changes (action: rebuild), and the runtime has no build: to rebuild; move that trigger to the code service by hand", p.ws.Rel(t.Path))
			}
		}
	}
	if reason := p.moveRootCode(s.Config.Build.Context); reason != "" {
		return reason
	}
	if reason := p.checkImage(); reason != "" {
		return reason
	}
	if reason := p.checkBaseOfOthers(); reason != "" {
		return reason
	}
	if reason := p.planRoot(); reason != "" {
		return reason
	}
	if reason := p.checkOverlays(); reason != "" {
		return reason
	}
	if reason := p.checkSiblings(); reason != "" {
		return reason
	}
	p.file = s.Key.File
	if p.layerBase != nil {
		p.file = s.Build.File // the split goes where the build that runs is
	}
	p.svcKey, p.svcVal = p.file.ServiceNode(s.Name)
	p.ownerKey = p.svcKey
	if raw := p.file.RawServiceNode(s.Name); raw != nil && raw.Kind == yaml.AliasNode {
		// web: *app: the mapping is another's, edited for both.
		return fmt.Sprintf("the service's mapping is an alias (*%s); write it as `<<: *%s` to split it", raw.Value, raw.Value)
	}
	if p.svcVal == nil || p.svcVal.Kind != yaml.MappingNode || p.svcVal.Style&yaml.FlowStyle != 0 {
		return "the service is not a block mapping"
	}
	if k, _ := p.file.ServiceNode(p.codeSvc); k != nil {
		return fmt.Sprintf("a service named %q already exists", p.codeSvc)
	}
	if k, _ := compose.MapGet(p.svcVal, "volumes_from"); k != nil {
		return "the service already has volumes_from; add the code volume by hand"
	}
	if k, _ := compose.MapGet(p.svcVal, "build"); k == nil || k.Line != s.Build.Line || !directKey(p.svcVal, k) {
		if ek, ev := compose.MapGet(p.svcVal, "extends"); ek != nil && s.Build.File == p.file {
			// extends: base in the same file: splitting the base splits
			// this service too, as it inherits the runtime's keys.
			base := ev.Value
			if _, sv := compose.MapGet(ev, "service"); sv != nil {
				base = sv.Value
			}
			if owner := serviceAt(p.file, s.Build.Line); owner != "" && owner == base {
				return fmt.Sprintf("its build: is inherited from service %q (extends); the fix of %q splits it too", base, base)
			}
		}
		if s.Build.File == p.file {
			if owner := serviceAt(p.file, s.Build.Line); owner != "" && owner != s.Name {
				if _, ov := p.file.ServiceNode(owner); mergesFrom(p.svcVal, ov) {
					return fmt.Sprintf("its build: is merged from service %q (<<: *anchor); the fix of %q splits it too", owner, owner)
				}
			}
		}
		if reason := p.sharedBuild(); reason != "" {
			return reason
		}
	}
	if _, bv := compose.MapGet(p.svcVal, "build"); bv != nil && bv.Kind == yaml.MappingNode && bv.Style&yaml.FlowStyle != 0 {
		// The code service's block is written key by key from it.
		return "the service's build: is a flow mapping ({...}); write it as a block mapping to split it"
	}
	if w := p.writtenDockerfile(); strings.Contains(w, "$") && p.codeDockerfile() != p.s.Dockerfile.Path+".code" {
		// codeService names the code Dockerfile through the variable
		// (${DF}.code); x.Dockerfile's is x.code.Dockerfile, which no
		// suffix of ${DF} spells, and its value (from .env) is not to be
		// written into the file.
		return fmt.Sprintf("its dockerfile: %s names a variable, and the code Dockerfile's name cannot be written through it (a *.Dockerfile name gets .code inside it); write the path, or split the service by hand", w)
	}
	if reason := p.checkHeirs(); reason != "" {
		return reason
	}
	if other := extendedBy(p.ws, s); other != nil {
		return fmt.Sprintf("service %q in %s extends this service, and a split here would leave it with volumes_from a code service its file does not declare; split both by hand", other.Name, rel(other.Key.File.Path))
	}
	for _, other := range s.Project.Services {
		if other != p.orig && other.BuiltBy == p.orig {
			if reason := p.checkDependent(other); reason != "" {
				return fmt.Sprintf("service %q runs the image this service builds, and %s", other.Name, reason)
			}
			if p.layerBase != nil {
				// Re-pointing it would edit the files the variant is
				// layered on, which other projects read as they are.
				return fmt.Sprintf("service %q runs the image this service builds, and the split of a layered variant cannot re-point it; split them by hand (docker compose -f %s -f %s), as `decouple explain DC001` shows",
					other.Name, rel(s.Key.File.Path), rel(s.Build.File.Path))
			}
			p.dependents = append(p.dependents, other)
		}
	}
	// Another project runs the image this service builds and names
	// (a root compose file pulls what packages/x/docker-compose.yml
	// builds): after the split no build makes it with the code, and that
	// project keeps running its last build.
	if s.Config.Image != "" {
		for _, other := range p.ws.ServicesRunning(s.Config.Image) {
			if other.Project == s.Project || other.Image == nil {
				continue
			}
			p.unsafe = append(p.unsafe, fmt.Sprintf("%s runs service %q from image %s (%s:%d), which this split stops building with the code in it: it keeps running the last build, Node and code together, until it runs the runtime and the code image as this file will",
				rel(other.Key.File.Path), other.Name, other.ImageText, rel(other.Image.File.Path), other.Image.Line))
		}
	}
	// Last: a Dockerfile.code another service's split left (or this one's,
	// on a second run) is the reason only when nothing else refuses this
	// split, the checks of the plan itself included (see Split).
	p.codeExists = p.ws.Exists(p.codeDockerfile())
	return ""
}

// overlayKeys are the keys that, set for the service by a file layered on
// the one the split edits, would undo the split where the files are merged:
// a build: or image: there makes the runtime build or pull the app image
// again (a build tagged with the runtime's stock name overwrites that image
// on the host), volumes_from replaces the code volume, and a working_dir
// outside the code path starts the runtime where no code is.
var overlayKeys = []string{"build", "image", "volumes_from", "working_dir"}

// checkOverlays says why a split of the file that declares the service
// would break a project that layers another file over it, or "". Every
// project of the run that holds the declaring file is read (docker compose
// -f base -f dev is one; the base alone another), as the split's edits
// reach all of them.
func (p *splitPlan) checkOverlays() string {
	s, rel := p.s, p.ws.Rel
	// The files layered after the one the split edits count: those before
	// it (a layered split's base) are what it overrides.
	edited := s.Key.File.Path
	if p.layerBase != nil {
		edited = s.Build.File.Path
	}
	// The service's own project first, then the others loading that file
	// (found through the workspace's index: walking every project for each
	// planned split is quadratic on a large tree).
	projects := []*compose.Project{s.Project.Project}
	for _, q := range p.ws.ProjectsWithFile(edited) {
		if q.Project != s.Project.Project {
			projects = append(projects, q.Project)
		}
	}
	for _, q := range projects {
		i := slices.IndexFunc(q.Files, func(f *compose.File) bool { return f.Path == edited })
		if i < 0 {
			continue
		}
		for _, f := range q.Files[i+1:] {
			_, v := f.ServiceNode(s.Name)
			for _, key := range overlayKeys {
				k, kv := compose.MapGet(v, key)
				if k == nil || key == "working_dir" && kv.Kind == yaml.ScalarNode && inside(p.wd, path.Clean(kv.Value)) {
					continue
				}
				effect := map[string]string{
					"build":        "build the app again and tag it with the runtime's image name",
					"image":        "run that image, not the stock runtime",
					"volumes_from": "replace the code volume",
					"working_dir":  fmt.Sprintf("start the runtime outside the code path %s", p.wd),
				}[key]
				return fmt.Sprintf("%s, layered on %s, sets %s: for service %q too (%s:%d): merged with the split, `docker compose -f %s -f %s` would %s; split both files by hand, as `decouple explain DC001` shows",
					rel(f.Path), rel(edited), key, s.Name, rel(f.Path), k.Line, rel(edited), rel(f.Path), effect)
			}
		}
	}
	return ""
}

// checkSiblings says why the split cannot go on, or "", and notes what
// makes it unsafe, when another compose file of the folder, loaded as a
// project of its own (docker-compose.yml beside a complete
// docker-compose.dev.yml), declares the same service with a build:.
// Files like these are often layered all the same (docker compose -f
// docker-compose.yml -f docker-compose.dev.yml): merged, that build: and
// the runtime's image: would build the app under the stock image's name.
// Split with it, the merge holds; a split of it that is refused would
// leave the pair half split, so this one is refused too.
func (p *splitPlan) checkSiblings() string {
	s, rel := p.s, p.ws.Rel
	if p.opts.siblingOf != nil {
		return ""
	}
	for _, o := range p.ws.ServicesNamed(filepath.Dir(s.Key.File.Path), s.Name) {
		if o.Project == s.Project || o.Key.File.Path == s.Key.File.Path ||
			slices.ContainsFunc(o.Project.Files, func(f *compose.File) bool { return f.Path == s.Key.File.Path }) {
			continue
		}
		if o.Build == nil {
			if reason := p.checkImageSibling(o); reason != "" {
				return reason
			}
			continue
		}
		// The base name first: docker-compose.yml before
		// docker-compose.dev.yml.
		first, second := rel(o.Key.File.Path), rel(s.Key.File.Path)
		if len(filepath.Base(second)) < len(filepath.Base(first)) {
			first, second = second, first
		}
		if partial, base := partialBuild(s, o); partial != nil {
			// A build: with no context: beside a file that gives the
			// same service a build: is an override of it (dev.yml sets
			// the dockerfile, the base the context and volumes), whether
			// or not the project shows the two layered: split alone,
			// either file would leave the other's build on the runtime.
			return fmt.Sprintf("%s sets only part of service %q's build: (%s:%d, no context:), as an override of the build: %s gives it: layered (docker compose -f %s -f %s), a split of one file would leave the other's build on the runtime; split the service by hand, in both files",
				rel(partial.File.Path), s.Name, rel(partial.File.Path), partial.Line, rel(base.Build.File.Path), first, second)
		}
		// Complete files side by side are mostly alternatives (compose.dev
		// and compose.prod, each run alone): only where the project says
		// it layers them do they count.
		if layeredUse(p.ws, filepath.Dir(s.Key.File.Path), first, second) == "" {
			continue
		}
		pair := fmt.Sprintf("docker compose -f %s -f %s", first, second)
		if o.Facts == nil || !o.Facts.HasCode() || o.BuiltBy != nil {
			p.unsafe = append(p.unsafe, fmt.Sprintf("%s declares service %q with a build: of its own (%s:%d), which is not split: layered (%s), the merged service would build that image under the runtime's image name",
				rel(o.Key.File.Path), s.Name, rel(o.Key.File.Path), o.Key.Line, pair))
			continue
		}
		opts := p.opts
		opts.siblingOf = s
		if _, why := Split(p.ws, o, opts); why != "" {
			return fmt.Sprintf("%s declares service %q too (%s:%d), and its split is refused (%s): layered (%s), the two files would merge a build: and the runtime's image:; fix that one first, or split both by hand",
				rel(o.Key.File.Path), s.Name, rel(o.Key.File.Path), o.Key.Line, why, pair)
		}
	}
	return ""
}

// partialBuild returns where s or o, the same service in two compose files
// of a folder, is written as an override of the other: a build: mapping
// with no context:, beside a build: in the other file, in a service that
// leaves out keys the other sets (container_name, volumes). A file that
// repeats them (image:, ports:) is written to run alone. It returns that
// build: and the service it overrides; nil when neither is.
func partialBuild(s, o *workspace.Service) (*compose.Pos, *workspace.Service) {
	for _, pair := range [][2]*workspace.Service{{s, o}, {o, s}} {
		x, y := pair[0], pair[1]
		if x.Build == nil || x.Build.File != x.Key.File || y.Build == nil {
			continue // a build: reached through extends: is its base's
		}
		_, v := x.Build.File.ServiceNode(x.Name)
		_, b := compose.MapGet(v, "build")
		if b == nil || b.Kind != yaml.MappingNode {
			continue
		}
		if k, _ := compose.MapGet(b, "context"); k != nil {
			continue
		}
		_, w := y.Key.File.ServiceNode(y.Name)
		for i := 0; w != nil && w.Kind == yaml.MappingNode && i+1 < len(w.Content); i += 2 {
			if key := w.Content[i].Value; key != "build" && key != "<<" {
				if k, _ := compose.MapGet(v, key); k == nil {
					return x.Build, y
				}
			}
		}
	}
	return nil, nil
}

// checkImageSibling says why the split cannot go on when o, the same
// service in another compose file of the folder, runs a published image
// (image:, no build:) and the project layers the two files: merged, a
// runtime that builds (a stage of the Dockerfile) would be built and
// tagged under that image name, and the file that runs the image alone
// (pull_policy: missing, or no registry) would then start a runtime with
// no code in it. A stock runtime sets an image: of its own, which wins:
// that split is only unsafe, as the published image is no longer built.
func (p *splitPlan) checkImageSibling(o *workspace.Service) string {
	s, rel := p.s, p.ws.Rel
	if o.Image == nil || o.Config.Image == "" {
		return ""
	}
	first, second := rel(o.Key.File.Path), rel(s.Key.File.Path)
	by := layeredUse(p.ws, filepath.Dir(s.Key.File.Path), first, second)
	if by == "" {
		return ""
	}
	if p.built == nil && p.runtimeStage == nil {
		// The stock runtime's image: wins in the merge, so it runs; but
		// the layered build no longer makes the published image, which
		// the other file, run alone (a deploy), keeps running as it was.
		p.unsafe = append(p.unsafe, fmt.Sprintf("%s runs service %q from image: %s (%s:%d), which %s built when layered (%s): after the split nothing builds that image, and %s alone keeps running its last build, Node and code together; split that file too",
			first, s.Name, o.ImageText, rel(o.Image.File.Path), o.Image.Line, second, rel(by), first))
		return ""
	}
	return fmt.Sprintf("%s declares service %q with image: %s (%s:%d), and %s layers the two files (docker compose -f %s -f %s): the runtime this split builds would be tagged with that name, which %s alone then runs without the code; use the stock runtime (--runtime stock) or split the files by hand",
		rel(o.Key.File.Path), s.Name, o.ImageText, rel(o.Image.File.Path), o.Image.Line, rel(by), first, second, rel(o.Key.File.Path))
}

// layeredUse names the file that shows two compose files of folder dir
// used together, or "": a line that gives both with -f (a Makefile
// target, an npm script, a shell script, the README's instructions), or
// COMPOSE_FILE in .env listing both. It looks in the two files (a usage
// comment at the top of an overlay), the folder and the working folder.
func layeredUse(ws *workspace.Workspace, dir, a, b string) string {
	a, b = filepath.Base(a), filepath.Base(b)
	candidates := []string{filepath.Join(dir, b), filepath.Join(dir, a)}
	for _, d := range []string{dir, "."} {
		for _, name := range []string{"Makefile", "makefile", "GNUmakefile", "package.json", ".env", "README.md", "readme.md"} {
			candidates = append(candidates, filepath.Join(d, name))
		}
		candidates = append(candidates, ws.Glob(filepath.Join(d, "*.sh"))...)
	}
	seen := map[string]bool{}
	for _, c := range candidates {
		if seen[c] {
			continue
		}
		seen[c] = true
		src, err := ws.ReadFile(c)
		if err != nil || !bytes.Contains(src, []byte(a)) || !bytes.Contains(src, []byte(b)) {
			continue
		}
		for _, line := range strings.Split(string(src), "\n") {
			if fileFlag(line, a) && fileFlag(line, b) || strings.Contains(line, "COMPOSE_FILE") && strings.Contains(line, a) && strings.Contains(line, b) {
				return c
			}
		}
	}
	return ""
}

// fileFlag reports whether a command line gives name to -f or --file
// (docker compose -f docker-compose.yml, --file=./docker-compose.dev.yml).
func fileFlag(line, name string) bool {
	fields := strings.Fields(line)
	for i, f := range fields {
		v, ok := "", false
		switch {
		case (f == "-f" || f == "--file") && i+1 < len(fields):
			v, ok = fields[i+1], true
		case strings.HasPrefix(f, "--file="):
			v, ok = strings.TrimPrefix(f, "--file="), true
		}
		if ok && filepath.Base(strings.Trim(v, `"'`)) == name {
			return true
		}
	}
	return false
}

// layeredFiles reports whether the service's declaration and its build:
// are in two files of the project, layered with -f (not reached through
// extends).
func layeredFiles(s *workspace.Service) bool {
	in := func(f *compose.File) bool {
		for _, pf := range s.Project.Files {
			if pf == f {
				return true
			}
		}
		return false
	}
	return in(s.Key.File) && in(s.Build.File)
}

// checkImage says why the image the service runs cannot be split, or "":
// the runtime must come from a node base image, the code must live in a
// folder that can be a volume, and the generated Dockerfile must be new.
func (p *splitPlan) checkImage() string {
	s, f, rel := p.s, p.s.Facts, p.ws.Rel
	if g := f.WithGlobalApp(append(slices.Clone(s.Config.Entrypoint), s.Config.Command...)); g != nil {
		f = g // compose's command starts a global package: that is the app
	}
	switch {
	case f.Runtime == dockerfile.NoRuntime:
		return fmt.Sprintf("the base image %s (%s:%d) is not one decouple knows to ship Node: the runtime service needs a node image; use one as the base first",
			f.RootBase, rel(s.Dockerfile.Path), f.RootBaseLine)
	case f.Runtime != dockerfile.Node:
		return fmt.Sprintf("the runtime is %s, not Node", f.Runtime)
	case f.BaseBuiltBy != "":
		return fmt.Sprintf("Node and the code come from its base image %s, which service %q builds: the two images are split together, by hand", f.RootBase, f.BaseBuiltBy)
	case f.BuiltStage != "":
		return f.BuiltStage + ": what it holds comes from that build, so the two are split together, by hand"
	case dockerfile.WindowsImage(f.RootBase) || len(f.Workdir) > 1 && f.Workdir[1] == ':' || strings.Contains(f.Workdir, ":/") || strings.Contains(f.Workdir, `:\`):
		return fmt.Sprintf("%s is a Windows image: the code-only image decouple writes (FROM %s) is a Linux image, which a Windows engine cannot run; split it by hand", f.RootBase, DefaultCodeImage)
	case dockerfile.NodeAppImage(f.RootBase):
		// It starts the application from its own folder: a runtime whose
		// working_dir is the copied files' folder would not start.
		return fmt.Sprintf("%s is a Node application's image, which starts from its own folder: mount the project's files (extensions, a theme) where the application reads them, by hand", f.RootBase)
	case !f.HasCode():
		// Code at / or in folders side by side was moved under /app
		// before this check (moveRootCode), so CodeRoot is set.
		return "the image holds no app code to split"
	case f.WorkdirUnresolved != nil:
		// The runtime's working_dir would be a guess.
		at, names := fmt.Sprintf("%s:%d", rel(s.Dockerfile.Path), f.WorkdirUnresolved.Line), f.WorkdirUnresolved.What
		for _, n := range strings.Split(names, ", ") {
			if _, global := s.Dockerfile.MetaArgs[n]; global {
				return fmt.Sprintf("the WORKDIR at %s uses %s, a global ARG, which a stage sees only once it declares it again: add ARG %s after the FROM", at, n, n)
			}
		}
		return fmt.Sprintf("the WORKDIR at %s uses %s, which has no value here (no ARG default, no build arg; the base image may set it): the code path cannot be told; give it a default or a build arg", at, names)
	case slices.Contains(f.CodeDirs, "") && f.Workdir != "":
		// (Without a WORKDIR moveRootCode says so.) ghost install --dir
		// "$HOME/ghost": the code volume would not hold it.
		for i, d := range f.CodeDirs {
			if d == "" && i < len(f.Code) {
				return fmt.Sprintf("app code goes to a folder decouple cannot tell (%s, %s:%d): the code volume would not hold it; name the folder with a literal path or an ENV set in this Dockerfile",
					f.Code[i].What, rel(s.Dockerfile.Path), f.Code[i].Line)
			}
		}
		return "app code goes to a folder decouple cannot tell: the code volume would not hold it"
	case f.GlobalAppOnly():
		// npm install -g's tree is Node's own folder: a volume there
		// would hide npm and corepack, and a new Node would not see it.
		return fmt.Sprintf("the app is a package installed globally (%s, %s:%d), into Node's own folders, which no code volume can carry; install it into a WORKDIR instead (npm install there) and start it from node_modules/.bin",
			f.Code[0].What, rel(s.Dockerfile.Path), f.Code[0].Line)
	case f.ModulesUnresolved != nil:
		// The code image would copy node_modules from a guessed folder.
		return fmt.Sprintf("the RUN at %s:%d runs %s, a folder decouple cannot tell (a variable with no value here, or a command's output): where node_modules lands is unknown; use WORKDIR, or cd to a literal path or to an ENV or ARG set in this Dockerfile",
			rel(s.Dockerfile.Path), f.ModulesUnresolved.Line, f.ModulesUnresolved.What)
	case f.Workdir == "":
		if reason := p.checkNoWorkdir(f.CodeRoot()); reason != "" {
			return reason
		}
	}
	nodeInstalled := f.UnknownBase || f.RuntimeBy.Line != f.RootBaseLine
	if nodeInstalled {
		// Node is installed by a RUN (or copied in): the runtime can build
		// the last stage of the chain that holds Node but no code.
		p.runtimeStage = p.codeFreeNodeStage()
		if p.runtimeStage == nil && p.opts.Strategy != StrategyBuild {
			return fmt.Sprintf("Node comes from %s (%s:%d) in the same stage as the code, and no earlier stage holds Node without it: split the install into its own named stage (FROM … AS runtime), use --strategy build, or base the Dockerfile on a node image",
				f.RuntimeBy.What, rel(s.Dockerfile.Path), f.RuntimeBy.Line)
		}
	}
	p.chain = p.chainOf(s.Stage)
	p.wd, p.cwd = p.codePath(f), f.Workdir
	if p.cwd == "" {
		p.cwd = p.wd
	}
	if p.opts.Strategy == StrategyInstall {
		if reason := p.installGap(); reason != "" {
			return reason
		}
	}
	if reason := p.outsideWrites(); reason != "" {
		return reason
	}
	if reason := p.entryWrites(); reason != "" {
		return reason
	}
	if p.opts.Strategy == StrategyBuild {
		// The old chain set up something outside the code path (or
		// installs Node itself): the runtime replays those steps in a
		// code-free stage of its own instead of running a stock image.
		br := p.runtimeFor(s.Stage, p.wd, len(p.codeTargets()) > 1)
		// A stock runtime lacks what that step made outside the code path
		// just as a built one would; said once the contract check has had
		// its say (a runtime that is not Node is the plainer reason).
		p.opaque = br.opaque
		if br.needed {
			if br.refuse != "" {
				return br.refuse
			}
			p.built, p.runtimeStage = &br, nil
		}
	}
	if p.built == nil && p.runtimeStage == nil && nodeInstalled {
		return fmt.Sprintf("Node comes from %s (%s:%d) in the same stage as the code, and no earlier stage holds Node without it: a stock image cannot be the runtime; use --runtime built (with --strategy build), or split the install into its own named stage",
			f.RuntimeBy.What, rel(s.Dockerfile.Path), f.RuntimeBy.Line)
	}
	return ""
}

// checkHeirs refuses a split whose heirs (services that extend this one,
// or merge its mapping) set their own image: or volumes_from:: those win
// over the runtime's, so the heir would run an image nothing builds any
// more, or without the code volume.
func (p *splitPlan) checkHeirs() string {
	if p.svcVal.Anchor != "" && p.sharedExt == "" {
		// Every use of the edited mapping must be a service's merge key
		// (the heirs the split renews).
		if stray := strayAlias(p.file, p.svcVal); stray != nil {
			return fmt.Sprintf("its mapping (&%s) is also used at %s:%d, not as a service's merge key; split it by hand", p.svcVal.Anchor, p.ws.Rel(p.file.Path), stray.Line)
		}
	}
	extends, merged := p.heirs()
	names := append(append([]string{}, extends...), merged...)
	if p.sharedExt != "" {
		// The service itself merges the edited mapping too.
		names = append(names, p.s.Name)
	}
	for _, o := range p.s.Project.Services {
		// One that inherits the build further (extends a service that
		// merges it) gets the runtime's keys too, unchecked.
		if o != p.orig && o.Build != nil && o.Build.File == p.s.Build.File && o.Build.Line == p.s.Build.Line && !slices.Contains(names, o.Name) {
			return fmt.Sprintf("service %q inherits this build: through another service (extends or a nested merge); split them by hand", o.Name)
		}
	}
	for _, name := range names {
		_, v := p.file.ServiceNode(name)
		if v == nil || v.Kind != yaml.MappingNode {
			continue
		}
		for i := 0; i+1 < len(v.Content); i += 2 {
			if k := v.Content[i]; k.Tag != "!!merge" && (k.Value == "image" || k.Value == "volumes_from") {
				return fmt.Sprintf("service %q inherits this service's keys and sets its own %s: (%s:%d), which would win over the runtime's: after the split nothing would build its image or give it the code; split them by hand",
					name, k.Value, p.ws.Rel(p.file.Path), k.Line)
			}
		}
	}
	return ""
}

// directKey reports whether k is a key of mapping m itself, not one a
// merge key (<<: *anchor) brings in: the split edits the service's own
// keys, and one in the anchor is shared with every service that merges it.
func directKey(m, k *yaml.Node) bool {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i] == k {
			return true
		}
	}
	return false
}

// checkBaseOfOthers refuses a split of a service whose image another
// Dockerfile builds on (compose builds puretome/base, web.Dockerfile starts
// FROM puretome/base): after the split no build makes that image with Node
// and the code in it, so those builds would break.
func (p *splitPlan) checkBaseOfOthers() string {
	names := []string{p.s.Config.Image}
	if b := p.s.Config.Build; b != nil {
		names = append(names, b.Tags...) // build.tags name it too
	}
	for i, image := range names {
		if image == "" {
			continue
		}
		shown := image // as written: a value from .env is never printed
		if i == 0 && p.s.ImageText != "" {
			shown = p.s.ImageText
		}
		if reason := p.checkBaseOf(image, shown); reason != "" {
			return reason
		}
	}
	return ""
}

// checkBaseOf is checkBaseOfOthers for one name of the service's image.
func (p *splitPlan) checkBaseOf(image, shown string) string {
	for _, u := range p.ws.StagesFrom(image) {
		if u.Dockerfile.Path == p.s.Dockerfile.Path {
			continue
		}
		at := fmt.Sprintf("%s (FROM at line %d)", p.ws.Rel(u.Dockerfile.Path), u.Stage.Line)
		if len(p.ws.ServicesBuilding(u.Dockerfile.Path)) > 0 {
			// A compose build starts from it: the stack would not build.
			return fmt.Sprintf("its image %s is the base of %s, which compose builds: after a split no build would make that image with Node and the code in it; split the images built on it first, or by hand", shown, at)
		}
		// A Dockerfile built elsewhere (a deploy target) pulls the
		// published image: it breaks when the next release publishes
		// the split images only.
		p.unsafe = append(p.unsafe, fmt.Sprintf("%s builds on its image %s, which the split stops making with Node and the code in it", at, shown))
	}
	return ""
}

// codePath is the folder a stage's code volume carries: its code root,
// widened with the build strategy to the folder that holds every place
// code went (COPY . /app, then WORKDIR /app/apps/web: the volume is /app,
// the runtime starts in /app/apps/web). When only / holds them all, the
// code root stays, and the contract names what lies outside it.
func (p *splitPlan) codePath(f *dockerfile.Facts) string {
	root := f.CodeRoot()
	if root == "" || p.opts.Strategy != StrategyBuild {
		return root
	}
	wide := root
	for _, d := range f.CodeDirs {
		for wide != "/" && d != wide && !strings.HasPrefix(d, wide+"/") {
			wide = path.Dir(wide)
		}
	}
	if wide == "/" {
		return root
	}
	// A node_modules in a folder above the code, which the app finds by
	// walking up (installed there, or moved there: mv node_modules ../),
	// goes into the volume with it; one at / gets a volume of its own
	// (modulesAbove).
	for _, m := range f.Modules {
		if m.What != "/" && strings.HasPrefix(wide, m.What+"/") {
			wide = m.What
		}
	}
	return wide
}

// modulesAbove lists the node_modules folders outside the code path wd
// that the app finds and the code volume cannot hold: one above wd, which
// the app finds by walking up (only / holds both: mv node_modules
// /node_modules, so that a bind mount over the app does not hide them),
// and one that the image's NODE_PATH names (cd /opt/deps && npm install;
// ENV NODE_PATH=/opt/deps/node_modules), or the service's environment
// names. The code image copies each and
// shares it as a volume of its own, mounted with the code's.
func modulesAbove(f *dockerfile.Facts, wd string, serviceNodePath ...string) []string {
	var nodePath []string
	values := serviceNodePath
	if v, ok := f.Env("NODE_PATH"); ok {
		values = append(values, v)
	}
	for _, v := range values {
		for _, p := range strings.Split(v, ":") {
			if path.IsAbs(p) {
				nodePath = append(nodePath, path.Clean(p))
			}
		}
	}
	var out []string
	for _, m := range f.Modules {
		nm := path.Join(m.What, "node_modules")
		if strings.HasSuffix(nm, "/lib/node_modules") {
			continue // Node's global folder (npm, corepack): the runtime's own
		}
		above := strings.HasPrefix(wd, strings.TrimSuffix(m.What, "/")+"/")
		if !above && (!slices.Contains(nodePath, nm) || nm == wd || strings.HasPrefix(nm, wd+"/")) {
			continue // in the code path, or where the app does not look
		}
		if !slices.Contains(out, nm) {
			out = append(out, nm)
		}
	}
	return out
}

// checkNoWorkdir says why an image that sets no WORKDIR cannot run from
// its code folder, or "". The old process started in /, where no app is,
// so its commands name the app by absolute paths, and the runtime may
// start in the code folder (working_dir) without changing what they mean;
// a relative path with a folder in it (node src/app.js) is the exception.
// A base decouple cannot see into may set a WORKDIR of its own.
func (p *splitPlan) checkNoWorkdir(root string) string {
	s, rel := p.s, p.ws.Rel
	if s.Facts.UnknownBase {
		return fmt.Sprintf("the Dockerfile sets no WORKDIR and its base %s may set one decouple cannot see: add WORKDIR %s before the code arrives", s.Facts.RootBase, root)
	}
	if reason := p.baseWorkdirUnknown(s.Facts); reason != "" {
		return reason
	}
	if s.Config.WorkingDir != "" {
		return ""
	}
	// Code copied to relative destinations (COPY --from=build /app/dist
	// ./dist) and a command naming it the same way resolve together under
	// any WORKDIR set before the copies; with absolute ones, the command's
	// path is the one to change.
	relative := p.relativeCodeCopy(s.Facts) != ""
	check := func(words []string, where string) string {
		for _, w := range words {
			for _, f := range strings.Fields(w) {
				if strings.Contains(f, "/") && !strings.HasPrefix(f, "/") && !strings.Contains(f, "://") && !strings.HasPrefix(f, "$") {
					if relative {
						return fmt.Sprintf("the Dockerfile sets no WORKDIR and %s names %s relative to /, while the runtime starts in the code folder %s: add a WORKDIR (such as /app) before the code is copied, so that the copies and the command resolve under it", where, f, root)
					}
					return fmt.Sprintf("the Dockerfile sets no WORKDIR and %s names %s relative to /, while the runtime starts in the code folder %s: add WORKDIR %s and make the path relative to it", where, f, root, root)
				}
			}
		}
		return ""
	}
	for _, st := range p.chainOf(s.Stage) {
		for _, c := range st.Commands {
			where := fmt.Sprintf("%s:%d", rel(s.Dockerfile.Path), dockerfile.InstructionLine(c))
			var reason string
			switch c := c.(type) {
			case *instructions.CmdCommand:
				reason = check(c.CmdLine, "CMD at "+where)
			case *instructions.EntrypointCommand:
				reason = check(c.CmdLine, "ENTRYPOINT at "+where)
			case *instructions.HealthCheckCommand:
				if c.Health != nil {
					reason = check(c.Health.Test, "HEALTHCHECK at "+where)
				}
			}
			if reason != "" {
				return reason
			}
		}
	}
	if reason := check(s.Config.Command, "the service's command"); reason != "" {
		return reason
	}
	return check(s.Config.Entrypoint, "the service's entrypoint")
}

// installGap says why the sources and an install of production
// dependencies cannot stand in for the image (--strategy install), or "":
// the image holds what the build made (COPY --from=build /app/dist, RUN
// npm run build after the code), which the code image of sources lacks.
// An install of devDependencies too makes the fix unsafe.
func (p *splitPlan) installGap() string {
	df := p.s.Dockerfile
	codeLines := map[int]bool{}
	for _, c := range p.s.Facts.Code {
		codeLines[c.Line] = true
	}
	codeSeen, dev := false, ""
	for _, st := range p.chain {
		for _, c := range st.Commands {
			line := dockerfile.InstructionLine(c)
			switch c := c.(type) {
			case *instructions.CopyCommand:
				if c.From != "" && codeLines[line] {
					return fmt.Sprintf("the image gets what a build made from %s (%s:%d), which the sources do not hold: a runtime that only installs dependencies would start without it; use --strategy build",
						dockerfile.Shorten(strings.TrimSpace(instructionSource(df, c))), p.ws.Rel(df.Path), line)
				}
			case *instructions.RunCommand:
				for _, script := range dockerfile.RunScripts(c) {
					for _, cmd := range dockerfile.ShellCommands(script) {
						// Before the code too: COPY package*.json; RUN npm
						// ci; COPY . . installs what the app starts with.
						if cmd.Kind == dockerfile.ProjectInstall && !productionInstall(cmd.Rest(), df.EnvAt(st, line)) && dev == "" {
							dev = fmt.Sprintf("RUN at %s:%d installs devDependencies too (%s); the runtime installs production ones only, so a command that needs a dev tool (nodemon, ts-node) would not start",
								p.ws.Rel(df.Path), line, dockerfile.Shorten(strings.Join(cmd.Args, " ")))
						}
						if codeSeen && cmd.Kind == dockerfile.ProjectRun && makesFiles(cmd) {
							return fmt.Sprintf("RUN at %s:%d runs %s on the code, which the sources do not hold the result of: a runtime that only installs dependencies would start without it; use --strategy build",
								p.ws.Rel(df.Path), line, dockerfile.Shorten(strings.Join(cmd.Args, " ")))
						}
					}
				}
			}
			if codeLines[line] {
				codeSeen = true
			}
		}
	}
	if dev != "" {
		p.unsafe = append(p.unsafe, dev)
	}
	return ""
}

// makesFiles reports a project run that may leave files the app needs
// (npm run build, npx tsc, node build.js); tests, linters and looks leave
// none.
func makesFiles(c dockerfile.Command) bool {
	rest := c.Rest()
	if c.Name == "node" || c.Name == "npx" || c.Name == "bun" || len(rest) == 0 {
		return true
	}
	script := rest[0]
	if (script == "run" || script == "run-script") && len(rest) > 1 {
		script = rest[1]
	}
	switch script {
	case "test", "t", "tst", "lint", "audit", "ls", "list", "outdated", "version", "--version", "-v", "doctor", "whoami", "check", "typecheck", "type-check", "format:check":
		return false
	}
	return true
}

// productionInstall reports an install of production dependencies only:
// its flags say so, or it runs under NODE_ENV=production.
func productionInstall(args []string, env map[string]string) bool {
	return env["NODE_ENV"] == "production" || dockerfile.ProductionOnly(args)
}

// chainOf lists a stage's FROM-chain, the root first.
func (p *splitPlan) chainOf(st *dockerfile.Stage) []*dockerfile.Stage {
	var out []*dockerfile.Stage
	for ; st != nil; st = st.BaseStage {
		out = append([]*dockerfile.Stage{st}, out...)
	}
	return out
}

// checkDependent says why a service that runs the built image cannot be
// re-pointed at the runtime image and the code volume, or "".
func (p *splitPlan) checkDependent(d *workspace.Service) string {
	if d.Image == nil || d.Key == nil || d.Image.File != d.Key.File {
		return "its image: is inherited"
	}
	if d.Image.File.Legacy && d.Image.File != p.file {
		return "it lives in another v1-layout file"
	}
	_, v := d.Image.File.ServiceNode(d.Name)
	ik, iv := compose.MapGet(v, "image")
	if ik == nil || iv.Kind != yaml.ScalarNode || iv.Line != ik.Line || ik.Line != d.Image.Line {
		return "its image: is not a one-line value of its own"
	}
	if k, _ := compose.MapGet(v, "volumes_from"); k != nil {
		return "it already has volumes_from"
	}
	if (p.built != nil || p.runtimeStage != nil) && d.Image.File != p.file {
		return "the runtime is built, and it lives in another file, where the build's context would mean another folder"
	}
	if t := p.volumeInCode(d.Name); t != "" {
		// Docker fills a new volume from the container's image, which
		// would be the stock runtime, with nothing there.
		return fmt.Sprintf("it mounts a volume over %s, inside the code path, which would start empty in the runtime", t)
	}
	return ""
}

// codeFreeNodeStage is the last named stage of the chain, before the one
// the service runs, whose image holds Node and no app code.
func (p *splitPlan) codeFreeNodeStage() *dockerfile.Stage {
	facts := stageFacts(p.ws, p.s)
	for st := p.s.Stage.BaseStage; st != nil; st = st.BaseStage {
		fa := facts[st.Index]
		if fa.Runtime == dockerfile.Node && !fa.HasCode() && st.Name != "" {
			return st
		}
	}
	return nil
}

// codeDockerfile names the generated code-only Dockerfile.
func (p *splitPlan) codeDockerfile() string {
	return dockerfile.CodeDockerfilePath(p.s.Dockerfile.Path)
}

// image is what the stage chain ran before: ARGs fed by compose build.args
// keep their ${VAR} text as written, others resolve to their defaults.
type image struct {
	env []kv // ENV in order
	// carried are the ENV keys whose last value the runtime image itself
	// holds (a built runtime replays ENV; a code-free Node stage has its
	// own): compose need not, and for values that name the base image's
	// variables ($PATH) cannot, restate them.
	carried     map[string]bool
	cmd, entry  []string
	cmdShell    bool
	entryShell  bool
	shell       []string
	user        string
	stopSignal  string
	healthcheck *instructions.HealthCheckCommand
}

type kv struct{ k, v string }

// literal is a USER or STOPSIGNAL value with its build variables resolved
// as the build resolves them (ARG defaults, build args written as plain
// values, earlier ENVs); one that stays a variable refuses the split, since
// compose would read the name from its own environment, not the build's.
func (p *splitPlan) literal(what, raw string, env []kv, args map[string]string, c instructions.Command) string {
	if !strings.Contains(raw, "$") {
		return raw
	}
	v, missing := p.composeText(raw, env, args)
	if missing != "" || strings.Contains(strings.ReplaceAll(v, "$$", ""), "$") || v == "" || strings.HasPrefix(v, ":") || strings.HasSuffix(v, ":") {
		// (An ARG with no value gives an empty user or group.)
		if p.opaque == "" {
			p.opaque = fmt.Sprintf("%s %s at %s:%d names a build variable with no value decouple can tell; split the service by hand",
				what, raw, p.ws.Rel(p.s.Dockerfile.Path), dockerfile.InstructionLine(c))
		}
		return raw
	}
	return strings.ReplaceAll(v, "$$", "$")
}

func (p *splitPlan) runtimeImage() image {
	im := image{shell: []string{"/bin/sh", "-c"}, carried: map[string]bool{}}
	meta := metaDefaults(p.s.Dockerfile.MetaArgs)
	var args map[string]string
	for _, st := range p.chain {
		inRuntime := p.runtimeStage != nil && st.Index <= p.runtimeStage.Index
		// An ARG is the stage's own: a global one (before the first FROM)
		// counts once the stage declares it, and none outlives its stage.
		// An undeclared name is the base image's (empty if it sets none).
		args = map[string]string{}
		for _, c := range st.Commands {
			switch c := c.(type) {
			case *instructions.ArgCommand:
				for _, a := range c.Args {
					if a.Value != nil {
						args[a.Key] = unquote(*a.Value)
					} else if mv, ok := meta[a.Key]; ok {
						args[a.Key] = mv
					} else if _, ok := args[a.Key]; !ok {
						// Declared without a default: empty unless compose
						// feeds it (composeText asks compose first). The
						// base image's variables are the ones no ARG or ENV
						// declares, as planRuntime judges them too.
						args[a.Key] = ""
					}
				}
			case *instructions.EnvCommand:
				// Values are kept as compose text: references to ARGs and
				// earlier ENVs resolved the way the build resolved them.
				carried := p.built != nil || inRuntime
				for _, e := range c.Env {
					v, missing := p.composeText(unquote(e.Value), im.env, args)
					if missing != "" && !carried && p.envRefusal == "" {
						// A variable of the base image (ENV PATH=…:$PATH):
						// compose's environment: has no way to expand it.
						p.envRefusal = fmt.Sprintf("ENV %s refers to $%s (%s:%d), which the base image sets and a compose environment: entry cannot expand; a runtime built from the Dockerfile's steps carries it (--runtime auto or built, with --strategy build)",
							e.Key, missing, p.ws.Rel(p.s.Dockerfile.Path), dockerfile.InstructionLine(c))
					}
					im.env = setKV(im.env, e.Key, v)
					im.carried[e.Key] = carried
				}
			case *instructions.CmdCommand:
				im.cmd, im.cmdShell = c.CmdLine, c.PrependShell
			case *instructions.EntrypointCommand:
				im.entry, im.entryShell = c.CmdLine, c.PrependShell
				im.cmd = nil // Docker resets CMD when ENTRYPOINT is set
			case *instructions.ShellCommand:
				im.shell = c.Shell
			case *instructions.UserCommand:
				im.user = p.literal("USER", c.User, im.env, args, c)
			case *instructions.StopSignalCommand:
				im.stopSignal = p.literal("STOPSIGNAL", c.Signal, im.env, args, c)
			case *instructions.VolumeCommand:
				for _, v := range c.Volumes {
					if strings.Contains(v, "$") && p.opaque == "" {
						p.opaque = fmt.Sprintf("VOLUME %s at %s:%d names a build variable, which decouple does not resolve for the runtime's volumes; split the service by hand",
							v, p.ws.Rel(p.s.Dockerfile.Path), dockerfile.InstructionLine(c))
					}
				}
			case *instructions.HealthCheckCommand:
				im.healthcheck = c
			case *instructions.RunCommand:
				if !inRuntime && p.built == nil {
					p.checkRun(c)
				}
			case *instructions.CopyCommand:
				if !inRuntime && p.built == nil {
					p.checkCopy(c, c.SourcePaths, c.DestPath)
				}
			case *instructions.AddCommand:
				if !inRuntime && p.built == nil {
					p.checkCopy(c, c.SourcePaths, c.DestPath)
				}
			}
		}
	}
	if p.built != nil {
		// The built runtime replays what the old image set up; a RUN that
		// also worked on the code (apk add … && npm ci) is not replayed,
		// so what else it did is missing.
		for _, st := range p.built.steps {
			if len(st.scripts) > 0 {
				p.unsafe = append(p.unsafe, fmt.Sprintf("RUN at %s:%d runs the project's %s on the code; what it makes outside the code path is not in the runtime",
					p.ws.Rel(p.s.Dockerfile.Path), dockerfile.InstructionLine(st.cmd), strings.Join(st.scripts, ", ")))
			}
			if st.mixed && st.replay {
				p.unsafe = append(p.unsafe, fmt.Sprintf("RUN at %s:%d also works on the code, so the runtime replays only the users and groups it makes; what else it installed is not in the runtime",
					p.ws.Rel(p.s.Dockerfile.Path), dockerfile.InstructionLine(st.cmd)))
			} else if st.mixed {
				p.unsafe = append(p.unsafe, fmt.Sprintf("RUN at %s:%d also works on the code, so the runtime does not replay it; what else it installed is not in the runtime",
					p.ws.Rel(p.s.Dockerfile.Path), dockerfile.InstructionLine(st.cmd)))
			}
		}
		return im
	}
	for _, b := range p.s.Facts.Blockers {
		p.unsafe = append(p.unsafe, fmt.Sprintf("%s (%s:%d)", b.What, p.ws.Rel(p.s.Dockerfile.Path), b.Line))
	}
	return im
}

// unquote strips the quotes around a whole ENV value, as the build's
// shell-style processing does: ENV A="x y" sets A to x y.
func unquote(v string) string {
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		inner := v[1 : len(v)-1]
		if v[0] == '"' {
			inner = strings.NewReplacer(`\"`, `"`, `\\`, `\`).Replace(inner)
		}
		return inner
	}
	return v
}

func setKV(list []kv, k, v string) []kv {
	for i := range list {
		if list[i].k == k {
			list[i].v = v
			return list
		}
	}
	return append(list, kv{k, v})
}

// workdirCommands only touch the app folder or the dependency tree in it.
var workdirCommands = map[string]bool{
	"npm": true, "yarn": true, "pnpm": true, "npx": true, "bun": true, "bunx": true, "node": true, "mkdir": true, "chown": true,
	"chmod": true, "rm": true, "cp": true, "mv": true, "ln": true, "echo": true, "cd": true, "true": true,
	"set": true, "export": true, "touch": true, "test": true, "[": true, "ls": true, "cat": true, "sed": true,
}

// checkRun notes RUN steps whose effect lives outside WORKDIR: the stock
// runtime image will not have them. The script is read with the same shell
// parser the facts use, heredoc bodies included.
func (p *splitPlan) checkRun(c *instructions.RunCommand) {
	for _, script := range dockerfile.RunScripts(c) {
		redirects := strings.Contains(script, ">")
		for _, cmd := range dockerfile.Commands(script) {
			if !workdirCommands[cmd.Name] && (cmd.Kind != dockerfile.ReadOnly || redirects) {
				p.unsafe = append(p.unsafe, fmt.Sprintf("RUN %s changes the image outside %s (%s:%d); the stock runtime image will not have it",
					cmd.Name, p.wd, p.ws.Rel(p.s.Dockerfile.Path), dockerfile.InstructionLine(c)))
				return
			}
		}
	}
}

func (p *splitPlan) checkCopy(c instructions.Command, srcs []string, dest string) {
	if p.rebased[dockerfile.InstructionLine(c)] {
		return
	}
	d := dest
	if !strings.HasPrefix(d, "/") {
		return // relative to WORKDIR
	}
	if d == p.wd || strings.HasPrefix(d, strings.TrimSuffix(p.wd, "/")+"/") {
		return
	}
	if len(srcs) == 1 {
		if p.copiedOut == nil {
			p.copiedOut = map[string]int{}
		}
		target := d
		if strings.HasSuffix(d, "/") {
			target = path.Join(d, path.Base(srcs[0]))
		}
		p.copiedOut[path.Clean(target)] = len(p.unsafe)
	}
	p.unsafe = append(p.unsafe, fmt.Sprintf("files are copied to %s, outside %s (%s:%d); the code volume will not carry them", d, p.wd, p.ws.Rel(p.s.Dockerfile.Path), dockerfile.InstructionLine(c)))
}

// serviceAt names the service of a compose file whose block holds line.
func serviceAt(f *compose.File, line int) string {
	name := ""
	if m := f.ServicesNode(); m != nil {
		for i := 0; i+1 < len(m.Content); i += 2 {
			if m.Content[i].Line <= line {
				name = m.Content[i].Value
			}
		}
	}
	return name
}

// extendedBy finds a service of another file, in any project, whose build:
// comes from this service's through extends: splitting this one would
// leave that one pointing at a code service it cannot see.
func extendedBy(ws *workspace.Workspace, s *workspace.Service) *workspace.Service {
	for _, o := range ws.ServicesWithBuildAt(s.Build.File.Path, s.Build.Line) {
		if o.Key == nil || o.Build.File == o.Key.File {
			continue
		}
		if o.Key.File.Path != s.Key.File.Path {
			return o
		}
	}
	return nil
}

// stageFacts are the facts of every stage of the Dockerfile s builds, as
// the workspace judged them (with the bases compose services build), so a
// plan reads the stages it does not run as the finding read the one it
// does.
func stageFacts(ws *workspace.Workspace, s *workspace.Service) []*dockerfile.Facts {
	if s.StageFacts != nil {
		return s.StageFacts
	}
	return s.Dockerfile.Analyze(ws.ExtraNodeImages)
}
