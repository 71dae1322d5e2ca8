package dockerfile

import (
	"fmt"
	"maps"
	"math"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// Evidence is an instruction that shows a fact, for messages and related
// locations.
type Evidence struct {
	Line int
	What string // short description, e.g. "COPY . ." or "apk add nodejs"
}

// Facts is what the image a stage produces holds, following FROM <stage>
// chains: the runtime it ships, the app code baked into it, and what it runs.
type Facts struct {
	Stage *Stage
	// Runtime is the JavaScript runtime the image holds and RuntimeBy the
	// instruction (FROM or an install) that brought it in.
	Runtime   Runtime
	RuntimeBy Evidence
	// RootBase is the external image the stage chain starts from.
	RootBase     string
	RootBaseLine int
	// UnknownBase is set when RootBase is neither a known runtime image nor
	// scratch: it may hold Node, decouple cannot see inside.
	UnknownBase bool
	// BaseBuiltBy names the compose service that builds RootBase, when
	// the workspace judged the stage on what that build puts in it.
	BaseBuiltBy string
	// BuiltStage says another stage the build needs starts FROM an image
	// a compose service builds (a builder stage on an ONBUILD base), when
	// the workspace judged it so: what that stage holds is seen, but a
	// split would have to rebuild the two together.
	BuiltStage string
	// Code lists how app code arrived, first first.
	Code []Evidence
	// CodeDirs are absolute paths in the image where code was put.
	CodeDirs []string
	// Workdir is the last WORKDIR in effect ("" when never set).
	Workdir string
	// WorkdirUnresolved is set when that WORKDIR names build args or
	// variables with no value here (What lists them): the build would
	// expand them to nothing, but their value is the build's business.
	WorkdirUnresolved *Evidence
	// Runs is the CMD/ENTRYPOINT that starts a JS runtime or package
	// manager, when there is one.
	Runs *Evidence
	// RunsRuntime is the runtime Runs starts (node, npm and pm2 start
	// Node; bun starts Bun).
	RunsRuntime Runtime
	// Blockers are instructions a split cannot carry over safely
	// (global installs, files written outside WORKDIR); used by the fix.
	Blockers []Evidence
	// Modules are the folders a project install left a node_modules in
	// (What is the folder): where it ran, or where a later mv put it
	// (`npm install && mv node_modules ../`). The app finds one in its
	// folder or any folder above, so the split must carry those.
	Modules []Evidence
	// TemplateCopies and TemplateNode say the stage's own ONBUILD triggers
	// copy the whole build context (ONBUILD COPY . /app) or install Node
	// (meteor-launchpad's ONBUILD RUN install-node.sh): the image is a base
	// for other builds, which get the app, or Node, when they build FROM it.
	TemplateCopies, TemplateNode bool
	// ModulesUnresolved is the first RUN that installs (or moves)
	// node_modules after a cd into a folder decouple cannot tell (cd
	// $HOME_DIR with no value here, cd $(npm root)): a split would not
	// know what to carry.
	ModulesUnresolved *Evidence

	// env is the stage's ENV and ARG values at its end, which a stage
	// built FROM it starts with.
	env map[string]string
	// runEnv is the environment of the RUN being read (runFacts).
	runEnv map[string]string
	// contextCopies are the stage's copies from the build context, and
	// readContext reads a file of that context (nil: none can be read);
	// inScript is set while a context script's lines are read
	// (scripts.go).
	contextCopies []contextCopy
	readContext   func(name string) ([]byte, bool)
	inScript      bool
	// pending is an archive unpacked into a folder that becomes app code
	// when a later RUN installs dependencies there.
	pending *pendingCode
	// clis are installer commands a global install put in the image.
	clis map[string]bool
	// globalPkgs are packages a global install put in the image, which
	// are the app when the image's command starts one.
	globalPkgs []globalPkg
	command    imageCommand
	// volumes are the folders VOLUME declares, expanded.
	volumes []string
	// runtimeByPackage says Runtime came from a system package, which a
	// later remove takes away again.
	runtimeByPackage bool
	// runtimeByKey says RuntimeBy is NodeSource's signing key, which the
	// nodejs package install, when it comes, replaces as evidence.
	runtimeByKey bool
	// ranNode is a RUN that starts node, npm or yarn before the stage was
	// seen to get Node: evidence that its base image holds Node.
	ranNode *Evidence
	// usedNode says a RUN started node, npm or yarn; nativeBuild that one
	// ran a native build (./configure, make); downloads counts the Code
	// entries that are sources downloaded by curl or wget.
	usedNode, nativeBuild bool
	downloads             int
	// devcontainer says the image is a development container (see
	// devcontainer).
	devcontainer bool
	// filled are the folders a RUN's mv put files in.
	filled []string
	// nodeByApkNpm says Node came only as the dependency of apk's npm
	// package, which apk del npm then takes away with it.
	nodeByApkNpm bool
	// contextCode says app code came from the build context (COPY or
	// ADD of the project's files).
	contextCode bool
}

// devcontainer reports a Dockerfile of a development container: one in a
// .devcontainer folder, or one on the dev container images
// (mcr.microsoft.com/devcontainers/javascript-node), which the editor
// runs with the project mounted as its workspace.
func devcontainer(path, base string) bool {
	if strings.Contains("/"+filepath.ToSlash(path), "/.devcontainer/") {
		return true
	}
	p := repoPath(base)
	return strings.HasPrefix(p, "devcontainers/") || strings.HasPrefix(p, "vscode/devcontainers/")
}

// CodeRoot is the folder that holds the app in the image: the WORKDIR, or,
// when no WORKDIR is set (legacy files: ADD . /src, CMD node /src/app.js),
// the one folder every code copy went into. It is "" when the code lies at
// /, spreads over folders side by side, or went to a single file.
func (f *Facts) CodeRoot() string {
	if f.Workdir != "" {
		if f.Workdir == "/" {
			return ""
		}
		return f.Workdir
	}
	root := ""
	for _, d := range f.CodeDirs {
		if root == "" || len(d) < len(root) {
			root = d
		}
	}
	// A dotted last element is a file (COPY app.js /src/app.js): a volume
	// cannot be a file.
	// A global module tree (npm install -g) is no app folder.
	if root == "" || root == "/" || strings.Contains(path.Base(root), ".") || strings.Contains(root, "/node_modules") {
		return ""
	}
	for _, d := range f.CodeDirs {
		if d != root && !strings.HasPrefix(d, root+"/") {
			return ""
		}
	}
	return root
}

// Env is a variable's value at the stage's end, as ENV (or ARG) left it;
// false when the Dockerfile does not set it (the base image may).
func (f *Facts) Env(name string) (string, bool) {
	v, ok := f.env[name]
	return v, ok
}

// HasCode reports whether app code is baked into the image.
func (f *Facts) HasCode() bool { return len(f.Code) > 0 }

// Analyze computes the facts of every stage. extraNode names company base
// images to treat as Node runtimes.
func (f *File) Analyze(extraNode []string) []*Facts {
	key := strings.Join(extraNode, "\x00")
	f.factsMu.Lock()
	defer f.factsMu.Unlock()
	if f.facts != nil && f.factsExtra == key {
		return f.facts
	}
	out := f.analyze(extraNode, nil)
	f.facts, f.factsExtra = out, key
	return out
}

// BuiltBase is an image another Dockerfile of the project builds, as seen
// by a stage that starts FROM it: the stage holds what that build put in,
// and the base stage's ONBUILD triggers run in the stage's own build (its
// context, its stages for COPY --from).
type BuiltBase struct {
	Facts *Facts // the stage that builds the image
	By    string // the compose service that builds it
}

// AnalyzeOn is Analyze for a file some of whose stages start FROM images
// built elsewhere in the project; built says which, by stage. It is not
// cached: the answer depends on the project, and few files need it.
func (f *File) AnalyzeOn(extraNode []string, built func(*Stage) (BuiltBase, bool)) []*Facts {
	return f.analyze(extraNode, built)
}

func (f *File) analyze(extraNode []string, built func(*Stage) (BuiltBase, bool)) []*Facts {
	out := f.analyzeAll(extraNode, nil, built)
	// A base image decouple does not know holds Node when a stage on it
	// runs npm or node before installing Node: every stage on that image
	// then has Node (FROM org/app-base AS build + RUN npm ci, and a final
	// stage FROM org/app-base too).
	var inferred map[string]Evidence
	for _, fa := range out {
		if s := fa.Stage; s.BaseStage == nil && fa.UnknownBase && fa.ranNode != nil && baseKey(s) != "" && !wellKnownOtherImage(s.Base) {
			if inferred == nil {
				inferred = map[string]Evidence{}
			}
			if _, ok := inferred[baseKey(s)]; !ok {
				inferred[baseKey(s)] = *fa.ranNode
			}
		}
	}
	if inferred != nil {
		out = f.analyzeAll(extraNode, inferred, built)
	}
	return out
}

// baseKey names a stage's external base image: as resolved, or, when a
// build arg with no value here names it (FROM $RUNTIME), as written; the
// stages written the same get the same image.
func baseKey(s *Stage) string {
	if s.Base != "" {
		return s.Base
	}
	// $RUNTIME and ${RUNTIME} name the same image.
	return bracedRef.ReplaceAllString(s.BaseRaw, "$$$1")
}

// bracedRef is a plain ${NAME} reference.
var bracedRef = regexp.MustCompile(`\$\{(\w+)\}`)

// otherImages are well-known images that ship no Node: npm run on them
// means Node came from an install decouple does not recognise (nodeenv,
// conda, a script), not from the image.
var otherImages = map[string]bool{
	"python": true, "golang": true, "ruby": true, "php": true, "openjdk": true, "eclipse-temurin": true,
	"amazoncorretto": true, "rust": true, "gcc": true, "debian": true, "ubuntu": true, "alpine": true,
	"centos": true, "fedora": true, "rockylinux": true, "almalinux": true, "busybox": true,
	"buildpack-deps": true, "nginx": true, "httpd": true, "caddy": true, "perl": true, "elixir": true,
	"erlang": true, "haskell": true, "swift": true, "dart": true, "maven": true, "gradle": true,
	"mcr.microsoft.com/dotnet/sdk": true, "mcr.microsoft.com/dotnet/aspnet": true, "archlinux": true,
	"opensuse/leap": true, "amazonlinux": true, "continuumio/miniconda3": true, "condaforge/miniforge3": true,
}

func wellKnownOtherImage(ref string) bool {
	p := repoPath(ref)
	return otherImages[strings.TrimPrefix(p, "library/")] || otherImages[strings.ToLower(strings.SplitN(ref, ":", 2)[0])]
}

func (f *File) analyzeAll(extraNode []string, nodeBases map[string]Evidence, built func(*Stage) (BuiltBase, bool)) []*Facts {
	out := make([]*Facts, len(f.Stages))
	for i, s := range f.Stages {
		out[i] = f.analyzeStage(s, out, extraNode, nodeBases, built)
	}
	return out
}

func (f *File) analyzeStage(s *Stage, done []*Facts, extraNode []string, nodeBases map[string]Evidence, built func(*Stage) (BuiltBase, bool)) *Facts {
	var fa Facts
	var base *BuiltBase
	if s.BaseStage == nil && built != nil {
		if b, ok := built(s); ok && b.Facts != nil {
			base = &b
		}
	}
	switch {
	case base != nil:
		fa = base.Facts.seenFrom(s, base.By)
	case s.BaseStage != nil:
		parent := done[s.BaseStage.Index]
		fa = *parent
		fa.Code = append([]Evidence(nil), parent.Code...)
		fa.CodeDirs = append([]string(nil), parent.CodeDirs...)
		fa.Blockers = append([]Evidence(nil), parent.Blockers...)
		fa.Modules = slices.Clone(parent.Modules)
		fa.clis = maps.Clone(parent.clis)
		fa.globalPkgs = slices.Clone(parent.globalPkgs)
		fa.command = parent.command
		fa.contextCopies = slices.Clone(parent.contextCopies)
	default:
		// Messages quote the FROM text as written: a resolved build arg
		// may come from the environment.
		fa.RootBase, fa.RootBaseLine = s.BaseRaw, s.Line
		if rt := ImageRuntime(s.Base, extraNode...); rt != NoRuntime {
			fa.Runtime, fa.RuntimeBy = rt, Evidence{Line: s.Line, What: s.BaseRaw}
		} else if !IsScratchLike(s.Base) {
			fa.UnknownBase = true
			if ev, ok := nodeBases[baseKey(s)]; ok {
				fa.Runtime = Node
				fa.RuntimeBy = Evidence{Line: s.Line, What: fmt.Sprintf("%s, which holds Node (line %d runs %s in it)", s.BaseRaw, ev.Line, ev.What)}
			}
		}
	}
	fa.Stage = s
	if base != nil {
		fa.contextCopies = nil // another build's context
	}
	fa.readContext = f.ReadContext
	// The build's environment as BuildKit expands words with it: the ENV
	// and ARG values of the stage chain so far. A global ARG counts only
	// once the stage declares it again; what the base image sets is
	// unknown.
	env := map[string]string{}
	if s.BaseStage != nil {
		env = maps.Clone(done[s.BaseStage.Index].env)
		// ONBUILD triggers of the parent stage run first, as the child's
		// opening instructions.
		// Evidence points at the ONBUILD line in the parent.
		for _, t := range onbuildTriggers(s.BaseStage) {
			f.applyCommand(&fa, t.cmd, t.line, env, done, extraNode)
		}
	} else if base != nil {
		env = maps.Clone(base.Facts.env)
		// The base's ONBUILD triggers run here, in this build. They are
		// written in the other file: the evidence is placed at this FROM
		// and says where it comes from.
		for _, t := range onbuildTriggers(base.Facts.Stage) {
			n := len(fa.Code)
			f.applyCommand(&fa, t.cmd, s.Line, env, done, extraNode)
			for i := n; i < len(fa.Code); i++ {
				// The trigger as written: the line is this FROM's.
				fa.Code[i].What = trimWhat(fmt.Sprintf("ONBUILD %s of %s", t.text, s.BaseRaw))
			}
		}
	} else if ob, ok := onbuildImage(s.Base); ok {
		f.applyOnbuildImage(&fa, s, ob)
	}
	for _, cmd := range s.Commands {
		f.applyCommand(&fa, cmd, InstructionLine(cmd), env, done, extraNode)
	}
	fa.env = env
	fa.devcontainer = devcontainer(f.Path, fa.RootBase)
	fa.promoteGlobalApps()
	// A template is a stage's own: the parent's triggers ran in this
	// build above.
	fa.TemplateCopies, fa.TemplateNode = templateTriggers(s)
	fa.dropToolsBesideEmptyWorkdir()
	fa.dropEntryScript()
	fa.dropNativeSources()
	return &fa
}

// dropEntryScript: a script copied on its own and run by its path as the
// image's first program (COPY command/frontend /command/frontend;
// ENTRYPOINT ["/command/frontend"]) is how the image starts, like a start
// script copied onto PATH: plumbing, not the app. Alone, the image is a
// runtime for code mounted at run time (the script runs npm in a mounted
// folder); beside other code, that code is still the app. A JavaScript
// file is the app whatever starts it.
func (fa *Facts) dropEntryScript() {
	words := append(slices.Clone(fa.command.entrypoint), fa.command.cmd...)
	if len(fa.Code) == 0 || len(words) == 0 || fa.TemplateCopies {
		return
	}
	prog := words[0]
	if Shells[path.Base(prog)] && len(words) > 1 && !strings.HasPrefix(words[1], "-") {
		prog = words[1] // sh /start.sh
	}
	if !strings.Contains(prog, "/") || strings.Contains(prog, "$") {
		return
	}
	switch path.Ext(prog) {
	case ".js", ".mjs", ".cjs", ".ts", ".mts", ".cts":
		return
	}
	p := absPath(fa.Workdir, prog)
	for i, d := range fa.CodeDirs {
		if d == p && i < len(fa.Code) && strings.HasPrefix(strings.ToUpper(fa.Code[i].What), "COPY ") && !strings.Contains(fa.Code[i].What, "--from") {
			fa.Code = slices.Delete(fa.Code, i, i+1)
			fa.CodeDirs = slices.Delete(fa.CodeDirs, i, i+1)
			return
		}
	}
}

// dropNativeSources: an image on a Node base that downloads sources and
// compiles them (./configure && make: nginx with a module), while nothing
// in it runs Node, builds a native program; the sources are no app code.
func (fa *Facts) dropNativeSources() {
	if len(fa.Code) == 0 || fa.downloads != len(fa.Code) || !fa.nativeBuild || fa.usedNode || fa.Runs != nil {
		return
	}
	fa.Code, fa.CodeDirs, fa.downloads = nil, nil, 0
}

// seenFrom is what a stage FROM the image these facts build starts with:
// Node, the code, the working folder and the command of that build. The
// evidence lies in the other file, so it is placed at the stage's FROM.
func (b *Facts) seenFrom(s *Stage, by string) Facts {
	fa := Facts{
		Stage: s, RootBase: s.BaseRaw, RootBaseLine: s.Line, UnknownBase: b.UnknownBase, BaseBuiltBy: by,
		Runtime: b.Runtime, Workdir: b.Workdir, WorkdirUnresolved: b.WorkdirUnresolved,
		clis: maps.Clone(b.clis), globalPkgs: slices.Clone(b.globalPkgs), command: b.command,
		volumes: slices.Clone(b.volumes), RunsRuntime: b.RunsRuntime,
	}
	at := func(what string) Evidence { return Evidence{Line: s.Line, What: what} }
	if b.Runtime != NoRuntime {
		fa.RuntimeBy = at(fmt.Sprintf("%s, built by service %q", s.BaseRaw, by))
	}
	if b.HasCode() {
		fa.addCode(at(fmt.Sprintf("%s, built by service %q with the code in it", s.BaseRaw, by)), "")
		fa.CodeDirs = slices.Clone(b.CodeDirs)
	}
	if b.Runs != nil {
		r := at(b.Runs.What + " of " + s.BaseRaw)
		fa.Runs = &r
	}
	for _, m := range b.Modules {
		fa.Modules = append(fa.Modules, Evidence{Line: s.Line, What: m.What})
	}
	if len(b.Blockers) > 0 {
		fa.Blockers = append(fa.Blockers, at(fmt.Sprintf("%s, built by service %q: %s", s.BaseRaw, by, b.Blockers[0].What)))
	}
	if fa.WorkdirUnresolved != nil {
		fa.WorkdirUnresolved = &Evidence{Line: s.Line, What: b.WorkdirUnresolved.What}
	}
	return fa
}

// dropToolsBesideEmptyWorkdir: an image whose command runs the project in
// its WORKDIR (npm start, node server.js) while nothing was copied there
// is a runtime for an app mounted at run time (GoogleCloudPlatform's
// nodejs runtime image: ADD contents/ /opt/gcp/runtime/, WORKDIR /app, CMD
// npm start); what it copied elsewhere is its tooling, not the app.
func (fa *Facts) dropToolsBesideEmptyWorkdir() {
	wd := fa.Workdir
	if len(fa.Code) == 0 || wd == "" || wd == "/" || fa.TemplateCopies {
		return
	}
	for _, d := range append(slices.Clone(fa.CodeDirs), fa.filled...) {
		// A folder a RUN moved files into (meteor build's bundle, mv
		// /bundle/* /app/) is no empty WORKDIR either.
		if d == "/" || d == wd || strings.HasPrefix(d, wd+"/") || strings.HasPrefix(wd, d+"/") {
			return
		}
	}
	if !fa.runsWorkdirProject() {
		return
	}
	fa.Code, fa.CodeDirs = nil, nil
}

// Shells are the shells a command line is handed to (sh -c "…").
var Shells = map[string]bool{"sh": true, "bash": true, "ash": true, "dash": true, "zsh": true}

// runsWorkdirProject reports a command whose last step runs the project of
// the working folder: a package manager's script (npm start, yarn run
// serve) or node on a relative file, with no cd and no folder flag (npm
// --prefix /opt/app start) taking it elsewhere.
func (fa *Facts) runsWorkdirProject() bool {
	words := append(slices.Clone(fa.command.entrypoint), fa.command.cmd...)
	script := strings.Join(words, " ")
	if c, ok := Classify(words); ok {
		if inner, ok := c.ShellScript(); ok {
			script = inner // exec form: ["sh", "-c", "cd /opt/app && npm start"]
		}
	}
	cmds := ShellCommands(script)
	if len(cmds) == 0 || slices.ContainsFunc(cmds, func(c Command) bool { return c.Name == "cd" || c.Name == "pushd" }) {
		return false
	}
	last := cmds[len(cmds)-1]
	if _, elsewhere := InstallDirFlag(last.Name, last.Rest()); elsewhere {
		return false
	}
	switch last.Name {
	case "npm", "yarn", "pnpm":
		return last.Kind == ProjectRun
	case "node":
		for _, a := range last.Rest() {
			if strings.HasPrefix(a, "-") {
				continue
			}
			return a == "." || !path.IsAbs(a) && !strings.Contains(a, "$")
		}
	}
	return false
}

// templateTriggers reads a stage's own ONBUILD triggers: whether one
// copies the whole build context (COPY or ADD of ., with no --from), and
// whether one installs Node (a Node install decouple knows, or a script
// named for it: install-node.sh, installScripts/node/…).
func templateTriggers(s *Stage) (copies, node bool) {
	for _, t := range onbuildTriggers(s) {
		var srcs []string
		switch c := t.cmd.(type) {
		case *instructions.CopyCommand:
			if c.From == "" {
				srcs = c.SourcePaths
			}
		case *instructions.AddCommand:
			srcs = c.SourcePaths
		case *instructions.RunCommand:
			for _, script := range RunScripts(c) {
				var scratch Facts
				runFacts(&scratch, script, t.line, nil)
				node = node || scratch.Runtime == Node || namesNodeScript(script)
			}
		}
		for _, src := range srcs {
			switch strings.TrimPrefix(path.Clean(src), "./") {
			case ".", "*":
				copies = true
			}
		}
	}
	return copies, node
}

// namesNodeScript reports a script that runs a file named for installing
// Node (install-node.sh, /opt/installScripts/node/install-node-version.sh).
func namesNodeScript(script string) bool {
	for _, args := range SimpleCommands(script) {
		for _, a := range args {
			base := strings.ToLower(path.Base(a))
			if strings.HasSuffix(base, ".sh") && strings.Contains(base, "node") || strings.Contains(a, "/node/") && strings.HasSuffix(base, ".sh") {
				return true
			}
		}
	}
	return false
}

// applyCommand adds what one instruction brings to the facts of a stage.
func (f *File) applyCommand(fa *Facts, cmd instructions.Command, line int, env map[string]string, done []*Facts, extraNode []string) {
	if f.applyEnv(cmd, env) {
		return
	}
	switch c := cmd.(type) {
	case *instructions.WorkdirCommand:
		dir, missing := f.expandWord(c.Path, env)
		// WORKDIR ${APP_DIR:-/app} with no value for APP_DIR is /app in
		// the build: a name used only with a default is resolved.
		missing = slices.DeleteFunc(missing, func(name string) bool { return onlyDefaulted(c.Path, name) })
		fa.Workdir = absPath(fa.Workdir, dir)
		fa.WorkdirUnresolved = nil
		if len(missing) > 0 {
			sort.Strings(missing)
			fa.WorkdirUnresolved = &Evidence{Line: line, What: strings.Join(missing, ", ")}
		}
	case *instructions.CopyCommand:
		f.copyFacts(fa, c.From, c.SourcePaths, c.DestPath, line, env, done, extraNode)
	case *instructions.AddCommand:
		f.addFacts(fa, c, line, env)
	case *instructions.RunCommand:
		scripts := []string{strings.Join(c.CmdLine, " ")}
		for _, hd := range c.Files {
			scripts = append(scripts, hd.Data)
		}
		for _, script := range scripts {
			runFacts(fa, script, line, env)
		}
	case *instructions.VolumeCommand:
		for _, v := range c.Volumes {
			if dir, missing := f.expandWord(v, env); len(missing) == 0 {
				fa.volumes = append(fa.volumes, absPath(fa.Workdir, dir))
			}
		}
	case *instructions.CmdCommand:
		if c.PrependShell || !serverArgs(c.CmdLine) {
			fa.Runs, fa.RunsRuntime = runsJS(c.CmdLine, line, "CMD", fa.Runs, fa.RunsRuntime, fa.copiedFile)
		}
		fa.command.cmd = c.CmdLine
	case *instructions.EntrypointCommand:
		if c.PrependShell || !serverArgs(c.CmdLine) {
			fa.Runs, fa.RunsRuntime = runsJS(c.CmdLine, line, "ENTRYPOINT", fa.Runs, fa.RunsRuntime, fa.copiedFile)
		}
		fa.command.entrypoint = c.CmdLine
	}
}

// Needed lists the stages a build of target runs, in stage order: its
// chain of FROM stages and the stages it copies from (COPY --from), and
// theirs; BuildKit skips the others.
func (f *File) Needed(target *Stage) []*Stage {
	need := map[int]bool{}
	var visit func(s *Stage)
	visit = func(s *Stage) {
		if s == nil || need[s.Index] {
			return
		}
		need[s.Index] = true
		visit(s.BaseStage)
		for _, c := range s.Commands {
			if cp, ok := c.(*instructions.CopyCommand); ok && cp.From != "" {
				visit(f.Stage(cp.From))
			}
		}
	}
	visit(target)
	var out []*Stage
	for _, s := range f.Stages {
		if need[s.Index] {
			out = append(out, s)
		}
	}
	return out
}

// applyEnv applies an ARG or ENV instruction to the build's environment;
// false for any other instruction.
func (f *File) applyEnv(cmd instructions.Command, env map[string]string) bool {
	switch c := cmd.(type) {
	case *instructions.ArgCommand:
		for _, kv := range c.Args {
			// A value the build gives wins over the ARG's default.
			if v, ok := f.buildArgs[kv.Key]; ok {
				env[kv.Key] = v
			} else if kv.Value != nil {
				// The build processes a default as a word: quotes
				// removed, variables expanded.
				env[kv.Key], _ = f.expandWord(*kv.Value, env)
			} else if v := f.MetaArgs[kv.Key]; v != nil {
				env[kv.Key] = *v
			}
		}
	case *instructions.EnvCommand:
		for _, kv := range c.Env {
			// ENV APP_HOME="/srv/$APP" is /srv/shop in the image.
			env[kv.Key], _ = f.expandWord(kv.Value, env)
		}
	default:
		return false
	}
	return true
}

// EnvAt is the build's environment (the ENV and ARG values of the stage
// chain) just before the instruction at line of stage s, as a RUN there
// sees it and WORKDIR or COPY expand with it. What the base image sets is
// unknown.
func (f *File) EnvAt(s *Stage, line int) map[string]string {
	env := map[string]string{}
	if s.BaseStage != nil {
		env = f.EnvAt(s.BaseStage, math.MaxInt)
		for _, t := range onbuildTriggers(s.BaseStage) {
			f.applyEnv(t.cmd, env)
		}
	}
	for _, c := range s.Commands {
		if InstructionLine(c) >= line {
			break
		}
		f.applyEnv(c, env)
	}
	return env
}

// imageCommand is the CMD and ENTRYPOINT in effect, as written.
type imageCommand struct{ entrypoint, cmd []string }

// globalPkg is a package a global install put in the image.
type globalPkg struct {
	name string
	ev   Evidence
}

// promoteGlobalApps counts a globally installed package as the app when
// the image's command starts it (npm install -g n8n; CMD ["n8n"]), or when
// a Node image holds nothing else. One the command does not start is
// otherwise a tool (yalc beside the code; chokidar for a PHP image's file
// watcher).
func (fa *Facts) promoteGlobalApps() {
	if len(fa.globalPkgs) == 0 || fa.devcontainer {
		// A dev container's global packages are the developer's tools:
		// the project is mounted into it.
		return
	}
	words := commandWords(append(slices.Clone(fa.command.entrypoint), fa.command.cmd...))
	// A Node image that holds nothing else is that package's image, run
	// by a start script or compose's command (n8n's). Beside other code,
	// or in an image that got Node as a helper (a PHP image with
	// COPY --from=node), a package the command does not start is a tool.
	// A package the command starts on the working folder itself, where
	// the image holds no code (electron .), runs code that arrives
	// otherwise: it is a runtime, not the app; so is one an image runs
	// with no file argument in a WORKDIR it declares a VOLUME (ENTRYPOINT
	// ["electron-packager"]). (A file argument is no such sign:
	// json-server --watch ./db.json is the app.)
	runsWorkdir := !fa.HasCode() && (fa.startsOnFolder() || fa.toolOnVolume())
	// An image with no command of its own (or a bare shell: CMD
	// ["/bin/bash"]) and an empty WORKDIR is a toolbox for code mounted
	// there (a test runner's casperjs, webpack for a mounted project).
	toolbox := fa.bareCommand() && fa.Workdir != "" && fa.Workdir != "/"
	// A command that hands its arguments to a package manager (ENTRYPOINT
	// ["/startup.sh", "pnpm"], CMD npm start) runs the project of the
	// working folder, which an image with no code gets mounted: the
	// global packages beside it are its tools.
	// So does one that starts a runner of the project's code (serverless
	// offline, nodemon, pm2): it is a runtime for a mounted project,
	// as decouple's own generated runtime stages are.
	runsManager := slices.ContainsFunc(words, func(w string) bool { return w == "npm" || w == "pnpm" || w == "yarn" || globalTools[w] })
	own := !fa.HasCode() && fa.Runtime == Node && fa.RuntimeBy.Line == fa.RootBaseLine && !fa.startsWorkdirCode() && !toolbox && !runsWorkdir && !runsManager
	for _, g := range fa.globalPkgs {
		if own || startsPackage(words, g.name) && !runsWorkdir {
			for _, e := range fa.Code {
				if e == g.ev {
					return
				}
			}
			fa.addCode(g.ev, "/usr/local/lib/node_modules")
			return
		}
	}
}

// GlobalAppOnly reports facts whose only app code is a package npm
// installed globally (npm i -g maildev; CMD maildev).
func (fa *Facts) GlobalAppOnly() bool {
	if len(fa.CodeDirs) == 0 {
		return false
	}
	for _, d := range fa.CodeDirs {
		if !strings.HasSuffix(d, "/lib/node_modules") {
			return false
		}
	}
	return true
}

// WithGlobalApp returns the facts with a global package counted as the
// app when words (a compose service's command or entrypoint) start it
// where the image itself holds no code (npm install -g json-server in an
// image with no command; compose runs json-server); nil otherwise.
func (fa *Facts) WithGlobalApp(words []string) *Facts {
	if fa == nil || fa.HasCode() || len(words) == 0 {
		return nil
	}
	started := commandWords(words)
	for _, g := range fa.globalPkgs {
		if startsPackage(started, g.name) {
			fa2 := *fa
			fa2.Code, fa2.CodeDirs = nil, nil
			fa2.addCode(g.ev, "/usr/local/lib/node_modules")
			return &fa2
		}
	}
	return nil
}

// commandWords are the program names a command line may start: each
// word's base name, and the package of a node_modules path.
func commandWords(args []string) []string {
	var words []string
	for _, arg := range args {
		for _, w := range strings.Fields(arg) {
			words = append(words, path.Base(w))
			if i := strings.Index(w, "node_modules/"); i >= 0 {
				words = append(words, strings.SplitN(w[i+len("node_modules/"):], "/", 2)[0])
			}
		}
	}
	return words
}

// startsPackage reports whether a command's words start a package: the
// command a package installs is mostly its name, scope dropped, sometimes
// with a prefix (@acme/dashboard: acme-dashboard).
func startsPackage(words []string, name string) bool {
	bin := name[strings.LastIndex(name, "/")+1:]
	return slices.ContainsFunc(words, func(w string) bool {
		return w == bin || w == name || len(bin) >= 3 && strings.HasSuffix(w, "-"+bin)
	})
}

// startsOnFolder reports a command that hands a program the working
// folder itself (electron ., node .).
func (fa *Facts) startsOnFolder() bool {
	for _, arg := range append(slices.Clone(fa.command.entrypoint), fa.command.cmd...) {
		for _, w := range strings.Fields(arg) {
			if w == "." || w == "./" {
				return true
			}
		}
	}
	return false
}

// bareCommand reports an image with no command of its own, or one that
// only opens a shell (CMD ["/bin/bash"], CMD sh).
func (fa *Facts) bareCommand() bool {
	words := append(slices.Clone(fa.command.entrypoint), fa.command.cmd...)
	if len(words) == 1 {
		words = strings.Fields(words[0]) // the shell form: CMD bash
	}
	switch {
	case len(words) == 0:
		return true
	case len(words) == 1:
		return Shells[path.Base(words[0])]
	}
	return false
}

// toolOnVolume reports an image whose WORKDIR is a folder it declares a
// VOLUME, whose ENTRYPOINT is one program with no file or folder argument
// and whose CMD gives none either (ENTRYPOINT ["electron-packager"], CMD
// [""]): a tool that takes its arguments at run time and works on what is
// mounted there. An image whose CMD starts the program (CMD ["node-red"])
// runs it as the app.
func (fa *Facts) toolOnVolume() bool {
	if fa.Workdir == "" || fa.Workdir == "/" || !slices.Contains(fa.volumes, fa.Workdir) || len(fa.command.entrypoint) == 0 {
		return false
	}
	for i, arg := range append(slices.Clone(fa.command.entrypoint), fa.command.cmd...) {
		for j, w := range strings.Fields(arg) {
			if (i > 0 || j > 0) && !strings.HasPrefix(w, "-") {
				return false
			}
		}
	}
	return true
}

// startsWorkdirCode reports a command that starts a file of the app folder
// (node index.js, /etc/logto/.scripts/bootstrap.sh under WORKDIR
// /etc/logto) where the image holds none: the code comes from elsewhere (a
// volume; decouple's own built runtimes), so a global package beside it is
// a tool, not the app.
func (fa *Facts) startsWorkdirCode() bool {
	for _, arg := range append(slices.Clone(fa.command.entrypoint), fa.command.cmd...) {
		for _, w := range strings.Fields(arg) {
			switch {
			case w == "." || w == "./":
				return true // the folder itself (startsOnFolder)
			case strings.HasPrefix(w, "-") || strings.Contains(w, "://") || strings.Contains(w, "$"):
			case path.IsAbs(w):
				if fa.Workdir != "" && fa.Workdir != "/" && strings.HasPrefix(w, fa.Workdir+"/") {
					return true
				}
			case strings.Contains(w, "/") || scriptExt(w):
				return true
			}
		}
	}
	return false
}

// scriptExt reports a file name of a script the command would run.
func scriptExt(w string) bool {
	switch path.Ext(w) {
	case ".js", ".mjs", ".cjs", ".ts", ".sh":
		return true
	}
	return false
}

// onbuildTriggers parses the ONBUILD instructions of a stage: they run when
// a later stage builds FROM it. A trigger BuildKit cannot parse is skipped,
// as the build itself would fail on it.
func onbuildTriggers(s *Stage) []trigger {
	var out []trigger
	for _, cmd := range s.Commands {
		ob, ok := cmd.(*instructions.OnbuildCommand)
		if !ok {
			continue
		}
		res, err := parser.Parse(strings.NewReader(ob.Expression))
		if err != nil || len(res.AST.Children) == 0 {
			continue
		}
		c, err := instructions.ParseInstruction(res.AST.Children[0])
		if err != nil {
			continue
		}
		if c, ok := c.(instructions.Command); ok {
			out = append(out, trigger{c, InstructionLine(ob), strings.Join(strings.Fields(ob.Expression), " ")})
		}
	}
	return out
}

// trigger is an ONBUILD instruction and the line it is written on.
type trigger struct {
	cmd  instructions.Command
	line int
	text string // the triggered instruction as written (COPY . .)
}

// onbuildBase describes a published ONBUILD image: its triggers copy the
// build context into the image when a child builds FROM it, so the child's
// Dockerfile bundles code without a COPY of its own.
type onbuildBase struct {
	workdir string // where the triggers copy the context; "" when unknown
	cmd     string // the image's CMD, when it starts the app
}

// onbuildImages are the ONBUILD images whose triggers are known, by
// repository path. Any other image whose tag says onbuild is taken to copy
// the context too, to a place decouple cannot see.
var onbuildImages = map[string]onbuildBase{
	// node:onbuild and node:<v>-onbuild (2015-2017): COPY package.json,
	// RUN npm install, COPY . /usr/src/app; CMD npm start.
	"node":         {workdir: "/usr/src/app", cmd: "npm start"},
	"library/node": {workdir: "/usr/src/app", cmd: "npm start"},
	// meteorhacks/meteord:onbuild copies the app to /app and bundles it.
	"meteorhacks/meteord": {workdir: "/app"},
	"abernix/meteord":     {workdir: "/app"},
}

// onbuildImage recognises a base image whose ONBUILD triggers copy the
// build context: a tag with "onbuild" in it.
func onbuildImage(ref string) (onbuildBase, bool) {
	tag := ImageTag(ref)
	if !strings.Contains(tag, "onbuild") {
		return onbuildBase{}, false
	}
	if ob, ok := onbuildImages[repoPath(ref)]; ok {
		return ob, true
	}
	return onbuildBase{}, true
}

// ImageTag is the tag of an image reference, lower-cased ("" when none).
func ImageTag(ref string) string {
	ref = strings.ToLower(strings.TrimSpace(ref))
	if i := strings.Index(ref, "@"); i >= 0 {
		ref = ref[:i]
	}
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		return ref[i+1:]
	}
	return ""
}

