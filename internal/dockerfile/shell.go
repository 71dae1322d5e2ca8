package dockerfile

import (
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"

	"mvdan.cc/sh/v3/syntax"
)

// runFacts reads one RUN script (the command line or a heredoc body) with
// mvdan.cc/sh, so quoting, `&&` chains, pipes and subshells split into the
// simple commands a shell would run. env is the stage's ENV and ARG values,
// which the RUN's shell sees as its environment.
func runFacts(fa *Facts, script string, line int, env map[string]string) {
	cmds := Commands(script)
	// cwd follows the script's cd for where installs leave node_modules
	// (cd /src && npm install; cd $APP_HOME && npm ci); the other facts
	// keep to WORKDIR. "" once a cd names a folder decouple cannot tell.
	fa.runEnv = env
	defer func() { fa.runEnv = nil }()
	cwd, prev, lost := absPath(fa.Workdir, "."), "", ""
	for _, c := range cmds {
		if c.Name == "cd" {
			next := ""
			if rest := c.Rest(); len(rest) == 1 && rest[0] == "-" {
				next = prev // back to where the last cd left
			} else {
				next = CdTarget(cwd, rest, env)
			}
			if prev, cwd = cwd, next; cwd == "" && lost == "" {
				lost = strings.Join(c.Args, " ")
			}
		}
		switch {
		case nodeLaunchers[c.Name]:
			fa.usedNode = true
		case nativeBuilders[path.Base(c.Name)] || compiles(c):
			fa.nativeBuild = true
		}
		before := fa.ModulesUnresolved
		callFacts(fa, c, line, cmds, cwd)
		fa.scriptFacts(c, cwd, line, env)
		if before == nil && fa.ModulesUnresolved != nil && lost != "" && cwd == "" {
			fa.ModulesUnresolved.What += " after " + lost
		}
	}
}

// shellRef is a variable as wordText writes it: ${NAME}, or ${NAME:-word}
// and ${NAME-word} with a default (other modifiers dropped).
var shellRef = regexp.MustCompile(`\$\{(\w+)(?:(:?-)([^${}]*))?\}`)

// CdTarget is the folder a cd with these arguments moves to from cwd, its
// variables taken from the stage's environment; "" when it cannot be told
// (a variable with no value here, a command substitution, cd -, an
// unknown cwd). A bare cd goes home, which is no app folder either.
func CdTarget(cwd string, args []string, env map[string]string) string {
	if cwd == "" || len(args) != 1 || args[0] == "-" || strings.ContainsAny(args[0], "`") || strings.Contains(args[0], "$(") {
		return ""
	}
	dir, ok := ExpandShell(args[0], env)
	if !ok {
		return ""
	}
	return absPath(cwd, dir)
}

// ExpandShell expands the variables of a word as wordText wrote it, as the
// RUN's shell would with the stage's environment; false when one has no
// value here or the word holds a command's output.
func ExpandShell(word string, env map[string]string) (string, bool) {
	known := true
	out := shellRef.ReplaceAllStringFunc(word, func(ref string) string {
		m := shellRef.FindStringSubmatch(ref)
		v, ok := env[m[1]]
		switch {
		case m[2] == ":-" && (!ok || v == ""), m[2] == "-" && !ok:
			return m[3]
		case !ok:
			known = false
		}
		return v
	})
	return out, known && !strings.Contains(out, "$") && !strings.Contains(out, "`")
}

// SimpleCommands lists the argument vectors of every simple command in a
// script. Words that are not plain text keep their literal parts, which is
// enough to recognise package names and URLs. A script the shell parser
// refuses falls back to splitting on operators.
func SimpleCommands(script string) [][]string {
	return slices.Clip(slices.Clone(parsed(script).simple))
}

// IsAndChain reports whether a script is simple commands joined by &&
// only (no pipes, ||, ;, subshells or control flow), so a part of it runs
// the same alone.
func IsAndChain(script string) bool { return parsed(script).parts != nil }

// AndChainParts returns the source text of each command of a script that
// IsAndChain accepts, as written (quotes and globs kept), or nil.
func AndChainParts(script string) []string {
	return slices.Clip(slices.Clone(parsed(script).parts))
}

// scriptFacts is what the shell parse of one script yields. Read-only once
// stored: callers get copies of the outer slices.
type scriptFacts struct {
	simple [][]string
	writes [][]string          // per simple command, the files its output is redirected to
	env    []map[string]string // per simple command, its VAR=value prefixes
	sub    []int               // per simple command, its subshell (see Command.Subshell)
	parts  []string            // nil unless the script is an && chain
}

// scripts memoizes scriptFacts by script text. One RUN line is read by the
// Dockerfile's facts, then again by every split planned for a service
// built from it (several times a plan), and large trees repeat scripts
// (npm ci) across Dockerfiles: the parse was a tenth of a large run's
// garbage.
var scripts sync.Map // string -> *scriptFacts

func parsed(script string) *scriptFacts {
	if f, ok := scripts.Load(script); ok {
		return f.(*scriptFacts)
	}
	f, _ := scripts.LoadOrStore(script, parseScript(script))
	return f.(*scriptFacts)
}

