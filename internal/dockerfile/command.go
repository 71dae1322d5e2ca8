package dockerfile

import (
	"path"
	"slices"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// Command is one simple command of a RUN script, classified once for every
// reader: the facts (what a stage installs), the split's runtime contract
// (what the old image created outside the code) and the built runtime
// (which commands after the code it replays).
type Command struct {
	// Args are the words, without the wrappers that only run the command
	// (sudo, env, gosu USER, VAR=value); never empty.
	Args []string
	// Name is the program's base name.
	Name string
	Kind CommandKind
	// Packages are what a SystemInstall, SystemRemove or GlobalInstall
	// names, as written (versions and flags included for system managers).
	Packages []string
	// Writes are the files the command's output is redirected to
	// (echo "$COMMIT" > dist/.hash).
	Writes []string
	// Env is what its VAR=value prefixes set (CYPRESS_INSTALL_BINARY=0
	// npm ci), as written.
	Env map[string]string
	// Subshell numbers the subshell it runs in, ( … ) or $( … ), 0 for
	// none (ShellCommands numbers a sh -c script's commands below 0): a cd
	// there lasts only to its end.
	Subshell int
}

// Rest is the command's arguments.
func (c Command) Rest() []string { return c.Args[1:] }

// DeprecatedProductionFlag recognises npm's deprecated production-only
// install flags.
func DeprecatedProductionFlag(w string) bool {
	switch w {
	case "--production", "--production=true", "--only=production", "--only=prod":
		return true
	}
	return false
}

// ProductionOnly reports install arguments that leave devDependencies
// out: npm's deprecated flags, --omit=dev (or --omit dev), yarn's
// --production, pnpm's --prod or -P.
func ProductionOnly(args []string) bool {
	for i, a := range args {
		switch {
		case DeprecatedProductionFlag(a) || a == "--prod" || a == "-P" || a == "--omit=dev":
			return true
		case a == "--omit" && i+1 < len(args) && args[i+1] == "dev":
			return true
		}
	}
	return false
}

// ShellCommands are a script's simple commands (see Commands), with the
// commands a shell runs for sh -c "…" in place of the shell.
func ShellCommands(script string) []Command {
	var out []Command
	shells := 0
	for _, c := range Commands(script) {
		if inner, ok := c.ShellScript(); ok {
			// A shell of its own: what a cd does there ends with it
			// (its own subshells are counted as the shell).
			shells++
			for _, ic := range Commands(inner) {
				ic.Subshell = -shells
				out = append(out, ic)
			}
			continue
		}
		out = append(out, c)
	}
	return out
}

// ShellScript is the script a shell is handed with -c (sh -c "…", bash
// --login -c "…"); false for any other command.
func (c Command) ShellScript() (string, bool) {
	if len(c.Args) > 2 && Shells[c.Name] {
		if i := slices.Index(c.Args, "-c"); i > 0 && i+1 < len(c.Args) {
			return c.Args[i+1], true
		}
	}
	return "", false
}

// CommandKind is what a command does with packages.
type CommandKind int

// The kinds of command a RUN holds.
const (
	OtherCommand CommandKind = iota
	// SystemInstall: a system package manager installs Packages
	// (apt-get install, apk add, install_packages).
	SystemInstall
	// SystemRemove: a system package manager removes Packages.
	SystemRemove
	// SystemManager: any other run of a system package manager
	// (apt-get update, apk --no-cache upgrade).
	SystemManager
	// GlobalInstall: npm, yarn, pnpm or bun installs Packages globally
	// (npm install -g, yarn global add).
	GlobalInstall
	// GlobalOther: any other global run of those (npm uninstall -g).
	GlobalOther
	// ProjectInstall: a package manager installs the project's
	// dependencies in the current folder (npm ci, yarn, pnpm i).
	ProjectInstall
	// PackageManagerSetting: npm, yarn or pnpm config or cache, which
	// change settings, not the app.
	PackageManagerSetting
	// ProjectRun: any other run of npm, yarn, pnpm, npx, node or bun; it
	// works on the project in the current folder (npm run build).
	ProjectRun
	// ReadOnly: a filter or a look (grep, ls, cat): it reads and prints
	// and, unless its output is redirected, changes nothing in the image.
	ReadOnly
)

// RunScripts are the shell scripts of a RUN: its command line, then its
// heredoc bodies. A command line that only opens a heredoc (RUN <<EOF)
// names no command and is left out.
func RunScripts(c *instructions.RunCommand) []string {
	var scripts []string
	if cl := strings.Join(c.CmdLine, " "); len(c.Files) == 0 || !strings.HasPrefix(strings.TrimSpace(cl), "<<") {
		scripts = append(scripts, cl)
	}
	for _, hd := range c.Files {
		scripts = append(scripts, hd.Data)
	}
	return scripts
}

// Commands lists the simple commands of a script (see SimpleCommands),
// wrappers stripped and classified; empty ones are left out.
func Commands(script string) []Command {
	var out []Command
	f := parsed(script)
	for i, args := range f.simple {
		if c, ok := Classify(args); ok {
			if i < len(f.writes) {
				c.Writes, c.Env, c.Subshell = f.writes[i], f.env[i], f.sub[i]
			}
			out = append(out, c)
		}
	}
	return out
}

// Classify reads one simple command; false when nothing is left of it once
// the wrappers are stripped.
func Classify(args []string) (Command, bool) {
	args = stripWrappers(args)
	if len(args) == 0 {
		return Command{}, false
	}
	c := Command{Args: args, Name: path.Base(args[0])}
	rest := args[1:]
	if install, ok := installVerbs[c.Name]; ok {
		c.Kind = SystemManager
		remove := removeVerbs[c.Name]
		if install[0] == "" {
			c.Kind, c.Packages = SystemInstall, rest
			return c, true
		}
		for i, a := range rest {
			switch {
			case slices.Contains(remove, a):
				c.Kind, c.Packages = SystemRemove, rest[i+1:]
			case slices.Contains(install, a):
				c.Kind, c.Packages = SystemInstall, rest[i+1:]
				if a == "module" && len(c.Packages) > 0 && !strings.HasPrefix(c.Packages[0], "-") {
					c.Packages = c.Packages[1:] // dnf module install|enable NAME:STREAM
				}
			default:
				continue
			}
			break
		}
		return c, true
	}
	switch c.Name {
	case "npm", "yarn", "pnpm", "bun":
		pkgs, isGlobal := globalPackages(c.Name, rest)
		switch {
		case isGlobal:
			c.Kind, c.Packages = GlobalInstall, pkgs
		case global(rest):
			c.Kind = GlobalOther
		case localInstall(c.Name, rest):
			c.Kind = ProjectInstall
		case c.Name != "bun" && len(rest) > 0 && (rest[0] == "config" || rest[0] == "cache"):
			c.Kind = PackageManagerSetting
		default:
			c.Kind = ProjectRun
		}
	case "npx":
		c.Kind = ProjectRun
		if browserInstall(rest) {
			// npx -y playwright@1.46.0 install: a pinned release from
			// the registry that downloads browsers and reads no file of
			// the project. A pinned tool that builds the project (npx
			// prisma@5 generate, vite@5 build) is still the project's.
			c.Kind = GlobalOther
		}
	case "node":
		c.Kind = ProjectRun
	default:
		if readOnlyCommands[c.Name] {
			c.Kind = ReadOnly
		}
	}
	return c, true
}

// browserInstall reports an npx command line that runs a pinned
// Playwright or Puppeteer release to install browsers or their system
// packages (npx -y playwright@1.46.0 install --with-deps chromium, npx
// -p puppeteer@22 puppeteer browsers install chrome).
func browserInstall(rest []string) bool {
	var pkg string
	var words []string
	for i := 0; i < len(rest); i++ {
		switch a := rest[i]; {
		case a == "-p" || a == "--package":
			if i+1 < len(rest) {
				pkg = rest[i+1]
				i++
			}
		case strings.HasPrefix(a, "--package="):
			pkg = strings.TrimPrefix(a, "--package=")
		case strings.HasPrefix(a, "-"):
		default:
			words = append(words, a)
		}
	}
	if pkg == "" && len(words) > 0 {
		pkg, words = words[0], words[1:]
	} else if len(words) > 0 {
		words = words[1:] // the command the package provides
	}
	at := strings.LastIndex(pkg, "@")
	if at <= 0 || len(words) == 0 {
		return false // not pinned: it may be the project's own
	}
	switch pkg[:at] {
	case "playwright", "@playwright/test":
		return words[0] == "install" || words[0] == "install-deps"
	case "puppeteer", "@puppeteer/browsers":
		return words[0] == "browsers" || words[0] == "install"
	}
	return false
}

// readOnlyCommands read and print, and change nothing in the image.
var readOnlyCommands = map[string]bool{
	"grep": true, "egrep": true, "fgrep": true, "head": true, "tail": true, "sort": true, "uniq": true,
	"wc": true, "cut": true, "ls": true, "cat": true, "which": true, "pwd": true, "id": true,
	// A condition (if [ ! -f .env ]; then cp env.example .env; fi).
	"test": true, "[": true,
}

// global reports whether a package manager command line runs globally: a
// global flag, or yarn's global sub-command.
func global(rest []string) bool {
	for _, a := range rest {
		if a == "-g" || a == "--global" || a == "--location=global" || a == "global" {
			return true
		}
	}
	return false
}

// globalPackages reads a global install: yarn [flags] global add pkg...,
// or npm|pnpm|bun install|i|add with a global flag. The packages are its
// other words.
func globalPackages(cmd string, rest []string) ([]string, bool) {
	// npm install -g pnpm --loglevel notice: notice is the flag's value.
	rest = DropValueFlags(rest)
	if cmd == "yarn" {
		var words []string
		for _, a := range rest {
			if !strings.HasPrefix(a, "-") {
				words = append(words, a)
			}
		}
		if len(words) >= 2 && words[0] == "global" && words[1] == "add" {
			return words[2:], true
		}
		return nil, false
	}
	if len(rest) == 0 || rest[0] != "install" && rest[0] != "i" && rest[0] != "add" {
		return nil, false
	}
	isGlobal := false
	var pkgs []string
	for _, a := range rest[1:] {
		switch {
		case a == "-g" || a == "--global" || a == "--location=global":
			isGlobal = true
		case strings.HasPrefix(a, "-"):
		default:
			pkgs = append(pkgs, a)
		}
	}
	return pkgs, isGlobal
}

// RunMount is a RUN's --mount as written: its type (bind when none is
// given), target and from.
type RunMount struct{ Type, Target, From string }

// RunMounts reads the --mount flags of a RUN from its text. BuildKit's
// parse leaves a RUN's mounts unread until the build expands them:
// instructions.GetMounts gives placeholders (a bind mount with no target)
// before then.
func RunMounts(run string) []RunMount {
	var out []RunMount
	for _, f := range strings.Fields(run) {
		spec, ok := strings.CutPrefix(f, "--mount=")
		if !ok {
			continue
		}
		m := RunMount{Type: "bind"}
		for _, kv := range strings.Split(spec, ",") {
			k, v, _ := strings.Cut(kv, "=")
			switch strings.ToLower(k) {
			case "type":
				m.Type = v
			case "target", "dst", "destination":
				m.Target = v
			case "from":
				m.From = v
			}
		}
		out = append(out, m)
	}
	return out
}