// applyOnbuildImage adds the code an ONBUILD base copies in.
func (f *File) applyOnbuildImage(fa *Facts, s *Stage, ob onbuildBase) {
	what := "ONBUILD COPY . " + ob.workdir + " of " + s.BaseRaw
	if ob.workdir == "" {
		what = "the ONBUILD triggers of " + s.BaseRaw
		fa.Blockers = append(fa.Blockers, Evidence{Line: s.Line, What: "the ONBUILD triggers of " + s.BaseRaw + " copy the build context to a place decouple cannot see"})
	} else {
		fa.Workdir = ob.workdir
	}
	fa.addCode(Evidence{Line: s.Line, What: trimWhat(what)}, ob.workdir)
	if ob.cmd != "" {
		fa.Runs, fa.RunsRuntime = runsJS(strings.Fields(ob.cmd), s.Line, "CMD", fa.Runs, fa.RunsRuntime, nil)
		if fa.Runs != nil {
			fa.Runs.What = "CMD " + ob.cmd + " of " + s.BaseRaw
		}
	}
}

// manifestFiles are copied before the code so installs cache well; alone
// they make a dependency layer, not app code.
var manifestFiles = map[string]bool{
	"package.json": true, "package-lock.json": true, "npm-shrinkwrap.json": true,
	"yarn.lock": true, "pnpm-lock.yaml": true, "pnpm-workspace.yaml": true,
	".npmrc": true, ".yarnrc": true, ".yarnrc.yml": true, "bun.lockb": true,
	"bun.lock": true, ".nvmrc": true, ".node-version": true, "deno.lock": true,
	"bower.json": true, ".bowerrc": true,
}