func parseScript(script string) *scriptFacts {
	p := shellParsers.Get().(*syntax.Parser)
	defer shellParsers.Put(p) // after the walk: the tree is read first
	file, err := p.Parse(strings.NewReader(script), "")
	if err != nil {
		return &scriptFacts{simple: fallbackCommands(script)}
	}
	f := &scriptFacts{}
	// The subshell each statement runs in, innermost first: ( … ) and
	// $( … ) are walked before what they hold, so an inner one renumbers
	// its own statements.
	var inSub map[*syntax.Stmt]int
	subs := 0
	syntax.Walk(file, func(n syntax.Node) bool {
		switch n.(type) {
		case *syntax.Subshell, *syntax.CmdSubst:
			if inSub == nil {
				inSub = map[*syntax.Stmt]int{}
			}
			subs++
			id := subs
			syntax.Walk(n, func(m syntax.Node) bool {
				if st, ok := m.(*syntax.Stmt); ok {
					inSub[st] = id
				}
				return true
			})
		}
		return true
	})
	syntax.Walk(file, func(n syntax.Node) bool {
		st, ok := n.(*syntax.Stmt)
		if !ok {
			return true
		}
		ce, ok := st.Cmd.(*syntax.CallExpr)
		if !ok || len(ce.Args) == 0 {
			return true
		}
		args := make([]string, 0, len(ce.Args))
		for _, w := range ce.Args {
			args = append(args, wordText(w))
		}
		f.simple = append(f.simple, args)
		var to []string
		for _, r := range st.Redirs {
			switch r.Op {
			case syntax.RdrOut, syntax.AppOut, syntax.RdrClob, syntax.RdrAll, syntax.AppAll:
				if r.Word != nil {
					to = append(to, wordText(r.Word))
				}
			}
		}
		f.writes = append(f.writes, to)
		var assigns map[string]string
		for _, a := range ce.Assigns {
			if a.Name != nil && a.Value != nil {
				if assigns == nil {
					assigns = map[string]string{}
				}
				assigns[a.Name.Value] = wordText(a.Value)
			}
		}
		f.env = append(f.env, assigns)
		f.sub = append(f.sub, inSub[st])
		return true
	})
	if len(file.Stmts) == 1 && andChain(file.Stmts[0]) {
		var walk func(st *syntax.Stmt)
		walk = func(st *syntax.Stmt) {
			if b, ok := st.Cmd.(*syntax.BinaryCmd); ok {
				walk(b.X)
				walk(b.Y)
				return
			}
			f.parts = append(f.parts, script[st.Pos().Offset():st.End().Offset()])
		}
		walk(file.Stmts[0])
	}
	return f
}

// andChain: simple commands joined by && only.
func andChain(st *syntax.Stmt) bool {
	if st.Negated || st.Background || st.Coprocess || len(st.Redirs) > 0 {
		return false
	}
	switch c := st.Cmd.(type) {
	case *syntax.CallExpr:
		return len(c.Assigns) == 0
	case *syntax.BinaryCmd:
		return c.Op == syntax.AndStmt && andChain(c.X) && andChain(c.Y)
	}
	return false
}

// shellParsers recycles parsers: a new one allocates its buffers, and a
// large tree has thousands of RUN lines. Parse resets a parser's state.
var shellParsers = sync.Pool{New: func() any {
	return syntax.NewParser(syntax.Variant(syntax.LangBash), syntax.KeepComments(false))
}}

var operators = regexp.MustCompile(`&&|\|\||[;|&()]`)

func fallbackCommands(script string) [][]string {
	var out [][]string
	for _, part := range operators.Split(strings.ReplaceAll(script, "\\\n", " "), -1) {
		if f := strings.Fields(part); len(f) > 0 {
			out = append(out, f)
		}
	}
	return out
}

func wordText(w *syntax.Word) string {
	var b strings.Builder
	var walk func(parts []syntax.WordPart)
	walk = func(parts []syntax.WordPart) {
		for _, p := range parts {
			switch x := p.(type) {
			case *syntax.Lit:
				b.WriteString(x.Value)
			case *syntax.SglQuoted:
				b.WriteString(x.Value)
			case *syntax.DblQuoted:
				walk(x.Parts)
			case *syntax.ParamExp:
				if x.Param != nil {
					// A default for an unset variable is kept
					// (${APP_DIR:-/srv/app}): ExpandShell uses it.
					if e := x.Exp; e != nil && e.Word != nil && (e.Op.String() == ":-" || e.Op.String() == "-") {
						b.WriteString("${" + x.Param.Value + e.Op.String() + wordText(e.Word) + "}")
					} else {
						b.WriteString("${" + x.Param.Value + "}")
					}
				}
			case *syntax.CmdSubst, *syntax.ArithmExp, *syntax.ProcSubst:
				// Its output is unknown here; a placeholder keeps the
				// word from reading as plain text ($(npm root) is no
				// folder name).
				b.WriteString("$(...)")
			}
		}
	}
	walk(w.Parts)
	return b.String()
}

// wrappers run the command given as their arguments.
var wrappers = map[string]bool{"sudo": true, "env": true, "command": true, "exec": true, "nice": true, "time": true, "nohup": true}

// StripWrappers drops the commands that only run another one (sudo, env,
// exec, gosu USER, VAR=value prefixes) from the front of an argument list.
func StripWrappers(args []string) []string { return stripWrappers(args) }

func stripWrappers(args []string) []string {
	for len(args) > 1 && (wrappers[args[0]] || userWrappers[args[0]] || strings.Contains(args[0], "=")) {
		user := userWrappers[args[0]]
		args = args[1:]
		for len(args) > 1 && strings.HasPrefix(args[0], "-") {
			args = args[1:]
		}
		if user && len(args) > 1 {
			args = args[1:] // gosu USER cmd...
		}
	}
	return args
}

// userWrappers run a command as a user named by their first argument.
var userWrappers = map[string]bool{"gosu": true, "su-exec": true}

// nodePackage matches system packages that install Node: Node itself, and
// npm and yarn, whose Alpine, Debian and RPM packages depend on it.
var nodePackage = regexp.MustCompile(`^(nodejs|nodejs\d+|nodejs-current|nodejs-lts|npm|node|yarn|yarnpkg)([=<>:~].*)?$`)

