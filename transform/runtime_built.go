package transform

import (
	"cmp"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"

	"github.com/decouple-dev/decouple/internal/dockerfile"
)

// The built runtime. A stock Node image cannot honour what the old final
// stage set up outside the code path: system packages, global tools,
// users, init, entrypoint scripts. The runtime then builds a code-free
// stage of its own, generated into the code Dockerfile: the old chain's
// FROM and its steps that do not touch the code path, none of the app's
// COPY/ADD. A Node patch is still one line (that FROM, or the ARG that
// feeds it) and a rebuild of the runtime alone; the code image is never
// rebuilt for it.

// runtimeStep is one instruction of the old chain and whether the built
// runtime replays it.
type runtimeStep struct {
	cmd    instructions.Command
	replay bool
	mixed  bool // a RUN that mixes system changes with work on the code
	// text replaces the instruction's source when only part of it is
	// replayed.
	text string
	// scripts are the project's own scripts it runs on the code.
	scripts []string
}

// builtRuntime is the code-free runtime stage of one target.
type builtRuntime struct {
	name   string // the stage's name in the code Dockerfile
	text   string // the stage, ready to append
	needed bool   // the chain set up something a stock image lacks
	steps  []runtimeStep
	// fromIndex is the original stage the runtime starts from (its steps
	// are the runtime's), -1 when it starts from an image.
	fromIndex int
	// refuse says why no runtime can be built this way.
	refuse string
	// opaque says why no runtime at all, built or stock, is known to
	// start: a step after the code arrived that decouple cannot read.
	opaque string
}

// runtimeFor plans the built runtime of a target stage. multi names the
// stage after its target when the code Dockerfile has several. The check
// and the code Dockerfile's layout ask for the same one: it is planned once
// per plan (its steps are only read).
func (p *splitPlan) runtimeFor(target *dockerfile.Stage, wd string, multi bool) builtRuntime {
	k := runtimeKey{target.Index, wd, multi}
	if br, ok := p.runtimes[k]; ok {
		return br
	}
	br := p.planRuntime(target, wd, multi)
	if p.runtimes == nil {
		p.runtimes = map[runtimeKey]builtRuntime{}
	}
	p.runtimes[k] = br
	return br
}

// runtimeKey is what a built runtime is planned from.
type runtimeKey struct {
	stage int
	wd    string
	multi bool
}