// otherManifests are the dependency manifests and lockfiles of other
// languages: a Rails image that copies its Gemfile to bundle install (and
// gets Node from apt for its assets) holds the gems, not app code.
var otherManifests = map[string]bool{
	"Gemfile": true, "Gemfile.lock": true, "requirements.txt": true, "Pipfile": true,
	"Pipfile.lock": true, "pyproject.toml": true, "poetry.lock": true, "uv.lock": true,
	"composer.json": true, "composer.lock": true, "go.mod": true, "go.sum": true,
	"Cargo.toml": true, "Cargo.lock": true, "mix.exs": true, "mix.lock": true,
}

// infraDirs and infraExts are what images copy that is configuration of the
// image itself, not the app: root filesystems, certificates, server configs.
var infraDirs = map[string]bool{
	"rootfs": true, "prebuildfs": true, "certs": true, "ssl": true, "docker": true,
	"nginx": true, "conf.d": true, ".yarn": true,
}

// rootfsDirs hold files laid over the image's own file system.
var rootfsDirs = map[string]bool{"rootfs": true, "prebuildfs": true, "conf.d": true}

var infraExts = map[string]bool{
	".sh": true, ".conf": true, ".crt": true, ".pem": true, ".key": true,
	".cnf": true, ".ini": true, ".list": true, ".repo": true,
}