// removeVerbs maps a system package manager to the sub-commands that
// remove packages.
var removeVerbs = map[string][]string{
	"apt-get": {"remove", "purge"}, "apt": {"remove", "purge"}, "aptitude": {"remove", "purge"},
	"apk": {"del"}, "yum": {"remove", "erase"}, "dnf": {"remove", "erase"}, "microdnf": {"remove"},
	"tdnf": {"remove", "erase"}, "zypper": {"remove", "rm"}, "pacman": {"-R", "-Rs", "-Rns"},
}

// installVerbs maps a system package manager to the sub-commands that
// install packages ("" for managers that take packages directly).
var installVerbs = map[string][]string{
	"apt-get": {"install"}, "apt": {"install"}, "aptitude": {"install"},
	"apk": {"add"}, "yum": {"install"}, "dnf": {"install", "module"}, "microdnf": {"install"},
	"tdnf": {"install"}, "zypper": {"install", "in"}, "pacman": {"-S", "-Sy", "-Syu"},
	"install_packages": {""}, "apt-install": {""},
}

// nodeVersionManagers install Node: the tool and the sub-command.
var nodeVersionManagers = map[string][]string{
	"nvm": {"install"}, "fnm": {"install", "use"}, "volta": {"install"},
	"asdf": {"install"}, "mise": {"install", "use"}, "nodenv": {"install"}, "nodebrew": {"install"},
}

// globalTools are packages installed globally to build or run an app, not
// the app itself.
var globalTools = map[string]bool{
	"npm": true, "yarn": true, "pnpm": true, "corepack": true, "pm2": true, "nodemon": true,
	"serve": true, "http-server": true, "typescript": true, "ts-node": true, "tsx": true,
	"node-gyp": true, "@nestjs/cli": true, "@angular/cli": true, "nx": true, "turbo": true,
	"lerna": true, "prisma": true, "sequelize-cli": true, "knex": true, "forever": true,
	"gulp": true, "gulp-cli": true, "grunt-cli": true, "bower": true, "webpack": true,
	"webpack-cli": true, "vite": true, "esbuild": true, "@vue/cli": true, "expo-cli": true,
	"firebase-tools": true, "vercel": true, "netlify-cli": true, "npm-check-updates": true,
	"cross-env": true, "concurrently": true, "rimraf": true, "pino-pretty": true,
	"node-pre-gyp": true, "@mapbox/node-pre-gyp": true, "phantomjs": true,
	"phantomjs-prebuilt": true, "wait-on": true, "dotenv-cli": true, "bun": true,
	"@playwright/test": true, "playwright": true, "cypress": true, "strapi": true,
	"sails": true, "@ionic/cli": true, "@angular-devkit/build-angular": true, "node-dev": true,
	// Frameworks' own CLIs, installed globally to build or serve the app
	// the context holds (pnpm install -g next; CMD npx next dev).
	"next": true, "nuxt": true, "nuxi": true, "gatsby-cli": true, "react-scripts": true, "astro": true,
	"@remix-run/serve": true, "@11ty/eleventy": true, "ember-cli": true, "parcel": true, "rollup": true,
	"@babel/cli": true, "babel-cli": true, "eslint": true, "prettier": true, "jest": true, "mocha": true,
	"ts-node-dev": true,
	// Debuggers and watchers beside a process manager, for mounted code.
	"node-inspector": true, "ndb": true, "supervisor": true,
	// Runners and deploy CLIs that start or ship the project's own code
	// (serverless offline runs the handlers the context holds).
	"serverless": true, "serverless-offline": true, "yalc": true, "aws-cdk": true,
	"wrangler": true, "@aws-amplify/cli": true, "@vercel/ncc": true,
}