func (p *splitPlan) planRuntime(target *dockerfile.Stage, wd string, multi bool) builtRuntime {
	df := p.s.Dockerfile
	facts := stageFacts(p.ws, p.s)
	fa := facts[target.Index]
	br := builtRuntime{name: "runtime"}
	if multi {
		br.name = "runtime-" + strings.ToLower(target.ID()) // BuildKit warns on upper-case stage names
	}
	br.name = freeStageName(df, br.name) // never a name the original uses
	var chain []*dockerfile.Stage
	for st := target; st != nil; st = st.BaseStage {
		chain = append([]*dockerfile.Stage{st}, chain...)
	}
	// Node from the Dockerfile rather than the base image: the runtime
	// must replay its install. A code-free Node stage, when there is one,
	// is where the runtime starts instead.
	from := chain[0].BaseRaw
	start := 0
	br.fromIndex = -1
	if fa.UnknownBase || fa.RuntimeBy.Line != fa.RootBaseLine {
		br.needed = true
		for i := len(chain) - 2; i >= 0; i-- {
			if f := facts[chain[i].Index]; f.Runtime == dockerfile.Node && !f.HasCode() && chain[i].Name != "" {
				// A code-free Node stage of the original: the runtime
				// starts there, and is needed only for steps after it.
				from, start, br.needed, br.fromIndex = chain[i].Name, i+1, false, chain[i].Index
				break
			}
		}
	}
	if start == 0 && strings.Contains(dockerfile.ImageTag(chain[0].Base), "onbuild") {
		// Its ONBUILD triggers would copy the context into the runtime.
		br.refuse = fmt.Sprintf("the base image %s has ONBUILD triggers that copy the build context: a runtime built from it would hold the code again; base the Dockerfile on a plain node image", chain[0].BaseRaw)
	}
	codeLines := map[int]bool{}
	for _, c := range fa.Code {
		codeLines[c.Line] = true
	}
	inCode := func(p string) bool {
		p = path.Clean(p)
		return p == wd || strings.HasPrefix(p, strings.TrimSuffix(wd, "/")+"/")
	}
	// Variables an ENV may name that a compose environment: entry can
	// state: build args and what the Dockerfile sets itself. Any other
	// (ENV PATH=/app/node_modules/.bin:$PATH) is the base image's, which
	// only a runtime built from these steps expands.
	// The same variables runtimeImage resolves through composeText.
	// A global ARG is known in a stage only once the stage declares it
	// (the ARG case below).
	known := map[string]bool{}
	for k := range p.rawBuildArgs() {
		known[k] = true
	}
	for _, st := range chain[:start] {
		for _, c := range st.Commands {
			if e, ok := c.(*instructions.EnvCommand); ok {
				for _, kv := range e.Env {
					known[kv.Key] = true
				}
			}
		}
	}
	var b strings.Builder
	codeSeen := false
	// held are the copies into the code path that are not code (COPY
	// requirements.txt ., COPY install-deps.sh .): left out, unless a
	// replayed RUN reads what they bring (pip install -r
	// requirements.txt), which then gets them first.
	var held []heldCopy
	fmt.Fprintf(&b, "FROM %s AS %s\n", from, br.name)
	for _, st := range chain[start:] {
		cur := ""
		if st.BaseStage != nil {
			cur = facts[st.BaseStage.Index].Workdir
		}
		for _, c := range st.Commands {
			line := dockerfile.InstructionLine(c)
			step := runtimeStep{cmd: c, replay: true}
			// Paths and a RUN's cd name variables with the values the
			// build has there (WORKDIR $APP_HOME; cd $APP_HOME).
			env := func() map[string]string { return df.EnvAt(st, line) }
			expand := func(w string) string {
				if !strings.Contains(w, "$") {
					return w
				}
				return df.ExpandInStage(w, env())
			}
			switch c := c.(type) {
			case *instructions.WorkdirCommand:
				cur = absJoin(cur, expand(c.Path))
			case *instructions.CopyCommand:
				dest := absJoin(cur, expand(c.DestPath))
				// Anything the facts count as app code stays out, even a
				// script copied out of the code (the runtime would then
				// bundle it, and DC001 would rightly flag the runtime).
				// Copies the code image takes from / (rootCode) stay out too.
				step.replay = !codeLines[line] && !inCode(dest) && !p.rebased[line]
				if !step.replay && !codeLines[line] && !p.rebased[line] {
					held = append(held, heldCopy{step: len(br.steps), provides: copied(c.SourcePaths, c.DestPath, dest, expand), cwd: cur})
				}
			case *instructions.AddCommand:
				dest := absJoin(cur, expand(c.DestPath))
				step.replay = !codeLines[line] && !inCode(dest) && !p.rebased[line]
				if !step.replay && !codeLines[line] && !p.rebased[line] {
					held = append(held, heldCopy{step: len(br.steps), provides: copied(c.SourcePaths, c.DestPath, dest, expand), cwd: cur})
				}
			case *instructions.VolumeCommand:
				for _, v := range c.Volumes {
					if inCode(absJoin(cur, expand(v))) {
						step.replay = false
					}
				}
			case *instructions.RunCommand:
				if codeLines[line] {
					step.replay = false
					break
				}
				// Before the code arrives, a file a held copy brings is
				// no code: a step on it (cp requirements.txt /etc/) is the
				// system's, replayed with that copy.
				onCode := inCode
				if !codeSeen && len(held) > 0 {
					onCode = func(p string) bool { return inCode(p) && !heldPath(held, p) }
				}
				sys, code, unknown, chain, codeScripts := runParts(c, cur, env(), onCode, codeSeen)
				if len(codeScripts) > 0 {
					step.scripts = codeScripts
				}
				switch {
				case unknown != "":
					// After the code arrived, a command decouple cannot read
					// (a build script) may make what the app needs anywhere.
					step.replay = false
					if br.opaque == "" {
						br.opaque = fmt.Sprintf("RUN at %s:%d runs %s after the code arrives, and decouple cannot tell what it makes or where, so a runtime without the code may lack it: split the service by hand",
							p.ws.Rel(df.Path), line, unknown)
					}
				case len(code) == 0:
					// Only system changes: replayed as written.
				case len(sys) == 0 || allOf(sys, inertCommands...):
					// cd client && npm install && cd ../server: what is
					// left of it moves around and makes nothing.
					step.replay = false
					if inst := otherInstall(code); inst != "" && br.refuse == "" {
						// pip install -r /app/requirements.txt: the packages
						// go to the system, which the runtime must have, and
						// are read from the code, which it has not.
						br.needed = true
						br.refuse = fmt.Sprintf("RUN at %s:%d installs packages into the image from a file of the code (%s): the runtime needs them and has no code to install them from; COPY that file on its own before the code (as package.json is for npm), so the runtime can replay the install",
							p.ws.Rel(df.Path), line, inst)
					}
				case chain:
					// `apk add tini && npm ci`: the system half is replayed.
					step.replay, step.text = true, "RUN "+strings.Join(sys, " && ")+"\n"
				case allOf(code, "mkdir"):
					// curl … | apt-key add - && apt-get install nodejs &&
					// mkdir /myapp: not a plain chain, but all it does to
					// the code is make its empty folder, which the code
					// volume covers in the runtime. Replayed as written.
				default:
					step.replay, step.mixed = false, true
					// Users and groups it makes are still the runtime's
					// (a later USER or --chown names them): those
					// commands alone are replayed.
					if users := userSteps(sys); len(users) > 0 {
						step.replay, step.text = true, "RUN "+strings.Join(users, " && ")+"\n"
					}
				}
			case *instructions.ArgCommand:
				for _, a := range c.Args {
					known[a.Key] = true
				}
			case *instructions.EnvCommand:
				for _, e := range c.Env {
					for _, m := range argRef.FindAllStringSubmatch(e.Value, -1) {
						if name := m[1] + m[3]; !known[name] {
							br.needed = true
						}
					}
					known[e.Key] = true
				}
			case *instructions.OnbuildCommand:
				step.replay = false
			}
			if codeLines[line] {
				codeSeen = true
			}
			if run, ok := c.(*instructions.RunCommand); ok && step.replay {
				for i := range held {
					if h := &held[i]; !br.steps[h.step].replay && readsAny(run, cur, env(), h.provides) {
						br.steps[h.step].replay = true
						// A relative destination means the WORKDIR of its
						// place: the copy goes there.
						moved := h.cwd != cur && h.cwd != ""
						if moved {
							fmt.Fprintf(&b, "WORKDIR %s\n", h.cwd)
						}
						b.WriteString(instructionSource(df, br.steps[h.step].cmd))
						if moved {
							fmt.Fprintf(&b, "WORKDIR %s\n", cmp.Or(cur, "/"))
						}
					}
				}
			}
			if step.replay {
				if step.text != "" {
					b.WriteString(step.text)
				} else {
					b.WriteString(instructionSource(df, c))
				}
				if _, ok := c.(*instructions.RunCommand); ok {
					br.needed = true
				}
				switch c.(type) {
				case *instructions.CopyCommand, *instructions.AddCommand:
					br.needed = true
				}
			}
			br.steps = append(br.steps, step)
		}
	}
	br.text = b.String()
	switch p.opts.Runtime {
	case "built":
		br.needed = true
	case "stock":
		br.needed = false
	}
	return br
}