// dataExts are the extensions of files that configure or feed a program
// rather than being one.
var dataExts = map[string]bool{
	".json": true, ".yaml": true, ".yml": true, ".toml": true, ".xml": true,
	".rules": true, ".properties": true, ".txt": true, ".csv": true, ".env": true,
}

// jsProjectConfigs are data files that belong to a JavaScript project's
// build (tsconfig.json beside the sources): copied alone they already make
// the image the app's.
var jsProjectConfigs = []string{
	"tsconfig", "jsconfig", ".babelrc", "babel.config", ".eslintrc", ".prettierrc",
	"angular.json", "nest-cli.json", "nx.json", "turbo.json", "lerna.json",
}

// isDataFile reports a COPY source that is one data file, named (no glob),
// and no JavaScript project's configuration.
func isDataFile(src string) bool {
	base := path.Base(src)
	return !strings.ContainsAny(src, "*?[") && dataExts[path.Ext(base)] &&
		!slices.ContainsFunc(jsProjectConfigs, func(p string) bool { return strings.HasPrefix(base, p) })
}

// isCodeSource reports whether a COPY/ADD source from the build context is
// application code rather than manifests or image plumbing.
func isCodeSource(src string) bool {
	s := strings.TrimPrefix(strings.TrimSuffix(src, "/"), "./")
	switch s {
	case "", ".", "*", "/":
		return true
	}
	base := path.Base(s)
	if manifestFiles[base] || otherManifests[base] || infraDirs[base] || infraExts[path.Ext(base)] || isManifestGlob(base) {
		return false
	}
	// A file from a root file system's folder is configuration too (COPY
	// docker/rootfs/etc/ImageMagick-6/policy.xml ./), and so is a data file
	// from another such folder; a script or a whole folder from one may be
	// a small service (docker/mock-api/server.js).
	for _, dir := range strings.Split(path.Dir(s), "/") {
		if rootfsDirs[dir] || infraDirs[dir] && path.Ext(base) != "" && !scriptExt(base) {
			return false
		}
	}
	if isImagePlumbing(base) || strings.HasPrefix(base, "Dockerfile") || base == "node_modules" {
		return false
	}
	return true
}