// callFacts reads one simple command; script holds every simple command of
// the same RUN, for what happens to a download.
func callFacts(fa *Facts, c Command, line int, script []Command, cwd string) {
	args, cmd, rest := c.Args, c.Name, c.Rest()
	fa.noteBuiltInto(rest, cwd)
	setRuntime := func(rt Runtime, what string) {
		if fa.Runtime == NoRuntime || fa.Runtime != Node && rt == Node {
			fa.Runtime, fa.RuntimeBy = rt, Evidence{Line: line, What: trimWhat(what)}
		}
	}
	switch c.Kind {
	case SystemRemove:
		if !fa.runtimeByPackage {
			return
		}
		// Node installed as a package to build something, then removed
		// in the same stage (a Go image that runs a node script once).
		for _, a := range c.Packages {
			// apk del npm also removes the nodejs it pulled in as a
			// dependency (apk add npm, never nodejs by name): apk drops
			// what nothing in its world file needs.
			viaNpm := fa.nodeByApkNpm && cmd == "apk" && strings.HasPrefix(a, "npm")
			if viaNpm || nodePackage.MatchString(a) && !strings.HasPrefix(a, "npm") && !strings.HasPrefix(a, "yarn") {
				fa.Runtime, fa.RuntimeBy, fa.runtimeByPackage, fa.nodeByApkNpm = NoRuntime, Evidence{}, false, false
				return
			}
		}
		return
	case SystemInstall:
		for _, a := range c.Packages {
			if nodePackage.MatchString(a) {
				if fa.Runtime == NoRuntime {
					fa.runtimeByPackage = true
				}
				// Node named or pulled in by npm: see SystemRemove.
				fa.nodeByApkNpm = cmd == "apk" && strings.HasPrefix(a, "npm") && !slices.ContainsFunc(c.Packages, func(p string) bool { return strings.HasPrefix(p, "nodejs") })
				if fa.runtimeByKey && fa.Runtime == Node {
					fa.RuntimeBy, fa.runtimeByKey = Evidence{Line: line, What: trimWhat(cmd + " … " + a)}, false
				}
				setRuntime(Node, cmd+" … "+a)
				return
			}
		}
		return
	case SystemManager:
		return
	}
	if fa.Runtime == NoRuntime && fa.ranNode == nil && nodeLaunchers[cmd] {
		// Node runs in a stage that has not been seen to get it: its base
		// image holds it (see Analyze).
		fa.ranNode = &Evidence{Line: line, What: trimWhat(strings.Join(args, " "))}
	}
	if verbs, ok := nodeVersionManagers[cmd]; ok && len(rest) > 0 {
		for _, v := range verbs {
			if rest[0] == v && (cmd == "nvm" || cmd == "fnm" || cmd == "nodenv" || cmd == "nodebrew" || anyHasPrefix(rest[1:], "node")) {
				setRuntime(Node, strings.Join(args, " "))
				return
			}
		}
	}
	if cmd == "nodejs.sh" && strings.HasPrefix(args[0], "/pd_build/") {
		// Phusion's passenger-customizable images install Node with
		// their own build script.
		setRuntime(Node, strings.Join(args, " "))
		return
	}
	if cmd == "nodeenv" {
		// nodeenv -p (or a target folder) installs Node.
		setRuntime(Node, strings.Join(args, " "))
		return
	}
	if cmd == "n" && len(rest) > 0 && (rest[0] == "lts" || rest[0] == "latest" || rest[0] == "install" || rest[0] == "stable" || startsWithDigit(rest[0])) {
		setRuntime(Node, strings.Join(args, " "))
		return
	}
	for _, a := range rest {
		written := a
		if strings.Contains(a, "$") {
			// wget .../node-${NODE_VERSION}-linux-x64.tar.gz: the URL
			// the shell fetches, from the stage's ENV and ARG values
			// (quoted as written: a build arg may come from .env).
			if x, ok := ExpandShell(a, fa.runEnv); ok {
				a = x
			}
		}
		if !strings.Contains(a, "://") && !strings.Contains(a, ".") {
			continue
		}
		switch {
		case isNodeDownload(a):
			if fa.Runtime == NoRuntime && strings.Contains(a, "nodesource") {
				// The setup script adds a repository; the nodejs
				// package from it is what a remove takes away.
				fa.runtimeByPackage = true
				// A signing key (gpgkey/nodesource-repo.gpg.key) says
				// less than the install that follows: it is the
				// evidence once seen.
				fa.runtimeByKey = !strings.Contains(a, "/setup_")
			}
			setRuntime(Node, cmd+" "+written)
			return
		case strings.Contains(a, "bun.sh/install"):
			setRuntime(Bun, cmd+" "+written)
			return
		case strings.Contains(a, "deno.land/install") || strings.Contains(a, "deno.land/x/install"):
			setRuntime(Deno, cmd+" "+written)
			return
		}
	}
	switch cmd {
	case "git":
		if len(rest) > 0 && rest[0] == "clone" && !toolClone(rest, fa.runEnv) {
			// Into the folder a cd of the script moved to (cd /opt && git
			// clone …), else WORKDIR.
			base := fa.Workdir
			if cwd != "" {
				base = cwd
			}
			fa.addCode(Evidence{Line: line, What: trimWhat(strings.Join(args, " "))}, absPath(base, cloneDir(rest)))
			fa.Blockers = append(fa.Blockers, Evidence{Line: line, What: "code fetched by git clone"})
		}
	case "curl", "wget":
		for _, a := range rest {
			dest, ok := fa.Workdir, isSourceArchive(a)
			if !ok && isReleaseArchive(a) {
				dest, ok = extractedIntoCode(fa, script)
			}
			if !ok && (isArchiveURL(a) || strings.Contains(a, "://") && savesArchive(rest)) {
				// Any other archive unpacked where the app lives is the
				// app once its dependencies are installed there: in this
				// script, or by a later RUN in that folder.
				if d, into := extractedIntoCode(fa, script); into {
					ev := Evidence{Line: line, What: cmd + " " + a}
					if installsDepsIn(script) {
						dest, ok = d, true
					} else {
						fa.pending = &pendingCode{ev: ev, dir: d}
					}
				}
			}
			if ok {
				// The URL is quoted whole: cut short it no longer names
				// what was downloaded.
				fa.addCode(Evidence{Line: line, What: cmd + " " + a}, dest)
				fa.downloads++
				fa.Blockers = append(fa.Blockers, Evidence{Line: line, What: "code downloaded by " + cmd})
				return
			}
		}
	case "mv":
		fa.noteFilled(rest, cwd)
		// node_modules moved out of the install folder (the VS Code
		// template's `npm install && mv node_modules ../`).
		if len(rest) >= 2 {
			dest := rest[len(rest)-1]
			for _, src := range rest[:len(rest)-1] {
				if path.Base(path.Clean(src)) != "node_modules" || strings.HasPrefix(src, "-") {
					continue
				}
				if cwd == "" && !strings.HasPrefix(dest, "/") {
					fa.unresolvedModules(line, cmd)
					continue
				}
				dir := absPath(cwd, dest)
				if path.Base(path.Clean(dest)) == "node_modules" {
					dir = path.Dir(dir)
				}
				fa.Modules = append(fa.Modules, Evidence{Line: line, What: dir})
			}
		}
	case "npm", "yarn", "pnpm", "bun":
		if c.Kind == ProjectInstall {
			if dir, ok := InstallDirFlag(cmd, rest); ok {
				// npm ci --prefix server, yarn --cwd app, pnpm -C web,
				// npm ci --prefix "$APP_HOME/server".
				if d, known := ExpandShell(dir, fa.runEnv); !known {
					fa.unresolvedModules(line, cmd+" in "+dir)
					cwd = "?"
				} else if cwd != "" || path.IsAbs(d) {
					cwd = absPath(cwd, d)
				}
			}
			switch cwd {
			case "?": // said above
			case "":
				fa.unresolvedModules(line, cmd)
			default:
				fa.Modules = append(fa.Modules, Evidence{Line: line, What: cwd})
			}
		}
		if p := fa.pending; p != nil && c.Kind == ProjectInstall && (fa.Workdir == p.dir || strings.HasPrefix(fa.Workdir, p.dir+"/")) {
			fa.pending = nil
			fa.addCode(p.ev, p.dir)
			fa.Blockers = append(fa.Blockers, Evidence{Line: p.ev.Line, What: "code downloaded by " + strings.Fields(p.ev.What)[0]})
		}
		if c.Kind == GlobalInstall {
			globalInstall(fa, c, line)
		}
		if pkgs := namedPackages(rest); len(pkgs) > 0 && c.Kind == ProjectRun && NodeAppImage(fa.RootBase) {
			// A Node application's image (directus, ghost, node-red)
			// given an extension, a storage adapter or custom nodes from
			// the registry: like those copied in, they are app code.
			dir := cwd
			if dir == "" {
				dir = fa.Workdir
			}
			fa.addCode(Evidence{Line: line, What: trimWhat(strings.Join(args, " "))}, dir)
		}
	default:
		if fa.clis[cmd] && len(rest) > 0 && installerVerbs[rest[0]] {
			dest := fa.Workdir
			for i, a := range rest {
				d, ok := strings.CutPrefix(a, "--dir=")
				if a == "--dir" && i+1 < len(rest) {
					d, ok = rest[i+1], true
				}
				if ok {
					// ghost install --dir "$GHOST_INSTALL": the stage's ENV
					// names the folder; "" when it cannot be told.
					dest = ""
					if d, known := ExpandShell(d, fa.runEnv); known {
						dest = absPath(fa.Workdir, d)
					}
				}
			}
			fa.addCode(Evidence{Line: line, What: trimWhat(strings.Join(args, " "))}, dest)
			fa.Blockers = append(fa.Blockers, Evidence{Line: line, What: "code installed by " + cmd + " " + rest[0]})
		}
	}
}