// userSteps are the commands among a RUN's system half (as shell text)
// that make users and groups.
func userSteps(sys []string) []string {
	var out []string
	for _, t := range sys {
		if f := strings.Fields(t); len(f) > 0 && userCommands[path.Base(f[0])] {
			out = append(out, t)
		}
	}
	return out
}

// heldCopy is a COPY or ADD into the code path that is not code: the
// index of its step, and the paths it fills.
type heldCopy struct {
	step     int
	provides []string
	cwd      string // the WORKDIR it copies in
}

// copied lists the paths a COPY or ADD fills: each source's name in the
// destination folder, and the destination itself for a single source
// copied to a name (COPY config.json /app/conf.json).
func copied(sources []string, destText, dest string, expand func(string) string) []string {
	var out []string
	for _, src := range sources {
		src = strings.TrimSuffix(expand(src), "/")
		if base := path.Base(src); base != "." && base != "/" && !strings.ContainsAny(base, "*?[") {
			out = append(out, path.Join(dest, base))
		}
	}
	if len(sources) == 1 && !strings.HasSuffix(destText, "/") && (path.Ext(dest) != "" || path.Base(dest) == path.Base(expand(sources[0]))) {
		// A file's new name (COPY config.json /app/conf.json); a folder
		// (COPY package.json /usr/src/app) is not taken for one, or every
		// word of a later RUN would name a path in it.
		out = append(out, dest)
	}
	return out
}

