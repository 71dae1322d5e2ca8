package transform

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"

	"github.com/decouple-dev/decouple/internal/dockerfile"
)

// outsideWrites says why a split would lose what a RUN made from the code
// outside the code path, or "": the code image carries the code folder and
// the runtime replays only what needs no code, so output of the app's own
// commands written elsewhere (node make-conf.js > /etc/app.conf), the app
// installed or linked globally (npm i -g ., npm link) and browsers a
// dependency downloads into the home folder (npx playwright install) would
// be in neither image.
func (p *splitPlan) outsideWrites() string {
	df := p.s.Dockerfile
	cwd := "" // the chain runs root first: a stage starts in its parent's WORKDIR
	user := ""
	firstCode := 0 // the line the code arrives at
	for _, e := range p.s.Facts.Code {
		if firstCode == 0 || e.Line < firstCode {
			firstCode = e.Line
		}
	}
	for _, st := range p.chain {
		for _, c := range st.Commands {
			line := dockerfile.InstructionLine(c)
			switch c := c.(type) {
			case *instructions.WorkdirCommand:
				cwd = absJoin(cwd, df.ExpandInStage(c.Path, df.EnvAt(st, line)))
			case *instructions.UserCommand:
				user = df.ExpandInStage(c.User, df.EnvAt(st, line))
			case *instructions.RunCommand:
				env := withHome(df.EnvAt(st, line), user)
				// What goes into a cache or tmpfs mount of the RUN is not
				// in the image (RUN --mount=type=cache,target=/root/.cache
				// yarn install: Cypress's download stays in the cache).
				var mounts []string
				for _, target := range scratchMounts(c.String()) {
					if t, ok := place(target, cwd, env); ok {
						mounts = append(mounts, t)
					}
				}
				mounted := func(dir string) bool {
					return slices.ContainsFunc(mounts, func(m string) bool { return dir == m || strings.HasPrefix(dir, strings.TrimSuffix(m, "/")+"/") })
				}
				for _, script := range dockerfile.RunScripts(c) {
					// A cd holds for the rest of its RUN's script, or of
					// its subshell.
					outer, sub, subDir := cwd, 0, ""
					packed := false
					for _, cmd := range dockerfile.ShellCommands(script) {
						if cmd.Subshell != sub {
							sub, subDir = cmd.Subshell, outer
						}
						dir := outer
						if sub != 0 {
							dir = subDir
						}
						switch {
						case cmd.Name == "cd":
							// A bare cd goes home; "?" when where it goes
							// cannot be told.
							if sub != 0 {
								subDir = cdDir(dir, cmd.Rest(), env)
							} else {
								outer = cdDir(dir, cmd.Rest(), env)
							}
							continue
						case dir == "?":
							continue // where it runs cannot be told
						case packageManager(cmd.Name) && len(cmd.Args) > 1 && cmd.Args[1] == "pack":
							packed = true // the app as a tarball, which a global install may take
						}
						what := p.leavesOutside(cmd, dir, env, packed, mounted)
						if what == "" && firstCode > 0 && line >= firstCode {
							what = p.copiesOut(cmd, dir, env)
						}
						if what != "" {
							return fmt.Sprintf("RUN at %s:%d %s, outside the code path %s: neither the code image nor the runtime would have it; split the service by hand",
								p.ws.Rel(df.Path), line, what, p.wd)
						}
					}
				}
			}
		}
	}
	return ""
}

// entryWrites says what the image's entrypoint script (one copied from the
// build context) writes into the code path when a container starts, or "":
// in the image each start began from the built files, but the code volume
// is shared and kept, so the first start's edits stay (placeholders a
// sed replaced with env values then never take new ones).
func (p *splitPlan) entryWrites() string {
	name, text := p.s.Facts.EntryScript()
	if name == "" {
		return ""
	}
	cwd := p.s.Facts.Workdir
	env := withHome(p.s.Dockerfile.EnvAt(p.s.Stage, 1<<30), "")
	for _, c := range dockerfile.ShellCommands(string(text)) {
		targets := append([]string(nil), c.Writes...)
		rest := c.Rest()
		switch c.Name {
		case "sed":
			targets = append(targets, sedInPlaceFiles(rest)...)
		case "find":
			if slices.Contains(rest, "sed") && slices.ContainsFunc(rest, func(a string) bool { return a == "-i" || strings.HasPrefix(a, "-i") && len(a) > 2 && a[2] != 'n' }) {
				for _, a := range rest {
					if !strings.HasPrefix(a, "-") {
						targets = append(targets, a) // find DIR ... -exec sed -i
						break
					}
				}
			}
		}
		for _, t := range targets {
			if w, ok := place(t, cwd, env); ok && p.inCode(w) {
				return fmt.Sprintf("the entrypoint script %s writes into the code path at start (%s): each start of the old image began from the built files, but the code volume is kept, so the first start's edits would stay; split the service by hand", name, quoted(c))
			}
		}
	}
	return ""
}