// isImagePlumbing recognises files that configure or start the image
// rather than being the app: entrypoint scripts, web server configs.
func isImagePlumbing(base string) bool {
	return strings.HasPrefix(base, "docker-entrypoint") || base == "Caddyfile" ||
		strings.HasSuffix(base, ".Caddyfile") || strings.HasPrefix(base, "nginx")
}

// isManifestGlob recognises `package*.json` and the like: a wildcard that
// picks package manifests or lockfiles.
func isManifestGlob(pattern string) bool {
	if !strings.ContainsAny(pattern, "*?[") {
		return false
	}
	for m := range manifestFiles {
		if ok, _ := path.Match(pattern, m); ok {
			return true
		}
	}
	// A glob that matches no manifest by name but is written as one
	// (package*.lock, yarn.lock*): its stem names a manifest and its
	// extension a manifest's; it copies no code whatever it matches.
	stem := pattern[:strings.IndexAny(pattern, "*?[")]
	switch path.Ext(strings.TrimRight(pattern, "*?")) {
	case ".json", ".lock", ".lockb", ".yaml", ".yml":
	default:
		return false
	}
	for m := range manifestFiles {
		if len(stem) >= 4 && strings.HasPrefix(m, stem) {
			return true
		}
	}
	return false
}

// isNodeBinaryPath reports whether a path copied out of a Node image or
// stage is where a Node install lives (COPY --from=node:... /usr/local/bin/node),
// as opposed to the app folders the node images use, such as /home/node/app.
func isNodeBinaryPath(p string) bool {
	p = path.Clean("/" + p)
	if strings.Contains(p, "node_modules") {
		return strings.HasPrefix(p, "/usr/local/lib/node_modules") || strings.HasPrefix(p, "/usr/lib/node_modules")
	}
	switch p {
	case "/usr/local", "/usr/local/bin", "/opt", "/usr/local/bin/node", "/usr/bin/node",
		"/usr/local/bin/nodejs", "/usr/bin/nodejs", "/usr/local/include/node", "/usr/include/node":
		return true
	}
	elems := strings.Split(strings.TrimPrefix(p, "/"), "/")
	for _, e := range elems {
		// Version managers keep whole installs in their own folders.
		switch e {
		case ".nvm", "nvm", ".volta", ".fnm", "fnm", ".nodenv", "nodenv", ".nodebrew", ".n":
			return true
		}
	}
	if strings.HasPrefix(p, "/opt/node") || p == "/nodejs" || strings.HasPrefix(p, "/nodejs/") {
		return true
	}
	if strings.HasPrefix(p, "/home/") || strings.HasPrefix(p, "/root/") {
		// /home/node is the node image's user home and app folder.
		return false
	}
	base := path.Base(p)
	return base == "node" || base == "nodejs" || strings.HasPrefix(base, "node-v")
}