// toolClone reports a git clone that installs a tool, not the app: into a
// hidden folder (~/.pyenv, $HOME/.nvm, /root/.oh-my-zsh), where version
// managers and shell set-ups live and no app is run from, or of a version
// manager's own repository wherever it goes.
func toolClone(rest []string, env map[string]string) bool {
	words := cloneWords(rest)
	if len(words) == 0 {
		return false
	}
	// git clone ${P10K_REMOTE} ${ZSH_CUSTOM}/themes/powerlevel10k: the
	// words as the build's shell sees them, from the stage's ARG and ENV.
	for i, w := range words {
		if strings.Contains(w, "$") {
			if v, ok := ExpandShell(w, env); ok {
				words[i] = v
			}
		}
	}
	if toolRepos[strings.ToLower(repoName(words[0]))] {
		return true
	}
	if len(words) < 2 {
		return false
	}
	for _, part := range strings.Split(words[1], "/") {
		if len(part) > 1 && part[0] == '.' && part != ".." {
			return true
		}
	}
	return false
}

// cloneWords are a git clone's repository and folder, as given (rest
// starts at clone).
func cloneWords(rest []string) []string {
	var words []string
	for i := 1; i < len(rest); i++ {
		switch a := rest[i]; {
		case a == "-b" || a == "--branch" || a == "--depth" || a == "-c" || a == "--config" || a == "-o" || a == "--origin" ||
			a == "-j" || a == "--jobs" || a == "--reference" || a == "--separate-git-dir" || a == "--filter" || a == "-u" || a == "--upload-pack":
			i++ // the option's value
		case !strings.HasPrefix(a, "-"):
			words = append(words, a)
		}
	}
	return words
}

// repoName is the folder git clone makes for a repository address:
// its last element without .git.
func repoName(repo string) string {
	return strings.TrimSuffix(path.Base(strings.TrimSuffix(repo, "/")), ".git")
}

// cloneDir is the folder a git clone fills: the one named, else the
// repository's name in the working folder; "" when neither can be told.
func cloneDir(rest []string) string {
	words := cloneWords(rest)
	switch {
	case len(words) > 1:
		return words[1]
	case len(words) == 1 && !strings.Contains(words[0], "$"):
		if name := repoName(words[0]); name != "" && name != "." && name != "/" && !strings.Contains(name, ":") {
			return name
		}
	}
	return ""
}

// toolRepos are repositories of version managers and shell tools that
// Dockerfiles clone to set up the image, never the app.
var toolRepos = map[string]bool{
	"pyenv": true, "nvm": true, "rbenv": true, "ruby-build": true, "asdf": true, "nodenv": true,
	"node-build": true, "goenv": true, "jenv": true, "ohmyzsh": true, "oh-my-zsh": true, "fzf": true,
	"tpm": true, "vcpkg": true, "bats-core": true, "pyenv-virtualenv": true,
}

// pendingCode is an archive unpacked into the app's folder that becomes
// app code when dependencies are installed there.
type pendingCode struct {
	ev  Evidence
	dir string
}

// archiveURL matches a downloaded archive of any origin.
var archiveURL = regexp.MustCompile(`\.(tgz|tar\.gz|tar\.xz|tar\.bz2|tar|zip)$`)