// sedInPlaceFiles are the files a sed -i edits: its operands after the
// script (all of them when -e or -f gives the script).
func sedInPlaceFiles(args []string) []string {
	inPlace, scripted := false, false
	var ops []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-i" || a == "--in-place" || strings.HasPrefix(a, "--in-place=") || strings.HasPrefix(a, "-i") && len(a) > 2:
			inPlace = true
		case a == "-e" || a == "-f" || a == "--expression" || a == "--file":
			scripted = true
			i++
		case strings.HasPrefix(a, "-"):
		default:
			ops = append(ops, a)
		}
	}
	if !inPlace {
		return nil
	}
	if !scripted && len(ops) > 0 {
		ops = ops[1:]
	}
	return ops
}

// scratchMounts are the targets of a RUN's cache and tmpfs mounts.
func scratchMounts(run string) []string {
	var out []string
	for _, m := range dockerfile.RunMounts(run) {
		if (m.Type == "cache" || m.Type == "tmpfs") && m.Target != "" {
			out = append(out, m.Target)
		}
	}
	return out
}

// copiesOut describes a copy of the app's files out of the code path
// (cp config/default.json /etc/app.json), or "": the runtime has no code
// to copy them from when it is built.
func (p *splitPlan) copiesOut(c dockerfile.Command, cwd string, env map[string]string) string {
	switch c.Name {
	case "cp", "mv", "install", "rsync":
	default:
		return ""
	}
	var valueFlags []string
	if c.Name == "install" {
		valueFlags = []string{"-m", "-o", "-g", "--mode", "--owner", "--group"}
	}
	ops, target := dockerfile.CopyOperands(c.Rest(), valueFlags...)
	dest, ok := place(target, cwd, env)
	if target == "" || !ok || p.inCode(dest) || scratchPath(dest+"/") {
		return ""
	}
	for _, op := range ops {
		if src, ok := place(op, cwd, env); ok && p.inCode(src) {
			return "copies " + op + " out of the code to " + dest + " (" + quoted(c) + ")"
		}
	}
	return ""
}

// withHome is a RUN's environment with HOME set as the build sets it
// for user where the Dockerfile does not: root's /root, /home/NAME for a
// user named (the node images' node, what adduser and useradd -m make);
// uid 1000 is the node images' node too, another uid no home ("/", as
// Docker sets it for a uid /etc/passwd does not name).
func withHome(env map[string]string, user string) map[string]string {
	if env["HOME"] != "" {
		return env
	}
	home := "/root"
	switch name, _, _ := strings.Cut(user, ":"); {
	case name == "" || name == "root" || name == "0":
	case name == "1000":
		home = "/home/node"
	case strings.Trim(name, "0123456789") == "":
		home = "/"
	default:
		home = "/home/" + name
	}
	env = maps.Clone(env)
	if env == nil {
		env = map[string]string{}
	}
	env["HOME"] = home
	return env
}

// leavesOutside describes what one command of the app leaves outside the
// code path, or "". packed: an earlier command of its script packed the
// app into a tarball (npm pack).
// mounted says a folder is in a cache or tmpfs mount of the RUN, which
// the image does not keep.
func (p *splitPlan) leavesOutside(c dockerfile.Command, cwd string, env map[string]string, packed bool, mounted func(string) bool) string {
	if len(c.Env) > 0 {
		// CYPRESS_INSTALL_BINARY=0 npm ci: the prefix is the command's.
		env = maps.Clone(env)
		maps.Copy(env, c.Env)
	}
	rest := c.Rest()
	switch {
	case c.Kind == dockerfile.GlobalInstall:
		for _, pkg := range c.Packages {
			// A vendored tarball (./pnpm.tgz) is how images pin their
			// package managers, unless the script packed the app; a
			// folder is the app.
			local := strings.TrimPrefix(pkg, "file:")
			if strings.HasSuffix(local, ".tgz") || strings.HasSuffix(local, ".tar.gz") {
				if packed {
					return "installs the app itself globally (" + quoted(c) + ")"
				}
				continue
			}
			if local == "." || strings.HasPrefix(local, "./") || strings.HasPrefix(local, "../") || path.IsAbs(local) && p.inCode(local) {
				return "installs the app itself globally (" + quoted(c) + ")"
			}
		}
	case packageManager(c.Name) && len(rest) > 0 && rest[0] == "link" && !slices.ContainsFunc(dockerfile.DropValueFlags(rest[1:]), isWord):
		// npm link, npm link -g, pnpm link --global; npm link PKG links a
		// package into the project instead.
		return "links the app globally (" + quoted(c) + ")"
	}
	if c.Kind != dockerfile.ProjectRun && c.Kind != dockerfile.ProjectInstall {
		return ""
	}
	kept := func(dir string) bool { return !p.inCode(dir) && !mounted(dir) }
	if dir, what := browserCache(c, env); dir != "" && kept(homeJoin(cwd, dir, env)) {
		return "downloads " + what + " into " + dir
	}
	if browserDeps(c) {
		// The project's Playwright installs system packages: the
		// runtime, built without the code, has no Playwright to run.
		return "installs the system packages Playwright's browsers need with the project's Playwright (" + quoted(c) + ")"
	}
	if c.Kind == dockerfile.ProjectInstall {
		if dir, pkg := p.installCache(c, cwd, env); dir != "" && kept(homeJoin(cwd, dir, env)) {
			return "installs " + pkg + ", whose install downloads a browser into " + dir + " (" + quoted(c) + ")"
		}
	}
	for _, w := range c.Writes {
		if w, ok := place(w, cwd, env); ok && kept(w) && !scratchPath(w) {
			return "writes " + w + " from the app (" + quoted(c) + ")"
		}
	}
	return ""
}