// systemPaths hold what images copy between stages that is not app code.
// Node's own Docker guide puts apps under /usr/src/app, and many projects
// use /usr/<name>/app: isSystemPath makes room for those.
var systemPaths = []string{"/etc/", "/usr/", "/lib/", "/lib64/", "/bin/", "/sbin/", "/var/lib/", "/var/cache/", "/root/.cache/", "/root/.npm/"}

// isBinDir reports a path in a folder of programs on PATH.
func isBinDir(p string) bool {
	for _, d := range []string{"/usr/local/bin/", "/usr/local/sbin/", "/usr/bin/", "/usr/sbin/", "/bin/", "/sbin/"} {
		if strings.HasPrefix(p+"/", d) {
			return true
		}
	}
	return false
}

// anyScript reports whether a copy names a JavaScript or TypeScript file
// or a whole folder: what a Node CLI put on PATH would be.
func anyScript(srcs []string) bool {
	for _, s := range srcs {
		switch path.Ext(s) {
		case ".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".jsx", ".tsx":
			return true
		}
		if t := strings.TrimPrefix(strings.TrimSuffix(s, "/"), "./"); t == "" || t == "." || t == "*" {
			return true
		}
	}
	return false
}

// isSystemPath reports a path under a system folder that is not an app
// folder there (/usr/src/..., /usr/app, /usr/<name>/app/...).
func isSystemPath(p string) bool {
	sys := false
	for _, sp := range systemPaths {
		if strings.HasPrefix(p+"/", sp) {
			sys = true
			break
		}
	}
	if !sys || !strings.HasPrefix(p, "/usr/") {
		return sys
	}
	elems := strings.Split(strings.TrimPrefix(p, "/"), "/")
	switch {
	case len(elems) >= 2 && (elems[1] == "src" || elems[1] == "app"):
		return false
	case len(elems) >= 3 && elems[2] == "app" && elems[1] != "local" && elems[1] != "lib" && elems[1] != "share" && elems[1] != "bin":
		return false
	}
	return true
}