func isArchiveURL(u string) bool {
	if !strings.Contains(u, "://") || isNodeDownload(u) {
		return false
	}
	u = strings.SplitN(strings.SplitN(u, "?", 2)[0], "#", 2)[0]
	return archiveURL.MatchString(u)
}

// savesArchive reports whether a curl or wget command line saves what it
// downloads under an archive's name (-o app.tgz, -O app.tar.gz): a release
// URL need not end in one (https://releases.example.com/1.0/download).
func savesArchive(args []string) bool {
	for i, a := range args {
		var out string
		switch {
		case (a == "-o" || a == "-O" || a == "--output" || a == "--output-document") && i+1 < len(args):
			out = args[i+1]
		case strings.HasPrefix(a, "--output="), strings.HasPrefix(a, "--output-document="):
			out = a[strings.Index(a, "=")+1:]
		default:
			continue
		}
		if archiveURL.MatchString(out) {
			return true
		}
	}
	return false
}

// noteFilled records the folder a mv or cp puts files in (mv /bundle/*
// /app/), for the WORKDIR a RUN fills.
func (fa *Facts) noteFilled(rest []string, cwd string) {
	_, target := CopyOperands(rest)
	if target == "" || strings.Contains(target, "$") || cwd == "" && !path.IsAbs(target) {
		return
	}
	fa.filled = append(fa.filled, absPath(cwd, target))
}

// noteBuiltInto records the absolute folders a command run on the code (in
// a folder the code was copied to) names: what it builds may land there
// (meteor build --directory /var/www/app, cp -r dist /srv/www), so such a
// folder is no empty WORKDIR for a runtime of mounted code.
func (fa *Facts) noteBuiltInto(rest []string, cwd string) {
	if cwd == "" || cwd == "/" || !slices.ContainsFunc(fa.CodeDirs, func(d string) bool {
		return d != "" && d != "/" && (cwd == d || strings.HasPrefix(cwd, d+"/"))
	}) {
		return
	}
	for _, a := range rest {
		if _, v, ok := strings.Cut(a, "="); ok && strings.HasPrefix(a, "-") {
			a = v
		}
		if path.IsAbs(a) && !strings.Contains(a, "$") {
			fa.filled = append(fa.filled, path.Clean(a))
		}
	}
}

// CopyOperands reads the operands of cp, mv, install or ln: the sources,
// and the destination (-t or --target-directory, else the last operand
// when there are two or more; "" when there is none). valueFlags are the
// command's flags whose value is the next word (install -m 755).
func CopyOperands(rest []string, valueFlags ...string) (srcs []string, dest string) {
	for i := 0; i < len(rest); i++ {
		switch a := rest[i]; {
		case a == "-t" || a == "--target-directory":
			if i+1 < len(rest) {
				dest = rest[i+1]
			}
			i++
		case strings.HasPrefix(a, "--target-directory="):
			dest = strings.TrimPrefix(a, "--target-directory=")
		case slices.Contains(valueFlags, a):
			i++
		case !strings.HasPrefix(a, "-"):
			srcs = append(srcs, a)
		}
	}
	if dest == "" && len(srcs) > 1 {
		srcs, dest = srcs[:len(srcs)-1], srcs[len(srcs)-1]
	}
	return srcs, dest
}

// nativeBuilders build native sources: what a stage downloads and
// compiles with them (nginx and its modules) is no JavaScript app.
var nativeBuilders = map[string]bool{"configure": true, "make": true, "cmake": true, "ninja": true, "meson": true}

// compiles reports a compiler's build of a program (go build, cargo
// build): its output is a binary, not JavaScript.
func compiles(c Command) bool {
	rest := c.Rest()
	switch c.Name {
	case "go", "cargo":
		return len(rest) > 0 && (rest[0] == "build" || rest[0] == "install")
	case "gcc", "g++", "cc", "clang", "rustc":
		return true
	}
	return false
}

// nodeLaunchers are commands whose run needs Node in the image.
var nodeLaunchers = map[string]bool{"node": true, "npm": true, "npx": true, "yarn": true, "pnpm": true, "corepack": true}

// namedPackages are the packages an install of named packages into the
// current project adds (npm install ghost-storage-adapter-s3, yarn add x,
// pnpm add y); nil for any other command line, a global one included.
func namedPackages(rest []string) []string {
	rest = DropValueFlags(rest)
	if len(rest) < 2 {
		return nil
	}
	switch rest[0] {
	case "install", "i", "add":
	default:
		return nil
	}
	var pkgs []string
	for _, a := range rest[1:] {
		if a == "-g" || a == "--global" || a == "--location=global" {
			return nil
		}
		if !strings.HasPrefix(a, "-") {
			pkgs = append(pkgs, a)
		}
	}
	return pkgs
}

// localInstall recognises a package manager installing a project's
// dependencies in the current folder (npm ci, npm install, yarn, pnpm i).
func localInstall(cmd string, rest []string) bool {
	rest = DropValueFlags(rest)
	if cmd == "yarn" && (len(rest) == 0 || strings.HasPrefix(rest[0], "-")) {
		return true
	}
	if len(rest) == 0 {
		return false
	}
	switch rest[0] {
	case "ci", "install", "i":
	default:
		return false
	}
	for _, a := range rest[1:] {
		if a == "-g" || a == "--global" || a == "--location=global" {
			return false
		}
		if !strings.HasPrefix(a, "-") {
			return false // installs named packages, not the project's
		}
	}
	return true
}