// place is the absolute path a shell word names in a RUN that works in
// cwd: variables expanded from the build's environment, ~ as HOME (see
// withHome); false when that cannot be told (a variable with no value
// here, a relative path where the folder is not known).
func place(w, cwd string, env map[string]string) (string, bool) {
	if strings.Contains(w, "$") {
		v, ok := dockerfile.ExpandShell(w, env)
		if !ok {
			return "", false
		}
		w = v
	}
	if rest, ok := strings.CutPrefix(w, "~"); ok && (rest == "" || rest[0] == '/') {
		w = env["HOME"] + rest
	}
	if !path.IsAbs(w) {
		if cwd == "" || cwd == "?" {
			return "", false
		}
		w = absJoin(cwd, w)
	}
	return path.Clean(w), true
}

// cdDir is the folder a cd with args moves a script to from dir: HOME for
// a bare cd, "?" when it cannot be told (cd -, a variable with no value,
// a relative move from a folder not told).
func cdDir(dir string, args []string, env map[string]string) string {
	args = dockerfile.DropValueFlags(args)
	switch {
	case len(args) == 0:
		return env["HOME"]
	case len(args) > 1 || args[0] == "-":
		return "?"
	}
	if to, ok := place(args[0], dir, env); ok {
		return to
	}
	return "?"
}

// browserCache is where a browser download of Playwright or Puppeteer
// goes (npx playwright install chromium, npx puppeteer browsers install
// chrome): their cache in the home folder, unless the environment names
// another; "" when the command downloads none.
func browserCache(c dockerfile.Command, env map[string]string) (dir, what string) {
	args := c.Args
	for i := 0; i+1 < len(args); i++ {
		switch {
		case playwrightCLI(args[i]) && args[i+1] == "install":
			if env["PLAYWRIGHT_BROWSERS_PATH"] == "0" {
				return "", "" // into node_modules
			}
			return cacheDir(env, "PLAYWRIGHT_BROWSERS_PATH", "ms-playwright"), "Playwright's browsers"
		case strings.HasPrefix(path.Base(args[i]), "puppeteer") && args[i+1] == "browsers":
			return cacheDir(env, "PUPPETEER_CACHE_DIR", "puppeteer"), "Puppeteer's browser"
		}
	}
	return "", ""
}