func (f *File) copyFacts(fa *Facts, from string, srcs []string, dest string, line int, env map[string]string, done []*Facts, extraNode []string) {
	written := f.ExpandInStage(dest, env)
	dest = absPath(fa.Workdir, written)
	what := "COPY"
	if from != "" {
		what += " --from=" + from
	}
	what += " " + strings.Join(srcs, " ") + " " + dest
	if t := f.instructionText(line, what); strings.HasPrefix(strings.ToUpper(t), "COPY ") {
		// Quoted as written (COPY --from=build /app .), not with the
		// destination resolved: evidence reads like the file.
		what = t
	}
	// COPY . . into a WORKDIR under /etc is the app (logto lives in
	// /etc/logto); a file copied there (WORKDIR /etc/cron.d; COPY
	// app-cron .) is configuration.
	if from == "" {
		expanded := make([]string, len(srcs))
		for i, src := range srcs {
			expanded[i] = f.ExpandInStage(src, env)
		}
		fa.noteContextCopies(expanded, written, dest)
	}
	whole := from == "" && slices.ContainsFunc(srcs, func(s string) bool { return path.Clean(s) == "." })
	inWorkdir := fa.Workdir != "" && fa.Workdir != "/" && (dest == fa.Workdir || strings.HasPrefix(dest, fa.Workdir+"/"))
	if strings.HasPrefix(dest+"/", "/etc/") && !(inWorkdir && whole) {
		// Configuration of the image (a Caddyfile, an nginx site), not
		// the app, unless the app lives there (WORKDIR /etc/logto).
		return
	}
	if from == "" {
		if isBinDir(dest) && !anyScript(srcs) {
			// A start script or tool put on PATH (COPY start-container
			// /usr/local/bin/), not the app.
			return
		}
		// Outside the app's folder: a WORKDIR the stage sets and the
		// copy's destination is not in, or none and an absolute
		// destination (a relative one lands in the base image's WORKDIR,
		// likely the app's). Only where Node was installed on another
		// base: on a Node image (node-red's flows.json) data is the app's.
		noWorkdir := fa.Workdir == "" || fa.Workdir == "/"
		outside := ImageRuntime(fa.RootBase, extraNode...) == NoRuntime &&
			(noWorkdir && strings.HasPrefix(written, "/") ||
				!noWorkdir && dest != fa.Workdir && !strings.HasPrefix(dest, fa.Workdir+"/"))
		for _, src := range srcs {
			src = f.ExpandInStage(src, env)
			if outside && isDataFile(src) {
				// A data file put beside no app (COPY storage.rules
				// /storage.rules for a global tool): the image's
				// configuration.
				continue
			}
			if isCodeSource(src) {
				fa.addCode(Evidence{Line: line, What: trimWhat(f.instructionText(line, "COPY"))}, dest)
				fa.contextCode = true
				break
			}
		}
		return
	}
	from = f.ExpandInStage(from, env)
	if st := f.Stage(from); st != nil && st.Index < fa.Stage.Index {
		src := done[st.Index]
		fa.noteStageCopies(src, srcs, written, dest, env, f)
		if isBinDir(dest) && !anyScript(srcs) && src.Runtime != Node && !src.HasCode() {
			// A program built in a stage without Node or app code (go
			// install migrate, copied to /usr/local/bin): a tool.
			return
		}
		code := false
		for _, p := range srcs {
			p = absPath(src.Workdir, f.ExpandInStage(p, env))
			if path.Base(p) == "node_modules" && path.Base(dest) == "node_modules" && !strings.HasSuffix(dest, "/lib/node_modules") {
				// Dependencies an install made in the build stage
				// (COPY --from=installer /app/node_modules ./node_modules):
				// the app finds them in that folder or any below.
				fa.Modules = append(fa.Modules, Evidence{Line: line, What: path.Dir(dest)})
			}
			if p == "/" && fa.Runtime == NoRuntime {
				// The stage's whole file system (FROM scratch; COPY
				// --from=0 / /): its runtime, and its code below. A
				// stage that ran npm or node holds Node, however it got
				// it (a script decouple cannot read).
				switch {
				case src.Runtime != NoRuntime:
					fa.Runtime, fa.RuntimeBy = src.Runtime, Evidence{Line: line, What: trimWhat(what)}
				case src.ranNode != nil:
					fa.Runtime, fa.RuntimeBy = Node, Evidence{Line: line, What: trimWhat(what) + fmt.Sprintf(" (stage %s runs %s at line %d)", src.Stage.ID(), src.ranNode.What, src.ranNode.Line)}
				}
			}
			switch {
			case src.Runtime != NoRuntime && isNodeBinaryPath(p) && fa.Runtime == NoRuntime:
				fa.Runtime, fa.RuntimeBy = src.Runtime, Evidence{Line: line, What: trimWhat(what)}
			case code:
			case src.Runtime == NoRuntime && src.nativeBuild && !src.usedNode && !src.contextCode:
				// A program compiled in a stage with no JavaScript from
				// sources it fetched (a Go CLI: git clone && go build -o
				// /tmp/goat): a tool, not the app. Built from the
				// project's own sources, it is the project's code.
			case src.HasCode() && copiesCode(src, p):
				fa.addCode(Evidence{Line: line, What: trimWhat(what) + " (stage " + src.Stage.ID() + " holds app code)"}, dest)
				code = true
			case !src.HasCode() && src.UnknownBase && isAppPath(p):
				// The source stage starts from an image decouple cannot
				// see into (FROM ${BASE_IMAGE}, FROM myorg/app-base): what
				// it holds at an app path such as dist/ or .next/standalone
				// is the app, built by a Dockerfile elsewhere.
				fa.addCode(Evidence{Line: line, What: trimWhat(what) + " (an app path of " + src.RootBase + ")"}, dest)
				code = true
			}
		}
		return
	}
	// An external image or named build context.
	rt := ImageRuntime(from, extraNode...)
	for _, p := range srcs {
		p = absPath("/", f.ExpandInStage(p, env))
		if isNodeBinaryPath(p) {
			if rt != NoRuntime && fa.Runtime == NoRuntime {
				fa.Runtime, fa.RuntimeBy = rt, Evidence{Line: line, What: trimWhat(what)}
				break
			}
			continue
		}
		if !IsScratchLike(from) && isAppPath(p) {
			fa.addCode(Evidence{Line: line, What: trimWhat(what) + " (an app path of " + from + ")"}, dest)
			break
		}
	}
}