// valueFlags are package manager flags whose value is the next word
// (npm --prefix server ci; pnpm -C web install; yarn --cwd app).
var valueFlags = map[string]bool{
	"--prefix": true, "-C": true, "--dir": true, "--cwd": true, "--registry": true, "--cache": true,
	"--loglevel": true, "--userconfig": true, "--filter": true, "-F": true, "--workspace": true,
	"--network-timeout": true, "--mutex": true, "--cache-folder": true, "--store-dir": true,
	"--omit": true, "--include": true, "--only": true, "--tag": true, "--global-folder": true,
	"--modules-folder": true, "--fetch-retries": true, "--fetch-timeout": true, "--proxy": true,
	"--https-proxy": true, "--ca": true, "--cafile": true, "--before": true, "--install-strategy": true,
}

// DropValueFlags removes the flags that take a value, with their values,
// so that the words left are the sub-command, other flags and packages.
func DropValueFlags(args []string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		if valueFlags[args[i]] {
			i++
			continue
		}
		out = append(out, args[i])
	}
	return out
}

// installsDepsIn reports whether a script installs a project's
// dependencies with a package manager.
func installsDepsIn(script []Command) bool {
	return slices.ContainsFunc(script, func(c Command) bool { return c.Kind == ProjectInstall })
}

// globalInstall records a global install: it happens outside WORKDIR, and
// a package that is not a tool is the app when the image's command starts
// it (promoteGlobalApps).
func globalInstall(fa *Facts, c Command, line int) {
	cmd, rest, pkgs := c.Name, c.Rest(), c.Packages
	fa.Blockers = append(fa.Blockers, Evidence{Line: line, What: trimWhat(cmd+" "+strings.Join(rest, " ")) + " installs outside WORKDIR"})
	for _, p := range pkgs {
		if strings.HasPrefix(p, "-") {
			continue
		}
		name := p
		if at := strings.LastIndex(p, "@"); at > 0 {
			name = p[:at]
		}
		// A vendored tarball (./pnpm.tgz) is how images pin their package
		// managers; a folder (npm install -g .) is the app itself.
		if isLocalTarball(p) || globalTools[name] {
			continue
		}
		if bin, ok := cliName(name); ok {
			// An installer CLI (ghost-cli, @vendor/cli) is a tool; the
			// app arrives when it is run to install one (see callFacts).
			if fa.clis == nil {
				fa.clis = map[string]bool{}
			}
			fa.clis[bin] = true
			continue
		}
		fa.globalPkgs = append(fa.globalPkgs, globalPkg{name: name, ev: Evidence{Line: line, What: trimWhat(cmd + " " + strings.Join(rest, " "))}})
	}
}

// cliName recognises a package named as a command-line tool (ghost-cli,
// @nestjs/cli) and guesses the command it installs (ghost, nestjs).
func cliName(pkg string) (string, bool) {
	scope, name := "", pkg
	if strings.HasPrefix(pkg, "@") {
		if i := strings.Index(pkg, "/"); i > 0 {
			scope, name = pkg[1:i], pkg[i+1:]
		}
	}
	switch {
	case name == "cli" && scope != "":
		return scope, true
	case strings.HasSuffix(name, "-cli"):
		return strings.TrimSuffix(name, "-cli"), true
	}
	return "", false
}

// installerVerbs are what an installer CLI is run with to fetch an app.
var installerVerbs = map[string]bool{"install": true, "setup": true, "new": true, "create": true, "init": true}

func isLocalTarball(p string) bool {
	return !strings.Contains(p, "://") && (strings.HasSuffix(p, ".tgz") || strings.HasSuffix(p, ".tar.gz"))
}

var nodeTarball = regexp.MustCompile(`(nodejs\.org/(dist|download)|unofficial-builds\.nodejs\.org|nodesource\.com|/node-v?\d+\.\d+[^/]*\.(tar|tgz|zip)|github\.com/nodejs/node/releases)`)

// isNodeDownload recognises URLs of Node releases and of the NodeSource
// setup scripts.
func isNodeDownload(u string) bool { return nodeTarball.MatchString(u) }

var sourceArchive = regexp.MustCompile(`(/archive/|codeload\.github\.com|/tarball/|/zipball/)`)

func isSourceArchive(u string) bool {
	return strings.Contains(u, "://") && sourceArchive.MatchString(u) && !isNodeDownload(u)
}

// releaseArchive matches packaged releases: an archive attached to a
// GitHub (or Gitea, GitLab-style) release, or a package tarball from the
// npm registry. Tools ship this way too (protoc, caddy), so a release
// counts as app code only when it is unpacked where the app lives.
var releaseArchive = regexp.MustCompile(`(/releases/download/.*\.(tgz|tar\.gz|tar\.xz|tar\.bz2|tar|zip)$)|(registry\.(npmjs\.org|yarnpkg\.com)/((@[^/]+/)?[^/]+)/-/[^/]+\.tgz$)`)

func isReleaseArchive(u string) bool {
	if !strings.Contains(u, "://") || isNodeDownload(u) {
		return false
	}
	u = strings.SplitN(strings.SplitN(u, "?", 2)[0], "#", 2)[0]
	m := releaseArchive.FindStringSubmatch(u)
	if m == nil {
		return false
	}
	// A registry tarball of a build tool (npm, pnpm, typescript) is not the app.
	return m[5] == "" || !globalTools[m[5]]
}