// heldPath reports a path that one of the held copies fills, or one
// inside it.
func heldPath(held []heldCopy, p string) bool {
	return slices.ContainsFunc(held, func(h heldCopy) bool { return fills(h.provides, p) })
}

// fills reports whether p is among paths, or inside one of them.
func fills(paths []string, p string) bool {
	p = path.Clean(p)
	return slices.ContainsFunc(paths, func(q string) bool { return p == q || strings.HasPrefix(p, q+"/") })
}

// readsAny reports whether a RUN names a path among paths, or inside one,
// as an argument or a flag's value (pip install -r requirements.txt, sh
// install-deps.sh, --requirement=requirements.txt).
func readsAny(c *instructions.RunCommand, cwd string, env map[string]string, paths []string) bool {
	for _, script := range dockerfile.RunScripts(c) {
		for _, cmd := range dockerfile.ShellCommands(script) {
			for _, name := range manifestsRead[cmd.Name] {
				// bundle install reads the Gemfile of its folder
				// without naming it.
				if fills(paths, absJoin(cmp.Or(cwd, "/"), name)) {
					return true
				}
			}
			for _, a := range cmd.Args {
				if _, v, ok := strings.Cut(a, "="); ok && strings.HasPrefix(a, "-") {
					a = v
				}
				if a == "" || strings.HasPrefix(a, "-") || strings.Contains(a, "://") {
					continue
				}
				if p, ok := place(a, cmp.Or(cwd, "/"), env); ok && fills(paths, p) {
					return true
				}
			}
		}
	}
	return false
}

// otherInstall is the first of a RUN's commands (as shell text) that
// installs another language's packages into the system, or "".
func otherInstall(cmds []string) string {
	for _, t := range cmds {
		f := strings.Fields(t)
		if len(f) < 2 {
			continue
		}
		name, verb := path.Base(f[0]), f[1]
		if (name == "python" || name == "python3") && len(f) > 3 && f[1] == "-m" {
			name, verb = f[2], f[3]
		}
		// Those that install into the system by default; composer, poetry
		// and uv fill a folder of the project, which the code volume
		// carries.
		switch name {
		case "pip", "pip3", "gem", "bundle", "conda", "mamba":
			if verb == "install" && !slices.ContainsFunc(f, func(a string) bool {
				return a == "-t" || a == "--prefix" || a == "--path" || a == "--deployment" || strings.HasPrefix(a, "--target") || strings.HasPrefix(a, "--prefix=")
			}) {
				return dockerfile.Shorten(t)
			}
		}
	}
	return ""
}

// manifestsRead are the manifests other languages' package managers read
// from their folder without naming them.
var manifestsRead = map[string][]string{
	"bundle": {"Gemfile", "Gemfile.lock"}, "composer": {"composer.json", "composer.lock"},
	"pipenv": {"Pipfile", "Pipfile.lock"}, "poetry": {"pyproject.toml", "poetry.lock"},
	"go": {"go.mod", "go.sum"}, "mix": {"mix.exs", "mix.lock"}, "cargo": {"Cargo.toml", "Cargo.lock"},
}