// copiesCode decides whether copying path p out of a stage that holds code
// brings code along, by what that stage holds there: a path at, inside or
// above a folder where it put code is code; dependency folders and system
// folders elsewhere are not.
func copiesCode(src *Facts, p string) bool {
	if strings.HasSuffix(strings.TrimSuffix(p, "/"), "node_modules") {
		return false
	}
	if base := path.Base(p); infraExts[path.Ext(base)] || isImagePlumbing(base) {
		return false // an entrypoint script or a config file, even from the app's tree
	}
	if p == "/" {
		return true
	}
	for _, d := range src.CodeDirs {
		if d == "/" {
			continue
		}
		if p == d || strings.HasPrefix(p, d+"/") || strings.HasPrefix(d, p+"/") {
			return true
		}
	}
	return !isSystemPath(p)
}

// appPathNames are folder and file names that hold a JS app's code or its
// build output wherever an image keeps them.
var appPathNames = map[string]bool{
	"app": true, "src": true, "build": true, "dist": true, "server": true, "out": true,
	".next": true, "standalone": true, ".output": true, "node_modules": true,
	"package.json": true, "server.js": true, "index.js": true, "main.js": true,
}

// isAppPath reports whether a path copied out of an image decouple cannot
// see into names app code or its build output rather than a tool or a
// system file.
func isAppPath(p string) bool {
	p = path.Clean("/" + p)
	if isSystemPath(p) || isNodeBinaryPath(p) {
		return false
	}
	for _, e := range strings.Split(strings.TrimPrefix(p, "/"), "/") {
		if appPathNames[e] {
			return true
		}
	}
	return false
}

func (f *File) addFacts(fa *Facts, c *instructions.AddCommand, line int, env map[string]string) {
	written := f.ExpandInStage(c.DestPath, env)
	dest := absPath(fa.Workdir, written)
	var local []string
	for _, src := range c.SourcePaths {
		if src = f.ExpandInStage(src, env); !isLocalTarball(src) {
			local = append(local, src) // an archive is unpacked, not copied
		}
	}
	fa.noteContextCopies(local, written, dest)
	for _, src := range c.SourcePaths {
		src = f.ExpandInStage(src, env)
		remote := strings.Contains(src, "://") || strings.HasPrefix(src, "git@")
		if remote && isNodeDownload(src) {
			if fa.Runtime == NoRuntime {
				fa.Runtime, fa.RuntimeBy = Node, Evidence{Line: line, What: "ADD " + src}
			}
			continue
		}
		// A remote source is code only when it is a source archive or a
		// git repository; a downloaded binary (tini, a CLI) is not.
		if remote && !isSourceArchive(src) && !isGitSource(src) {
			continue
		}
		if !remote && !isCodeSource(src) {
			continue
		}
		fa.addCode(Evidence{Line: line, What: trimWhat(f.instructionText(line, "ADD"))}, dest)
		return
	}
}

// isGitSource recognises a git repository as an ADD source.
func isGitSource(src string) bool {
	if strings.HasPrefix(src, "git@") || strings.HasPrefix(src, "git://") {
		return true
	}
	u := src
	if i := strings.IndexAny(u, "#?"); i >= 0 {
		u = u[:i]
	}
	return strings.HasSuffix(strings.TrimSuffix(u, "/"), ".git")
}

// copiedFile reports a command word that is a path (./node, /app/node) to
// a file the stage's code copies put there: the app's own program under a
// launcher's name (a Go binary copied as node), not the runtime on PATH.
func (fa *Facts) copiedFile(word string) bool {
	if !strings.Contains(word, "/") || strings.Contains(word, "$") {
		return false
	}
	return slices.Contains(fa.CodeDirs, absPath(fa.Workdir, word))
}

func (fa *Facts) addCode(e Evidence, dest string) {
	fa.Code = append(fa.Code, e)
	fa.CodeDirs = append(fa.CodeDirs, dest)
}

// instructionText is the instruction's source line, whitespace squeezed.
func (f *File) instructionText(line int, fallback string) string {
	start := LineStart(f.Src, line)
	if start < 0 {
		return fallback
	}
	esc := f.escape
	if esc == 0 {
		esc = '\\'
	}
	// A continued line ends in the file's escape token (a backslash, or
	// the backtick that `# escape=` selects): the instruction goes on
	// (COPY \ / --chown=1000 \ / src /app/src), past comment lines, a
	// few lines at most (the text is cut short for messages anyway).
	var words []string
	for n := 0; n < 16 && start < len(f.Src); n++ {
		end := start
		for end < len(f.Src) && f.Src[end] != '\n' {
			end++
		}
		text := strings.TrimSpace(string(f.Src[start:end]))
		start = end + 1
		if n > 0 && strings.HasPrefix(text, "#") {
			continue
		}
		t, continued := strings.CutSuffix(text, string(esc))
		words = append(words, strings.Fields(t)...)
		if !continued {
			break
		}
	}
	if len(words) == 0 {
		return fallback
	}
	return strings.Join(words, " ")
}

// Shorten cuts evidence text for a message, as the facts' own evidence is.
func Shorten(s string) string { return trimWhat(s) }

func trimWhat(s string) string {
	const max = 72
	if len(s) <= max {
		return s
	}
	// The middle goes: the end of an instruction is where it puts
	// things (COPY --from=deps /app/packages/… /app/packages/prisma).
	// The last word is kept whole when it is not too long.
	tail := 24
	if i := strings.LastIndexByte(s, ' '); i > 0 && len(s)-i <= 40 {
		tail = len(s) - i
	}
	head, rest := max-tail-1, len(s)-tail
	for head > 0 && !utf8.RuneStart(s[head]) {
		head--
	}
	for rest < len(s) && !utf8.RuneStart(s[rest]) {
		rest++
	}
	if i := strings.LastIndexByte(s[:head], ' '); i > head/2 {
		head = i + 1 // cut at a word
	}
	return s[:head] + "…" + s[rest:]
}

// absPath resolves p against a working directory as Docker does.
func absPath(wd, p string) string {
	if p == "" {
		return wd
	}
	if !strings.HasPrefix(p, "/") {
		if wd == "" {
			wd = "/"
		}
		p = wd + "/" + p
	}
	return path.Clean(p)
}

// InstructionLine is the line an instruction starts on.
func InstructionLine(c instructions.Command) int {
	if r := c.Location(); len(r) > 0 {
		return r[0].Start.Line
	}
	return 0
}

// onlyDefaulted reports whether every use of a variable in a Dockerfile
// word gives a default for when it is unset: ${NAME:-word} or ${NAME-word}.
func onlyDefaulted(word, name string) bool {
	uses := 0
	for i := 0; i < len(word); i++ {
		if word[i] != '$' {
			continue
		}
		rest := word[i+1:]
		braced := strings.HasPrefix(rest, "{")
		if braced {
			rest = rest[1:]
		}
		if !strings.HasPrefix(rest, name) {
			continue
		}
		after := rest[len(name):]
		if after != "" && (after[0] == '_' || 'a' <= after[0] && after[0] <= 'z' || 'A' <= after[0] && after[0] <= 'Z' || '0' <= after[0] && after[0] <= '9') {
			continue // a longer name
		}
		uses++
		if !braced || !strings.HasPrefix(after, ":-") && !strings.HasPrefix(after, "-") {
			return false
		}
	}
	return uses > 0
}