// installCache is where an install of the project's dependencies leaves a
// download outside node_modules, and the package that does it: puppeteer
// (19 and later) puts Chrome in ~/.cache/puppeteer, cypress its binary in
// ~/.cache/Cypress, unless the environment or a puppeteer configuration
// says otherwise. The manifest read is the install folder's (cwd, or its
// --prefix) as the code path holds it: the build context's same folder.
func (p *splitPlan) installCache(c dockerfile.Command, cwd string, env map[string]string) (dir, pkg string) {
	if d, ok := dockerfile.InstallDirFlag(c.Name, c.Rest()); ok {
		cwd = absJoin(cwd, d)
	}
	ctx := p.s.Config.Build.Context
	if rel, ok := strings.CutPrefix(cwd, strings.TrimSuffix(p.wd, "/")+"/"); ok {
		ctx = filepath.Join(ctx, filepath.FromSlash(rel))
	}
	src, err := p.ws.ReadFile(filepath.Join(ctx, "package.json"))
	if err != nil || !bytes.Contains(src, []byte(`"puppeteer"`)) && !bytes.Contains(src, []byte(`"cypress"`)) {
		return "", "" // most manifests name neither: no parse
	}
	var m struct {
		Dependencies, OptionalDependencies, DevDependencies map[string]string
		// Puppeteer reads its configuration from this key too.
		Puppeteer json.RawMessage
	}
	if json.Unmarshal(src, &m) != nil {
		return "", ""
	}
	version := func(name string) (string, bool) {
		for _, deps := range []map[string]string{m.Dependencies, m.OptionalDependencies} {
			if v, ok := deps[name]; ok {
				return v, true
			}
		}
		if !productionInstall(c.Rest(), env) {
			v, ok := m.DevDependencies[name]
			return v, ok
		}
		return "", false
	}
	skip := truthy(env["PUPPETEER_SKIP_DOWNLOAD"]) || truthy(env["PUPPETEER_SKIP_CHROME_DOWNLOAD"]) || truthy(env["PUPPETEER_SKIP_CHROMIUM_DOWNLOAD"])
	if v, ok := version("puppeteer"); ok && !skip && majorAtLeast(v, 19) {
		if len(m.Puppeteer) > 0 {
			return "", "" // its cacheDirectory is the project's choice
		}
		// The names puppeteer's configuration loader (cosmiconfig) reads.
		for _, rc := range []string{".puppeteerrc", ".puppeteerrc.json", ".puppeteerrc.yaml", ".puppeteerrc.yml", ".puppeteerrc.js", ".puppeteerrc.cjs", ".puppeteerrc.mjs", "puppeteer.config.js", "puppeteer.config.cjs", "puppeteer.config.mjs"} {
			if p.ws.Exists(filepath.Join(ctx, rc)) {
				return "", ""
			}
		}
		return cacheDir(env, "PUPPETEER_CACHE_DIR", "puppeteer"), "puppeteer"
	}
	if _, ok := version("cypress"); ok && env["CYPRESS_INSTALL_BINARY"] != "0" {
		return cacheDir(env, "CYPRESS_CACHE_FOLDER", "Cypress"), "cypress"
	}
	return "", ""
}

// packageManager names npm, yarn or pnpm.
func packageManager(name string) bool { return name == "npm" || name == "yarn" || name == "pnpm" }

// isWord is an argument that is no flag.
func isWord(a string) bool { return !strings.HasPrefix(a, "-") }

// quoted is a command as a message quotes it.
func quoted(c dockerfile.Command) string { return dockerfile.Shorten(strings.Join(c.Args, " ")) }

// cacheDir is the folder a tool downloads into: the one its variable
// names, else its folder in ~/.cache.
func cacheDir(env map[string]string, variable, name string) string {
	if v := env[variable]; v != "" {
		return v
	}
	return "~/.cache/" + name
}

// truthy is an environment flag that is set to something other than
// false or 0.
func truthy(v string) bool {
	return v != "" && v != "0" && !strings.EqualFold(v, "false")
}

// majorAtLeast reports whether a dependency's version range starts at a
// major of at least min; a range it cannot read (latest, *, a tag, a URL)
// counts as the newest.
func majorAtLeast(spec string, min int) bool {
	spec = strings.TrimLeft(spec, "^~>=v ")
	n, digits := 0, 0
	for _, r := range spec {
		if r < '0' || r > '9' {
			break
		}
		n, digits = n*10+int(r-'0'), digits+1
	}
	return digits == 0 || n >= min
}

// scratchPath reports where output goes that the app does not read back:
// logs and temporary files (npm run build > /tmp/build.log), devices.
func scratchPath(p string) bool {
	for _, d := range []string{"/dev/", "/proc/", "/tmp/", "/var/tmp/", "/var/log/"} {
		if strings.HasPrefix(p, d) {
			return true
		}
	}
	return false
}

// homeJoin makes a cache folder absolute: ~ is HOME's (withHome sets
// it), a relative one is the working folder's.
func homeJoin(cwd, dir string, env map[string]string) string {
	if rest, ok := strings.CutPrefix(dir, "~"); ok {
		return path.Join(env["HOME"], rest)
	}
	if !path.IsAbs(dir) {
		return absJoin(cwd, dir)
	}
	return dir
}

// playwrightCLI reports a word that runs Playwright's CLI: playwright (a
// path to it, or playwright@1.45.0 for npx) or @playwright/test.
// browserDeps reports a Playwright command that installs the browsers'
// system packages (playwright install-deps, install --with-deps).
func browserDeps(c dockerfile.Command) bool {
	args := c.Args
	for i := 0; i+1 < len(args); i++ {
		if playwrightCLI(args[i]) && (args[i+1] == "install-deps" || args[i+1] == "install" && slices.Contains(args[i+2:], "--with-deps")) {
			return true
		}
	}
	return false
}

func playwrightCLI(w string) bool {
	if at := strings.LastIndex(w, "@"); at > 0 {
		w = w[:at]
	}
	return path.Base(w) == "playwright" || w == "@playwright/test"
}