// runParts reads a RUN into the simple commands that change the system
// (sys, as shell text) and those that work on the code. unknown names a
// command run after the code arrived that is neither (a build script);
// chain says the script is a plain && chain, so its system half can run
// alone.
func runParts(c *instructions.RunCommand, cwd string, env map[string]string, inCode func(string) bool, codeSeen bool) (sys, code []string, unknown string, chain bool, codeScripts []string) {
	scripts := dockerfile.RunScripts(c)
	chain = len(c.Files) == 0 && len(scripts) == 1 && dockerfile.IsAndChain(scripts[0])
	// The commands come without their redirections: a script that has
	// any (cat x > y) is not read-only wherever a `>` sits.
	redirects := strings.Contains(strings.Join(scripts, "\n"), ">")
	var cmds []dockerfile.Command
	for _, script := range scripts {
		for _, cmd := range dockerfile.Commands(script) {
			// sh -c "…" / bash --login -c "…": the commands inside.
			if inner, ok := cmd.ShellScript(); ok {
				cmds = append(cmds, dockerfile.Commands(inner)...)
				chain = false
				continue
			}
			cmds = append(cmds, cmd)
		}
	}
	// A chain's commands are replayed as written: words re-quoted from
	// the parse would turn a glob (rm -rf /var/lib/apt/lists/*) literal.
	var parts []string
	if chain {
		if parts = dockerfile.AndChainParts(scripts[0]); len(parts) != len(cmds) {
			parts = nil
		}
	}
	for i, cmd := range cmds {
		text := shellText(cmd.Args, false)
		if parts != nil {
			text = parts[i]
		}
		prog := cmd.Args[0]
		sysPart, codePart, mixed := splitOperands(cmd, cwd, env, inCode)
		switch {
		case cmd.Kind == dockerfile.ReadOnly && !redirects && !looksAtCode(cmd, cwd, inCode):
			// A filter or a look (pnpm fetch | grep -v …, ls -la): it
			// makes nothing, wherever it runs. A look at the code (ls
			// webmodules) would fail where the code is not: the code's.
		case cmd.Kind == dockerfile.ReadOnly && !redirects:
			code = append(code, text)
		case mixed:
			// mkdir -p /app /opt/data: the runtime still needs /opt/data.
			sys = append(sys, sysPart)
			code = append(code, codePart)
		case linksOutOfCode(cmd, cwd, env, inCode):
			sys = append(sys, text)
		case commandOnCode(cmd, cwd, env, inCode):
			code = append(code, text)
		case codeSeen && (!path.IsAbs(prog) && strings.Contains(prog, "/") || path.IsAbs(prog) && inCode(prog)):
			// The project's own script (bin/installDeps.sh), run on
			// the code: its work is taken to stay with the code; what
			// else it does is listed as not replayed.
			code = append(code, text)
			codeScripts = append(codeScripts, prog)
		case codeSeen && cmd.Kind == dockerfile.PackageManagerSetting:
			sys = append(sys, text)
		case codeSeen && !systemCommand(cmd):
			if unknown == "" {
				unknown = cmd.Name
			}
		default:
			if strings.Contains(text, "$") {
				chain = false // a variable: the text would not mean the same
			}
			sys = append(sys, text)
		}
	}
	return sys, code, unknown, chain, codeScripts
}

// looksAtCode reports a read-only command (ls webmodules, cat
// package.json) whose path operand lies in the code folder, from whatever
// folder it runs in.
func looksAtCode(c dockerfile.Command, cwd string, inCode func(string) bool) bool {
	if cwd == "" {
		cwd = "/"
	}
	for _, a := range c.Args[1:] {
		if a != "" && !strings.HasPrefix(a, "-") && !strings.ContainsAny(a, "$:*?") && inCode(absJoin(cwd, a)) {
			return true
		}
	}
	return false
}