// extractedIntoCode looks in a RUN script for the tar or unzip that unpacks
// a download, and reports where it unpacks to when that is the WORKDIR (or
// a folder under it) or a folder that already holds code.
func extractedIntoCode(fa *Facts, script []Command) (string, bool) {
	for _, c := range script {
		args := c.Args
		var dest string
		switch c.Name {
		case "tar", "bsdtar", "gtar":
			d, ok := tarExtractDir(args[1:])
			if !ok {
				continue
			}
			dest = d
		case "unzip":
			for i, a := range args[1:] {
				if a == "-d" && i+2 < len(args) {
					dest = args[i+2]
				}
			}
		default:
			continue
		}
		dest = absPath(fa.Workdir, dest)
		if dest == "" || dest == "/" {
			continue
		}
		if fa.Workdir != "" && fa.Workdir != "/" && (dest == fa.Workdir || strings.HasPrefix(dest, fa.Workdir+"/")) {
			return dest, true
		}
		for _, d := range fa.CodeDirs {
			if d != "/" && dest == d {
				return dest, true
			}
		}
	}
	return "", false
}

// tarExtractDir reads a tar command line: whether it extracts, and the
// folder it extracts into ("" for the current one).
func tarExtractDir(args []string) (string, bool) {
	extract := false
	dir := ""
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--extract" || a == "--get":
			extract = true
		case a == "-C" || a == "--directory":
			if i+1 < len(args) {
				dir = args[i+1]
				i++
			}
		case strings.HasPrefix(a, "--directory="):
			dir = strings.TrimPrefix(a, "--directory=")
		case strings.HasPrefix(a, "--"):
		case strings.HasPrefix(a, "-") || i == 0:
			// Bundled short options (-xzf) or old-style keys (xzf).
			if strings.Contains(strings.TrimLeft(a, "-"), "x") && !strings.ContainsAny(a, "/.") {
				extract = true
			}
			if strings.HasPrefix(a, "-C") && len(a) > 2 {
				dir = a[2:]
			}
		}
	}
	return dir, extract
}

func anyHasPrefix(list []string, prefix string) bool {
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}

func startsWithDigit(s string) bool { return s != "" && s[0] >= '0' && s[0] <= '9' }

// jsLaunchers are programs whose start means a JS runtime runs the app.
var jsLaunchers = map[string]Runtime{
	"node": Node, "nodejs": Node, "npm": Node, "npx": Node, "yarn": Node, "pnpm": Node,
	"nodemon": Node, "pm2": Node, "pm2-runtime": Node, "ts-node": Node, "tsx": Node,
	"next": Node, "forever": Node, "bun": Bun, "bunx": Bun, "deno": Deno,
}

// runsJS recognises a CMD or ENTRYPOINT that starts a JS runtime, and says
// which one.
func runsJS(cmdline []string, line int, kind string, prev *Evidence, prevRT Runtime, own func(string) bool) (*Evidence, Runtime) {
	for _, w := range strings.Fields(strings.Join(cmdline, " ")) {
		w = strings.Trim(w, `"'`)
		if rt, ok := jsLaunchers[path.Base(w)]; ok && (own == nil || !own(w)) {
			return &Evidence{Line: line, What: trimWhat(kind + " " + strings.Join(cmdline, " "))}, rt
		}
	}
	return prev, prevRT
}

// configuredServers are programs whose arguments are their own options,
// never a command they run: in an argument list (no shell) that starts
// one, a launcher's name is an argument to it (CMD ["nginx", "-g",
// "daemon off;", "yarn", "serve"] runs nginx alone).
var configuredServers = map[string]bool{
	"nginx": true, "caddy": true, "httpd": true, "apache2": true, "apache2-foreground": true,
	"php-fpm": true, "haproxy": true, "traefik": true, "envoy": true, "redis-server": true,
	"mongod": true, "postgres": true, "mysqld": true, "memcached": true,
}

// serverArgs reports an argument list (exec form, or a compose command,
// which no shell reads) whose program is one of configuredServers.
func serverArgs(args []string) bool {
	args = stripWrappers(args)
	for len(args) > 1 && InitPrograms[path.Base(args[0])] {
		args = args[1:]
		for len(args) > 1 && strings.HasPrefix(args[0], "-") {
			args = args[1:] // tini -- nginx
		}
	}
	return len(args) > 0 && configuredServers[path.Base(args[0])]
}

// InitPrograms are the small inits an image's command starts first, which
// run the rest of the list as PID 1's child (Compose's init: true does the
// same).
var InitPrograms = map[string]bool{"tini": true, "tini-static": true, "dumb-init": true, "catatonit": true}

// LaunchesJS says which JS runtime a command line (compose `command:` or
// `entrypoint:`) starts, NoRuntime when none.
func LaunchesJS(words []string) Runtime {
	if serverArgs(words) {
		return NoRuntime
	}
	_, rt := runsJS(words, 0, "", nil, NoRuntime, nil)
	return rt
}

// unresolvedModules notes the first install (or move) of node_modules into
// a folder a cd chose that decouple cannot tell.
func (fa *Facts) unresolvedModules(line int, cmd string) {
	if fa.ModulesUnresolved == nil {
		fa.ModulesUnresolved = &Evidence{Line: line, What: cmd}
	}
}

// InstallDirFlag is the folder a package manager's flag runs it in, when
// one is given: npm --prefix, yarn --cwd, pnpm --dir / -C / --prefix.
func InstallDirFlag(cmd string, args []string) (string, bool) {
	var flags []string
	switch cmd {
	case "npm":
		flags = []string{"--prefix", "-C"}
	case "yarn":
		flags = []string{"--cwd"}
	case "pnpm":
		flags = []string{"--dir", "-C", "--prefix"}
	default:
		return "", false
	}
	for i, a := range args {
		for _, f := range flags {
			if a == f && i+1 < len(args) {
				return args[i+1], true
			}
			if v, ok := strings.CutPrefix(a, f+"="); ok {
				return v, true
			}
		}
	}
	return "", false
}