// allOf reports parts made only of commands named in names.
func allOf(parts []string, names ...string) bool {
	for _, part := range parts {
		for _, c := range dockerfile.Commands(part) {
			if !slices.Contains(names, c.Name) {
				return false
			}
		}
	}
	return len(parts) > 0
}

// inertCommands change nothing in the image by themselves: moving around
// (cd ..), setting the shell's options.
var inertCommands = []string{"cd", "pushd", "popd", "true", ":", "set", "exit"}

// systemCommand reports whether a command changes the system, not the app:
// after the code arrived it is still replayed in the runtime (when it
// touches no code path). System package managers and global installs do.
func systemCommand(c dockerfile.Command) bool {
	switch c.Kind {
	case dockerfile.SystemInstall, dockerfile.SystemRemove, dockerfile.SystemManager, dockerfile.GlobalInstall, dockerfile.GlobalOther:
		return true
	}
	return systemCommands[c.Name] || userCommands[c.Name]
}

// userCommands manage users and groups. They are the system's even when
// their arguments name the code folder (adduser -h /app: a home there), so
// commandOnCode asks them apart from systemCommands.
var userCommands = map[string]bool{
	"adduser": true, "useradd": true, "addgroup": true, "groupadd": true, "usermod": true,
	"deluser": true, "userdel": true, "delgroup": true, "groupdel": true, "groupmod": true,
}

// systemCommands are the other commands that change the system.
var systemCommands = map[string]bool{
	"corepack": true, "ln": true, "chmod": true, "chown": true, "mkdir": true, "rm": true, "cp": true,
	"mv": true, "touch": true, "echo": true, "set": true, "true": true, "test": true, "[": true,
	"export": true, "cd": true, "update-ca-certificates": true, "locale-gen": true, "install": true,
	"dpkg-reconfigure": true, "apt-mark": true, "ldconfig": true, "printf": true, "tee": true,
	// Shell builtins that change nothing in the image (RUN adduser …; exit 0).
	"exit": true, ":": true, "unset": true, "umask": true, "return": true,
	// Edits of files outside the code (sed -i 's/\r//g' /opt/wait-for-it.sh);
	// on files in the code, commandOnCode counts them as the code's.
	"sed": true, "dos2unix": true,
}

// commandOnCode reports whether a simple command works on the app: a
// package manager or node run in the app folder (not a global install), or
// any path argument inside the code folder. env is the RUN's environment,
// for a cd into a folder a variable names.
func commandOnCode(c dockerfile.Command, cwd string, env map[string]string, inCode func(string) bool) bool {
	cmd := c.Name
	switch c.Kind {
	case dockerfile.ProjectInstall, dockerfile.ProjectRun:
		return true
	case dockerfile.GlobalInstall, dockerfile.GlobalOther, dockerfile.PackageManagerSetting:
		return false
	}
	if userCommands[cmd] {
		// adduser -h /app app: a user whose home is the code folder is
		// still the system's; the runtime's USER needs it.
		return false
	}
	if cmd == "cd" {
		if len(c.Args) < 2 {
			return false
		}
		dir := dockerfile.CdTarget(absJoin(cwd, "."), c.Rest(), env)
		if dir == "" {
			dir = absJoin(cwd, c.Args[1])
		}
		return inCode(dir)
	}
	for _, w := range c.Writes {
		// echo "$COMMIT" > dist/.hash: a file written in the code folder
		// (the runtime has no dist/ to write it to). A package manager's
		// log (apk add curl > apk.log) leaves it the system's; a path
		// through ~ or a variable with no value here is not the code's.
		if c.Kind != dockerfile.OtherCommand && c.Kind != dockerfile.ReadOnly {
			break
		}
		if strings.Contains(w, "$") {
			v, ok := dockerfile.ExpandShell(w, env)
			if !ok {
				continue
			}
			w = v
		}
		if strings.HasPrefix(w, "~") {
			continue
		}
		if path.IsAbs(w) && inCode(w) || !path.IsAbs(w) && cwd != "" && inCode(absJoin(cwd, w)) {
			return true
		}
	}
	for _, a := range fileArgs(c) {
		if argOnCode(cmd, a, cwd, env, inCode) {
			return true
		}
	}
	return false
}

// argOnCode reports whether an argument of a command names a path in the
// code folder.
func argOnCode(cmd, a, cwd string, env map[string]string, inCode func(string) bool) bool {
	if strings.HasPrefix(a, "-") || strings.Contains(a, "://") {
		return false
	}
	// chown -R node $APP_HOME: the path the RUN's shell sees.
	if strings.Contains(a, "$") {
		if v, ok := dockerfile.ExpandShell(a, env); ok {
			a = v
		}
	}
	if path.IsAbs(a) && inCode(a) {
		return true
	}
	if cwd != "" && inCode(cwd) && (a == "." || strings.HasPrefix(a, "./") || strings.HasPrefix(a, "../")) && inCode(absJoin(cwd, a)) {
		return true
	}
	// chmod +x docker/entrypoint.sh, chown node uploads in the code
	// folder: a relative path that a file command works on (the runtime
	// has no such file: replayed there, the step fails).
	return fileCommands[cmd] && cwd != "" && inCode(cwd) && !path.IsAbs(a) && inCode(absJoin(cwd, a))
}

// operandCommands take any number of paths and do the same to each, so
// their paths outside the code can be replayed without those inside.
var operandCommands = map[string]bool{"mkdir": true, "touch": true, "chmod": true, "chown": true, "chgrp": true, "rm": true}

// splitOperands parts a command whose paths lie both in the code folder
// and outside it (mkdir -p /app /opt/data) into the command on the paths
// outside, for the runtime, and the one on the paths inside; ok is false
// when its paths are all on one side (or it is no such command).
func splitOperands(c dockerfile.Command, cwd string, env map[string]string, inCode func(string) bool) (sys, code string, ok bool) {
	if !operandCommands[c.Name] || c.Kind != dockerfile.OtherCommand || len(c.Writes) > 0 {
		return "", "", false
	}
	rest := c.Rest()
	// Which words are paths: not a flag, not a flag's value (mkdir -m
	// 755, touch -d 2020-01-01), not chown's owner or chmod's mode.
	isPath := make([]bool, len(rest))
	first := c.Name == "chmod" || c.Name == "chown" || c.Name == "chgrp"
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		switch {
		case operandValueFlags[c.Name][a]:
			i++
		case strings.HasPrefix(a, "--reference"):
			return "", "", false // the mode or owner of another file
		case strings.HasPrefix(a, "-") && !(c.Name == "chmod" && len(a) > 1 && strings.Trim(a[1:], "rwxXst") == ""):
		case first:
			first = false
		default:
			isPath[i] = true
		}
	}
	var in, out int
	onCode := make([]bool, len(rest))
	for i, a := range rest {
		if !isPath[i] {
			continue
		}
		if argOnCode(c.Name, a, cwd, env, inCode) {
			onCode[i] = true
			in++
		} else {
			out++
		}
	}
	if in == 0 || out == 0 {
		return "", "", false
	}
	sysArgs, codeArgs := []string{c.Name}, []string{c.Name}
	for i, a := range rest {
		if !isPath[i] || !onCode[i] {
			sysArgs = append(sysArgs, a)
		}
		if !isPath[i] || onCode[i] {
			codeArgs = append(codeArgs, a)
		}
	}
	return wordsText(sysArgs), wordsText(codeArgs), true
}

// operandValueFlags are the flags of operandCommands whose value is the
// next word.
var operandValueFlags = map[string]map[string]bool{
	"mkdir": {"-m": true, "--mode": true},
	"touch": {"-d": true, "--date": true, "-t": true, "-r": true},
	"chown": {"--from": true},
}

// wordsText joins a command's words for a shell again, quoting only what
// would split or change it: variables and globs are left to expand as
// they did in the RUN (mkdir -p $NVM_DIR, rm -rf /tmp/*).
func wordsText(words []string) string { return quoteWords(words, " \t'\"&|;<>()`\\") }

// linksOutOfCode reports an ln whose link lies outside the code folder
// (ln -s /app/cli.js /usr/local/bin/mycli): it changes the system, and the
// link resolves once the code volume is mounted.
func linksOutOfCode(c dockerfile.Command, cwd string, env map[string]string, inCode func(string) bool) bool {
	if c.Name != "ln" {
		return false
	}
	rest := c.Rest()
	// ln -s, -sf, -snf: a hard link (no -s) needs its target in the
	// build, which the code-free runtime lacks.
	symbolic := slices.ContainsFunc(rest, func(a string) bool {
		return a == "--symbolic" || len(a) > 1 && a[0] == '-' && a[1] != '-' && strings.Contains(a, "s")
	})
	srcs, link := dockerfile.CopyOperands(rest)
	if !symbolic || link == "" || slices.ContainsFunc(srcs, func(o string) bool { return strings.ContainsAny(o, "*?[") }) {
		// No link named: one in the working folder. A glob over the
		// code (ln -s /app/node_modules/.bin/* …) matches nothing where
		// the code is not.
		return false
	}
	if strings.Contains(link, "$") {
		v, ok := dockerfile.ExpandShell(link, env)
		if !ok {
			return false
		}
		link = v
	}
	if !path.IsAbs(link) {
		if cwd == "" {
			return false
		}
		link = absJoin(cwd, link)
	}
	return !inCode(link)
}

// fileArgs are the arguments of a command that may name files: sed's
// script (s/\r//g, given without -e), chmod's mode and chown's owner are
// none.
func fileArgs(c dockerfile.Command) []string {
	rest := c.Rest()
	first := false // whether the first word that is no flag is no path
	switch c.Name {
	case "sed":
		scripts := slices.ContainsFunc(rest, func(a string) bool {
			return a == "-e" || a == "-f" || strings.HasPrefix(a, "--expression") || strings.HasPrefix(a, "--file")
		})
		if scripts {
			// sed -e 's/\r$//' file: the word after -e is a script.
			var files []string
			for i := 0; i < len(rest); i++ {
				if rest[i] == "-e" || rest[i] == "--expression" || rest[i] == "-f" || rest[i] == "--file" {
					i++
					continue
				}
				if !strings.HasPrefix(rest[i], "--expression=") && !strings.HasPrefix(rest[i], "--file=") {
					files = append(files, rest[i])
				}
			}
			return files
		}
		first = true
	case "chmod", "chown", "chgrp":
		first = !slices.ContainsFunc(rest, func(a string) bool { return strings.HasPrefix(a, "--reference") })
	}
	if !first {
		return rest
	}
	for i, a := range rest {
		flag := strings.HasPrefix(a, "-")
		if c.Name == "chmod" && flag && len(a) > 1 && strings.Trim(a[1:], "rwxXst") == "" {
			flag = false // chmod -x file: -x is the mode
		}
		if !flag {
			return append(slices.Clone(rest[:i]), rest[i+1:]...)
		}
	}
	return rest
}

// fileCommands work on the files their arguments name.
var fileCommands = map[string]bool{
	"chmod": true, "chown": true, "chgrp": true, "rm": true, "cp": true, "mv": true, "ln": true,
	"touch": true, "mkdir": true, "sed": true, "dos2unix": true, "tar": true, "unzip": true,
}

// absJoin resolves p against a working folder as Docker does.
func absJoin(wd, p string) string {
	if p == "" {
		return wd
	}
	if !path.IsAbs(p) {
		if wd == "" {
			wd = "/"
		}
		p = path.Join(wd, p)
	}
	return path.Clean(p)
}

// instructionSource is an instruction's text as written, with its
// continuation lines and heredoc bodies, ending in a newline.
func instructionSource(df *dockerfile.File, c instructions.Command) string {
	r := c.Location()
	if len(r) == 0 {
		return ""
	}
	first, last := r[0].Start.Line, r[len(r)-1].End.Line
	start := dockerfile.LineStart(df.Src, first)
	end := dockerfile.LineStart(df.Src, last+1)
	if start < 0 {
		return ""
	}
	if end < 0 {
		end = len(df.Src)
	}
	text := string(df.Src[start:end])
	if !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	return text
}
